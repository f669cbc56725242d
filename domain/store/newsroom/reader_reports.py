"""Readers' reports on comments, the refused floods, and the flag that enough reports raise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.records import Decision, utcnow
from domain.store.base import Database, as_utc
from domain.store.rows import decision_from_row, decisions_query
from domain.store.tables import comments, decisions, reader_reports, refused_reports
from domain.vocabulary import DecidedBy, Event, Status


@dataclass(frozen=True)
class ReaderReport:
    """One reader's report on a comment, as moderators see it."""

    comment_id: str
    reporter: str
    reason: str
    message: str | None
    legal_grounds: str | None
    created_at: datetime
    cleared: bool
    reporter_refused: int = 0  # report attempts refused because this reporter flooded


class ReaderReportRepository:
    """All SQL about readers' reports."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(
        self,
        site_id: int,
        comment_id: str,
        reporter: str,
        reason: str,
        message: str | None,
        legal_grounds: str | None,
    ) -> bool:
        """Store a report; False when this reporter already reported this comment."""
        try:
            with self._db.write() as connection:
                connection.execute(
                    insert(reader_reports).values(
                        comment_id=comment_id,
                        site_id=site_id,
                        reporter=reporter,
                        reason=reason,
                        message=message,
                        legal_grounds=legal_grounds,
                        created_at=utcnow(),
                    )
                )
        except IntegrityError:
            return False
        return True

    def count(self, comment_id: str) -> int:
        """How many readers reported a comment (one per reporter)."""
        query = select(func.count()).where(reader_reports.c.comment_id == comment_id)
        with self._db.read() as connection:
            return int(connection.execute(query).scalar_one())

    def recent_by_reporter(self, site_id: int, reporter: str, since: datetime) -> int:
        """How many reports one reporter filed on a site since a moment."""
        query = select(func.count()).where(
            reader_reports.c.site_id == site_id,
            reader_reports.c.reporter == reporter,
            reader_reports.c.created_at >= since,
        )
        with self._db.read() as connection:
            return int(connection.execute(query).scalar_one())

    def refuse(self, site_id: int, reporter: str) -> None:
        """Count a refused report attempt of a flooding reporter (moderators see the count)."""
        now = utcnow()
        with self._db.write() as connection:
            changed = connection.execute(
                update(refused_reports)
                .where(refused_reports.c.site_id == site_id, refused_reports.c.reporter == reporter)
                .values(refused=refused_reports.c.refused + 1, last_refused_at=now)
            ).rowcount
            if not changed:
                connection.execute(
                    insert(refused_reports).values(
                        site_id=site_id, reporter=reporter, refused=1, last_refused_at=now
                    )
                )

    def with_reports(self, comment_ids: Sequence[str]) -> list[str]:
        """The comments among these ids that readers reported (one indexed read per batch)."""
        if not comment_ids:
            return []
        query = (
            select(reader_reports.c.comment_id)
            .distinct()
            .where(reader_reports.c.comment_id.in_(list(comment_ids)))
        )
        with self._db.read() as connection:
            return list(connection.execute(query).scalars())

    def counting(self, comment_ids: Sequence[str]) -> dict[str, Counter[str]]:
        """Per comment, the reasons of reports that still count.

        A report counts until a moderator approves the comment (which clears it); after that,
        reports repeating a reason the moderator already reviewed do not count again.
        """
        query = select(
            reader_reports.c.comment_id, reader_reports.c.reason, reader_reports.c.cleared_at
        ).where(reader_reports.c.comment_id.in_(list(comment_ids)))
        cleared: dict[str, set[str]] = {}
        open_reports: dict[str, list[str]] = {}
        with self._db.read() as connection:
            for row in connection.execute(query):
                target = cleared if row.cleared_at is not None else open_reports
                if target is cleared:
                    cleared.setdefault(row.comment_id, set()).add(row.reason)
                else:
                    open_reports.setdefault(row.comment_id, []).append(row.reason)
        return {
            cid: Counter(r for r in reasons if r not in cleared.get(cid, set()))
            for cid, reasons in open_reports.items()
        }

    def flag(self, comment_id: str, codes: Sequence[str]) -> Decision | None:
        """Move an approved comment to flagged for these report codes; None if not approved."""
        now = utcnow()
        with self._db.write() as connection:
            current = connection.execute(
                select(comments.c.site_id, comments.c.reasons, comments.c.model_version).where(
                    comments.c.id == comment_id, comments.c.status == Status.APPROVED.value
                )
            ).first()
            if current is None:
                return None
            reasons = list(dict.fromkeys([*(current.reasons or []), *codes]))
            changed = connection.execute(
                update(comments)
                .where(comments.c.id == comment_id, comments.c.status == Status.APPROVED.value)
                .values(
                    status=Status.FLAGGED.value,
                    reasons=reasons,
                    decided_by=DecidedBy.RULE.value,
                    decided_at=now,
                )
            ).rowcount
            if changed != 1:
                return None
            decision_id = connection.execute(
                insert(decisions).values(
                    comment_id=comment_id,
                    site_id=current.site_id,
                    event=Event.REPORTED.value,
                    decided_by=DecidedBy.RULE.value,
                    previous_status=Status.APPROVED.value,
                    new_status=Status.FLAGGED.value,
                    reason=",".join(codes)[:200],
                    model_version=current.model_version,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            row = connection.execute(decisions_query().where(decisions.c.id == decision_id)).one()
        return decision_from_row(row)

    def clear(self, comment_ids: Sequence[str]) -> int:
        """Mark the open reports on these comments as reviewed (a moderator approved them)."""
        if not comment_ids:
            return 0
        with self._db.write() as connection:
            return int(
                connection.execute(
                    update(reader_reports)
                    .where(
                        reader_reports.c.comment_id.in_(list(comment_ids)),
                        reader_reports.c.cleared_at.is_(None),
                    )
                    .values(cleared_at=utcnow())
                ).rowcount
                or 0
            )

    def open_reasons(self, comment_ids: Sequence[str]) -> dict[str, tuple[list[str], str | None]]:
        """Per comment, the open reports' reasons and the legal grounds readers gave."""
        if not comment_ids:
            return {}
        query = (
            select(
                reader_reports.c.comment_id, reader_reports.c.reason, reader_reports.c.legal_grounds
            )
            .where(
                reader_reports.c.comment_id.in_(list(comment_ids)),
                reader_reports.c.cleared_at.is_(None),
            )
            .order_by(reader_reports.c.id)
        )
        found: dict[str, tuple[list[str], list[str]]] = {}
        with self._db.read() as connection:
            for row in connection.execute(query):
                reasons, grounds = found.setdefault(row.comment_id, ([], []))
                reasons.append(row.reason)
                if row.reason == "illegal" and row.legal_grounds:
                    grounds.append(row.legal_grounds)
        return {
            cid: (reasons, "; ".join(dict.fromkeys(grounds)) or None)
            for cid, (reasons, grounds) in found.items()
        }

    def for_comments(self, comment_ids: Sequence[str]) -> dict[str, list[ReaderReport]]:
        """Every report on these comments, oldest first, with each reporter's refused count."""
        if not comment_ids:
            return {}
        query = (
            select(*reader_reports.c, func.coalesce(refused_reports.c.refused, 0).label("refused"))
            .outerjoin(
                refused_reports,
                (refused_reports.c.site_id == reader_reports.c.site_id)
                & (refused_reports.c.reporter == reader_reports.c.reporter),
            )
            .where(reader_reports.c.comment_id.in_(list(comment_ids)))
            .order_by(reader_reports.c.id)
        )
        found: dict[str, list[ReaderReport]] = {}
        with self._db.read() as connection:
            for row in connection.execute(query):
                found.setdefault(row.comment_id, []).append(_report(row))
        return found


def _report(row: Any) -> ReaderReport:
    """Build a ReaderReport from a row."""
    return ReaderReport(
        comment_id=row.comment_id,
        reporter=row.reporter,
        reason=row.reason,
        message=row.message,
        legal_grounds=row.legal_grounds,
        created_at=as_utc(row.created_at) or utcnow(),
        cleared=row.cleared_at is not None,
        reporter_refused=int(row.refused or 0),
    )


def reported_condition() -> ColumnElement[bool]:
    """Comments with open reports that a moderator has not rejected yet: the 'reported' queue."""
    return comments.c.id.in_(
        select(reader_reports.c.comment_id).where(reader_reports.c.cleared_at.is_(None))
    ) & (comments.c.status != Status.REJECTED.value)
