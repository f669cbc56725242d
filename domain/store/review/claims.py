"""Claims: a moderator's short hold on a comment, so two moderators never review it twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.records import utcnow
from domain.store.base import Database, as_utc
from domain.store.tables import review_claims, users


@dataclass(frozen=True)
class Claim:
    """Who holds a comment, until when."""

    comment_id: str
    user_id: int
    user_email: str
    expires_at: datetime


class ClaimRepository:
    """Take, read and release claims; an expired claim is free for anyone to take."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def claim(self, comment_id: str, user_id: int, seconds: float) -> Claim | None:
        """Hold a comment for `seconds` unless someone else holds it; returns the holder."""
        for _ in range(2):  # a concurrent first INSERT on PostgreSQL: read the winner instead
            try:
                with self._db.write() as connection:
                    self._take(connection, comment_id, user_id, seconds)
                break
            except IntegrityError:
                continue
        return self.holders([comment_id]).get(comment_id)

    @staticmethod
    def _take(connection: Connection, comment_id: str, user_id: int, seconds: float) -> None:
        """Insert a claim, or renew ours, or take over an expired one; else leave it."""
        now = utcnow()
        until = now + timedelta(seconds=seconds)
        row = connection.execute(
            select(review_claims.c.user_id, review_claims.c.expires_at).where(
                review_claims.c.comment_id == comment_id
            )
        ).first()
        if row is None:
            connection.execute(
                insert(review_claims).values(
                    comment_id=comment_id, user_id=user_id, claimed_at=now, expires_at=until
                )
            )
            return
        expires_at = as_utc(row.expires_at)
        if row.user_id == user_id or (expires_at is not None and expires_at <= now):
            connection.execute(
                update(review_claims)
                .where(review_claims.c.comment_id == comment_id)
                .values(user_id=user_id, claimed_at=now, expires_at=until)
            )

    def holders(self, comment_ids: Sequence[str]) -> dict[str, Claim]:
        """The live claims on these comments, by comment id."""
        if not comment_ids:
            return {}
        query = (
            select(review_claims, users.c.email)
            .join(users, users.c.id == review_claims.c.user_id)
            .where(
                review_claims.c.comment_id.in_(list(comment_ids)),
                review_claims.c.expires_at > utcnow(),
            )
        )
        with self._db.read() as connection:
            return {
                row.comment_id: Claim(
                    row.comment_id, row.user_id, row.email, as_utc(row.expires_at) or utcnow()
                )
                for row in connection.execute(query)
            }

    def release(self, comment_ids: Sequence[str], user_id: int) -> None:
        """Drop a user's claims on these comments (after deciding them)."""
        if not comment_ids:
            return
        with self._db.write() as connection:
            connection.execute(
                delete(review_claims).where(
                    review_claims.c.comment_id.in_(list(comment_ids)),
                    review_claims.c.user_id == user_id,
                )
            )
