"""The review queue's SQL: listing and filtering, moderator decisions, undo, blocked authors.

The audit log and the dashboard's statistics live in ``domain.store.review.reports``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from domain.records import Comment, Decision, utcnow
from domain.store.accounts.sites import visible_to
from domain.store.base import Database
from domain.store.review.listing import (
    SORTS,
    STATUS_FILTERS,
    QueueFilter,
    QueuePage,
    WaitingComment,
    conditions,
    listing,
    oldest_waiting,
    order,
    ranked_page,
)
from domain.store.rows import (
    COMMENT_COLUMNS,
    comment_from_row,
    decision_from_row,
    decisions_query,
)
from domain.store.tables import blocked_authors, comments, decisions, sites
from domain.vocabulary import DecidedBy, Event, Status

__all__ = ["SORTS", "STATUS_FILTERS", "Applied", "Change", "ModerationRepository", "QueueFilter",
           "QueuePage", "WaitingComment"]

UNDO_REASON = "undo"


@dataclass(frozen=True)
class Change:
    """A status change a moderator asked for, valid only if the comment still has `expected`."""

    comment_id: str
    expected: Status
    new: Status
    reason: str | None = None
    statement: dict[str, Any] | None = None  # a rejection's statement of reasons


@dataclass
class Applied:
    """What applying changes did: the recorded decisions and the comments that had moved on."""

    decisions: list[Decision] = field(default_factory=list)
    conflicts: dict[str, Status] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)


class ModerationRepository:
    """All SQL of the moderator pages and API."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # The queue

    def queue(
        self,
        wanted: QueueFilter,
        visible_sites: Sequence[str] | None,
        centers: Mapping[int, tuple[float, float]] | None = None,
        ranked: Sequence[str] = (),
    ) -> QueuePage:
        """One page of comments matching the filter, among the sites the user may see.

        ``centers``: each site's (spam, toxicity) flag lines, for the uncertainty order;
        ``ranked``: for the informative order, the ranked comments' ids, best first.
        """
        where = conditions(wanted, visible_sites)
        after = order(wanted, centers)
        count = (
            select(func.count())
            .select_from(comments)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(*where)
        )
        offset = (wanted.page - 1) * wanted.per_page
        with self._db.read() as connection:
            total = int(connection.execute(count).scalar_one())
            rows: Sequence[Any]
            if wanted.sort == "informative" and ranked:
                rows = ranked_page(connection, wanted, where, after, ranked)
            else:
                rows = connection.execute(
                    listing(where).order_by(*after).limit(wanted.per_page).offset(offset)
                ).all()
        return QueuePage([comment_from_row(r) for r in rows], total, wanted.page, wanted.per_page)

    def oldest_waiting(
        self, visible_sites: Sequence[str] | None, limit: int
    ) -> list[WaitingComment]:
        """The oldest flagged English comments the user may see (the informative order's pool)."""
        with self._db.read() as connection:
            return oldest_waiting(connection, visible_sites, limit)

    def comments(
        self, comment_ids: Sequence[str], visible_sites: Sequence[str] | None
    ) -> list[Comment]:
        """The comments among these ids that the user may see."""
        if not comment_ids:
            return []
        query = (
            select(*COMMENT_COLUMNS)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.id.in_(list(comment_ids)), visible_to(visible_sites))
        )
        with self._db.read() as connection:
            return [comment_from_row(row) for row in connection.execute(query)]

    def by_author(self, site_slug: str, email: str, limit: int = 500) -> list[Comment]:
        """Every comment by an email address on one site, newest first."""
        query = (
            select(*COMMENT_COLUMNS)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(sites.c.slug == site_slug, comments.c.email == email)
            .order_by(comments.c.created_at.desc())
            .limit(limit)
        )
        with self._db.read() as connection:
            return [comment_from_row(row) for row in connection.execute(query)]

    def site_ids(self, visible_sites: Sequence[str] | None) -> dict[str, int]:
        """Slug to id of the sites a user may see."""
        with self._db.read() as connection:
            rows = connection.execute(
                select(sites.c.slug, sites.c.id).where(visible_to(visible_sites))
            )
            return {row.slug: row.id for row in rows}

    # Decisions

    def apply(self, changes: Sequence[Change], user_id: int) -> Applied:
        """Record moderator changes in one transaction, each only if its comment is unchanged.

        The UPDATE is conditional on the status the moderator saw, so two moderators acting on
        the same comment cannot overwrite each other: the second one gets a conflict.
        """
        applied = Applied()
        now = utcnow()
        recorded: list[int] = []
        with self._db.write() as connection:
            for change in changes:
                decision_id = self._apply_one(connection, change, user_id, now, applied)
                if decision_id is not None:
                    recorded.append(decision_id)
            rows = (
                connection.execute(
                    decisions_query().where(decisions.c.id.in_(recorded)).order_by(decisions.c.id)
                ).all()
                if recorded
                else []
            )
        applied.decisions = [decision_from_row(row) for row in rows]
        return applied

    def _apply_one(
        self, connection: Connection, change: Change, user_id: int, now: datetime, applied: Applied
    ) -> int | None:
        """Apply one change; note a conflict or a missing comment instead when it cannot."""
        current = connection.execute(
            select(comments.c.status, comments.c.site_id, comments.c.model_version).where(
                comments.c.id == change.comment_id
            )
        ).first()
        if current is None:
            applied.missing.append(change.comment_id)
            return None
        changed = connection.execute(
            update(comments)
            .where(comments.c.id == change.comment_id, comments.c.status == change.expected.value)
            .values(status=change.new.value, decided_by=DecidedBy.MODERATOR.value,
                    decided_at=now, statement=change.statement)
        ).rowcount
        if changed != 1:
            applied.conflicts[change.comment_id] = Status(current.status)
            return None
        return int(
            connection.execute(
                insert(decisions).values(
                    comment_id=change.comment_id,
                    site_id=current.site_id,
                    event=Event.MODERATED.value,
                    decided_by=DecidedBy.MODERATOR.value,
                    user_id=user_id,
                    previous_status=change.expected.value,
                    new_status=change.new.value,
                    reason=change.reason,
                    model_version=current.model_version,
                    created_at=now,
                    statement=change.statement,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )

    def last_action(self, user_id: int, comment_id: str | None = None) -> list[Decision]:
        """The user's latest action (one decision, or every decision of a bulk action) not yet
        undone or superseded: each is still the latest decision on its comment."""
        later = decisions.alias("later")
        still_latest = ~exists(
            select(later.c.id).where(
                later.c.comment_id == decisions.c.comment_id, later.c.id > decisions.c.id
            )
        )
        conditions = [
            decisions.c.user_id == user_id,
            decisions.c.event == Event.MODERATED.value,
            or_(decisions.c.reason.is_(None), decisions.c.reason != UNDO_REASON),
            still_latest,
        ]
        if comment_id is not None:
            conditions.append(decisions.c.comment_id == comment_id)
        with self._db.read() as connection:
            latest = connection.execute(
                select(decisions.c.created_at)
                .where(*conditions)
                .order_by(decisions.c.id.desc())
                .limit(1)
            ).first()
            if latest is None:
                return []
            # A bulk action records all its decisions with one timestamp.
            rows = connection.execute(
                decisions_query()
                .where(*conditions, decisions.c.created_at == latest.created_at)
                .order_by(decisions.c.id)
            ).all()
        return [decision_from_row(row) for row in rows]

    # Blocked authors

    def block(self, site_id: int, email: str, user_id: int) -> bool:
        """Block an author on a site; False if they were already blocked."""
        try:
            with self._db.write() as connection:
                connection.execute(
                    insert(blocked_authors).values(
                        site_id=site_id, email=email, user_id=user_id, created_at=utcnow()
                    )
                )
        except IntegrityError:
            return False
        return True

    def unblock(self, site_id: int, email: str) -> bool:
        """Lift a block; False if the author was not blocked."""
        with self._db.write() as connection:
            removed = connection.execute(
                blocked_authors.delete().where(
                    blocked_authors.c.site_id == site_id, blocked_authors.c.email == email
                )
            ).rowcount
        return bool(removed)

    def is_blocked(self, site_id: int, email: str) -> bool:
        """Whether an author is blocked on a site."""
        with self._db.read() as connection:
            row = connection.execute(
                select(blocked_authors.c.id).where(
                    blocked_authors.c.site_id == site_id, blocked_authors.c.email == email
                )
            ).first()
        return row is not None
