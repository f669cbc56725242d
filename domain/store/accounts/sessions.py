"""Moderators' log-in sessions, kept server-side so that ending one takes effect at once."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, insert, select

from domain.infra import credentials
from domain.records import User, utcnow
from domain.store.accounts.users import end_sessions, user_from_row
from domain.store.base import Database
from domain.store.tables import review_sessions, users

# A session older than this must log in again, even if the browser stayed open.
SESSION_MAX_AGE = timedelta(hours=12)


class SessionRepository:
    """All SQL about log-in sessions (the cookie holds the id; we store only its hash)."""

    def __init__(self, db: Database, max_age: timedelta = SESSION_MAX_AGE) -> None:
        self._db = db
        self._max_age = max_age

    def start(self, user_id: int) -> str:
        """Open a session for a user who just logged in; returns its id for the cookie."""
        session_id = secrets.token_urlsafe(32)
        now = utcnow()
        with self._db.write() as connection:
            # Expired sessions of this user go now, so the table stays the size of live ones.
            connection.execute(
                delete(review_sessions).where(
                    review_sessions.c.user_id == user_id,
                    review_sessions.c.created_at < now - self._max_age,
                )
            )
            connection.execute(
                insert(review_sessions).values(
                    id_hash=credentials.hash_secret(session_id), user_id=user_id, created_at=now
                )
            )
        return session_id

    def user(self, session_id: str, user_id: int) -> User | None:
        """The active user of a live session, or None if it ended, expired or is not theirs."""
        with self._db.read() as connection:
            row = connection.execute(
                select(users)
                .join(review_sessions, review_sessions.c.user_id == users.c.id)
                .where(
                    review_sessions.c.id_hash == credentials.hash_secret(session_id),
                    review_sessions.c.user_id == user_id,
                    review_sessions.c.created_at >= utcnow() - self._max_age,
                    users.c.active.is_(True),
                )
            ).first()
        return user_from_row(row) if row else None

    def end(self, session_id: str) -> None:
        """End one session (log-out)."""
        with self._db.write() as connection:
            connection.execute(
                delete(review_sessions).where(
                    review_sessions.c.id_hash == credentials.hash_secret(session_id)
                )
            )

    def end_all(self, user_id: int) -> int:
        """End every session of a user (log out everywhere, new password, deactivation)."""
        with self._db.write() as connection:
            return end_sessions(connection, user_id)
