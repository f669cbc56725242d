"""Authors' history on a site, counted for reputation and pre-moderation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, func, select

from domain.records import utcnow
from domain.store.base import Database
from domain.store.tables import appeals, comments, reader_reports
from domain.vocabulary import Status


@dataclass(frozen=True)
class AuthorHistory:
    """What an author's earlier comments on a site became.

    ``decided`` counts every decided comment ever (pre-moderation of new authors); the other
    counts cover the reputation window only.
    """

    decided: int = 0
    approved: int = 0
    rejected: int = 0
    flagged: int = 0
    reported: int = 0
    appealed: int = 0


NO_HISTORY = AuthorHistory()


class HistoryRepository:
    """Counts of authors' comments by outcome, one grouped query per batch."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def of_authors(
        self, authors: Iterable[tuple[int, str]], window_days: float
    ) -> dict[tuple[int, str], AuthorHistory]:
        """Per (site id, email): decided comments ever, and outcomes within the window."""
        wanted = set(authors)
        if not wanted:
            return {}
        cutoff = utcnow() - timedelta(days=window_days)
        recent = case((comments.c.created_at >= cutoff, 1), else_=0)
        query = (
            select(comments.c.site_id, comments.c.email, comments.c.status,
                   func.count(), func.sum(recent))
            .where(comments.c.site_id.in_({s for s, _ in wanted}),
                   comments.c.email.in_({e for _, e in wanted}),
                   comments.c.status != Status.PENDING.value)
            .group_by(comments.c.site_id, comments.c.email, comments.c.status)
        )  # fmt: skip
        counts: dict[tuple[int, str], dict[str, int]] = {}
        with self._db.read() as connection:
            for site_id, email, status, total, in_window in connection.execute(query):
                if (site_id, email) not in wanted:
                    continue
                entry = counts.setdefault((site_id, email), {"decided": 0})
                entry["decided"] += int(total)
                entry[status] = int(in_window or 0)
        return {
            key: AuthorHistory(
                decided=c["decided"],
                approved=c.get(Status.APPROVED.value, 0),
                rejected=c.get(Status.REJECTED.value, 0),
                flagged=c.get(Status.FLAGGED.value, 0),
            )
            for key, c in counts.items()
        }

    def of_author(self, site_id: int, email: str, window_days: float) -> AuthorHistory:
        """One author's history, with the comments readers reported and the appeals made."""
        base = self.of_authors([(site_id, email)], window_days).get((site_id, email), NO_HISTORY)
        cutoff = utcnow() - timedelta(days=window_days)
        mine = (comments.c.site_id == site_id) & (comments.c.email == email) & (
            comments.c.created_at >= cutoff
        )
        reported = select(func.count(func.distinct(reader_reports.c.comment_id))).join(
            comments, comments.c.id == reader_reports.c.comment_id
        ).where(mine)
        appealed = select(func.count()).select_from(appeals).join(
            comments, comments.c.id == appeals.c.comment_id
        ).where(mine)
        with self._db.read() as connection:
            n_reported = int(connection.execute(reported).scalar() or 0)
            n_appealed = int(connection.execute(appealed).scalar() or 0)
        return AuthorHistory(base.decided, base.approved, base.rejected, base.flagged,
                             n_reported, n_appealed)
