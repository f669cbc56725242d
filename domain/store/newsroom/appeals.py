"""Authors' appeals against decisions, and a moderator's outcome of each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.records import Decision, utcnow
from domain.store.base import Database, as_utc
from domain.store.rows import decision_from_row, decisions_query
from domain.store.tables import appeals, comments, decisions
from domain.vocabulary import DecidedBy, Event, Status

PENDING, UPHELD, REVERSED = "pending", "upheld", "reversed"


class AppealRefused(Exception):
    """The appeal cannot be filed or decided; `code` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StoredAppeal:
    """An appeal, with who made the decision it contests."""

    id: int
    comment_id: str
    site_id: int
    decision_id: int
    message: str | None
    status: str
    created_at: datetime
    appealed_decided_by: str
    appealed_user_id: int | None
    outcome_reason: str | None = None


def appeal_query() -> Any:
    """Appeals joined with the decision they contest."""
    return select(
        *appeals.c,
        decisions.c.decided_by.label("appealed_decided_by"),
        decisions.c.user_id.label("appealed_user_id"),
    ).join(decisions, decisions.c.id == appeals.c.decision_id)


def _appeal(row: Any) -> StoredAppeal:
    """Build a StoredAppeal from a row of appeal_query()."""
    return StoredAppeal(
        id=row.id,
        comment_id=row.comment_id,
        site_id=row.site_id,
        decision_id=row.decision_id,
        message=row.message,
        status=row.status,
        created_at=as_utc(row.created_at) or utcnow(),
        appealed_decided_by=row.appealed_decided_by,
        appealed_user_id=row.appealed_user_id,
        outcome_reason=row.outcome_reason,
    )


class AppealRepository:
    """All SQL about appeals."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def file(self, comment_id: str, site_id: int, message: str | None) -> StoredAppeal:
        """Appeal the latest decision on a rejected comment; one appeal per decision."""
        try:
            return self._file(comment_id, site_id, message)
        except IntegrityError as error:  # a concurrent appeal of the same decision won
            raise AppealRefused("duplicate", "This decision was already appealed.") from error

    def _file(self, comment_id: str, site_id: int, message: str | None) -> StoredAppeal:
        """Check the comment and insert the appeal, in one transaction."""
        with self._db.write() as connection:
            status = connection.execute(
                select(comments.c.status).where(
                    comments.c.id == comment_id, comments.c.site_id == site_id
                )
            ).scalar()
            if status != Status.REJECTED.value:
                raise AppealRefused("not_appealable", "Only a rejected comment can be appealed.")
            decision_id = connection.execute(
                select(decisions.c.id)
                .where(
                    decisions.c.comment_id == comment_id, decisions.c.event != Event.APPEAL.value
                )
                .order_by(decisions.c.id.desc())
                .limit(1)
            ).scalar_one()
            appeal_id = self._insert(connection, comment_id, site_id, decision_id, message)
            row = connection.execute(appeal_query().where(appeals.c.id == appeal_id)).one()
        return _appeal(row)

    @staticmethod
    def _insert(
        connection: Connection, comment_id: str, site_id: int, decision_id: int, message: str | None
    ) -> int:
        """Insert the appeal row; a second appeal of the same decision is refused."""
        exists = connection.execute(
            select(appeals.c.id).where(appeals.c.decision_id == decision_id)
        ).first()
        if exists is not None:
            raise AppealRefused("duplicate", "This decision was already appealed.")
        inserted = connection.execute(
            insert(appeals).values(
                comment_id=comment_id,
                site_id=site_id,
                decision_id=decision_id,
                message=message,
                status=PENDING,
                created_at=utcnow(),
            )
        )
        return int(inserted.inserted_primary_key[0])  # type: ignore[index]

    def get(self, appeal_id: int) -> StoredAppeal | None:
        """One appeal by id."""
        with self._db.read() as connection:
            row = connection.execute(appeal_query().where(appeals.c.id == appeal_id)).first()
        return _appeal(row) if row else None

    def for_comments(self, comment_ids: Sequence[str]) -> dict[str, list[StoredAppeal]]:
        """Every appeal on these comments, oldest first."""
        if not comment_ids:
            return {}
        query = (
            appeal_query().where(appeals.c.comment_id.in_(list(comment_ids))).order_by(appeals.c.id)
        )
        found: dict[str, list[StoredAppeal]] = {}
        with self._db.read() as connection:
            for row in connection.execute(query):
                found.setdefault(row.comment_id, []).append(_appeal(row))
        return found

    def decide(
        self, appeal: StoredAppeal, user_id: int, reverse: bool, reason: str | None
    ) -> Decision:
        """Record a moderator's outcome: uphold (stays rejected) or reverse (approved)."""
        now = utcnow()
        new_status = Status.APPROVED if reverse else Status.REJECTED
        with self._db.write() as connection:
            changed = connection.execute(
                update(appeals)
                .where(appeals.c.id == appeal.id, appeals.c.status == PENDING)
                .values(
                    status=REVERSED if reverse else UPHELD,
                    decided_at=now,
                    user_id=user_id,
                    outcome_reason=reason,
                )
            ).rowcount
            if changed != 1:
                raise AppealRefused("decided", "This appeal was already decided.")
            current = connection.execute(
                select(comments.c.status, comments.c.statement, comments.c.model_version).where(
                    comments.c.id == appeal.comment_id
                )
            ).one()
            if current.status != Status.REJECTED.value:
                raise AppealRefused("changed", f"The comment is now {current.status}.")
            statement = None if reverse else current.statement
            if reverse:
                connection.execute(
                    update(comments)
                    .where(comments.c.id == appeal.comment_id)
                    .values(
                        status=new_status.value,
                        statement=None,
                        decided_by=DecidedBy.MODERATOR.value,
                        decided_at=now,
                    )
                )
            decision_id = connection.execute(
                insert(decisions).values(
                    comment_id=appeal.comment_id,
                    site_id=appeal.site_id,
                    event=Event.APPEAL.value,
                    decided_by=DecidedBy.MODERATOR.value,
                    user_id=user_id,
                    previous_status=Status.REJECTED.value,
                    new_status=new_status.value,
                    reason=reason,
                    model_version=current.model_version,
                    created_at=now,
                    statement=statement,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            connection.execute(
                update(appeals)
                .where(appeals.c.id == appeal.id)
                .values(outcome_decision_id=decision_id)
            )
            row = connection.execute(decisions_query().where(decisions.c.id == decision_id)).one()
        return decision_from_row(row)


def appealed_condition() -> Any:
    """Comments with an appeal waiting for a moderator: the 'appealed' queue."""
    return comments.c.id.in_(select(appeals.c.comment_id).where(appeals.c.status == PENDING))
