"""Moderator and admin accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.infra import credentials
from domain.records import User, utcnow
from domain.store.base import Database, as_utc
from domain.store.tables import review_sessions, users
from domain.vocabulary import Role

MIN_PASSWORD_CHARS = 10


class UserError(ValueError):
    """A user cannot be created or changed as asked."""


def user_from_row(row: Row[Any]) -> User:
    """Build a User from a database row."""
    slugs = row.site_slugs
    return User(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        site_slugs=tuple(slugs) if slugs is not None else None,
        active=bool(row.active),
    )


class UserRepository:
    """All SQL about users."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def create(
        self, email: str, password: str, role: Role, site_slugs: list[str] | None = None
    ) -> tuple[User, str]:
        """Create a user; returns it with its personal API token (stored only as a hash)."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
        token = credentials.new_user_token()
        try:
            with self._db.write() as connection:
                user_id = connection.execute(
                    insert(users).values(
                        email=email.strip().lower(),
                        password_hash=credentials.hash_password(password),
                        role=role.value,
                        token_hash=credentials.hash_secret(token),
                        site_slugs=site_slugs,
                        failed_logins=0,
                        active=True,
                        created_at=utcnow(),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as error:
            raise UserError(f"a user with email {email!r} already exists") from error
        user = self.by_id(user_id)
        assert user is not None
        return user, token

    def by_id(self, user_id: int) -> User | None:
        """A user by id."""
        with self._db.read() as connection:
            row = connection.execute(select(users).where(users.c.id == user_id)).first()
        return user_from_row(row) if row else None

    def all(self) -> list[User]:
        """Every user, by email."""
        with self._db.read() as connection:
            rows = connection.execute(select(users).order_by(users.c.email)).all()
        return [user_from_row(row) for row in rows]

    def by_token(self, token: str) -> User | None:
        """The active user a personal API token belongs to."""
        token_hash = credentials.hash_secret(token)
        with self._db.read() as connection:
            row = connection.execute(select(users).where(users.c.token_hash == token_hash)).first()
        if row is None or not row.active or not credentials.secret_matches(token, row.token_hash):
            return None
        return user_from_row(row)

    def authenticate(
        self, email: str, password: str, max_failures: int, lockout: timedelta
    ) -> tuple[User | None, bool]:
        """Check a log-in; returns (user or None, locked). Locks the account after failures.

        Each attempt claims its place in the count before the (slow) password check, in a
        write transaction, so concurrent guesses cannot all read "no failures yet".
        """
        with self._db.read() as connection:
            row = connection.execute(
                select(users).where(users.c.email == email.strip().lower())
            ).first()
        if row is None:
            credentials.password_matches(password, _DUMMY_HASH)  # same time as a real check
            return None, False
        attempt = self._claim_attempt(row.id, max_failures, lockout)
        if attempt is None:
            return None, True
        if row.active and credentials.password_matches(password, row.password_hash):
            self._set_failures(row.id, 0, None)
            return user_from_row(row), False
        return None, attempt >= max_failures

    def _claim_attempt(self, user_id: int, max_failures: int, lockout: timedelta) -> int | None:
        """Count one more attempt (None while locked); the last allowed one starts the lock-out
        at once, so a crash mid-check cannot leave the count stuck."""
        now = utcnow()
        with self._db.write() as connection:
            row = connection.execute(
                select(users.c.failed_logins, users.c.locked_until)
                .where(users.c.id == user_id)
                .with_for_update()
            ).one()
            locked_until = as_utc(row.locked_until)
            if locked_until and locked_until > now:
                return None
            attempt = 1 if locked_until else row.failed_logins + 1  # a lapsed lock starts afresh
            connection.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(
                    failed_logins=attempt,
                    locked_until=now + lockout if attempt >= max_failures else None,
                )
            )
        return attempt

    def set_sites(self, user_id: int, site_slugs: list[str] | None) -> None:
        """Limit a user to some sites (None: every site)."""
        with self._db.write() as connection:
            connection.execute(
                update(users).where(users.c.id == user_id).values(site_slugs=site_slugs)
            )

    def set_active(self, user_id: int, active: bool) -> None:
        """Deactivate or reactivate a user; an inactive user can neither log in nor use a token,
        and deactivation ends their sessions."""
        with self._db.write() as connection:
            connection.execute(update(users).where(users.c.id == user_id).values(active=active))
            if not active:
                end_sessions(connection, user_id)

    def set_password(self, user_id: int, password: str) -> bool:
        """Give a user a new password and end every session they had; False if no such user."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise UserError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
        password_hash = credentials.hash_password(password)  # slow: not under the write lock
        with self._db.write() as connection:
            changed = connection.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(
                    password_hash=password_hash,
                    failed_logins=0,
                    locked_until=None,
                )
            ).rowcount
            end_sessions(connection, user_id)
        return bool(changed)

    def _set_failures(self, user_id: int, failures: int, locked_until: Any) -> None:
        """Store the failed log-in count and lock-out time."""
        with self._db.write() as connection:
            connection.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(failed_logins=failures, locked_until=locked_until)
            )


def end_sessions(connection: Connection, user_id: int) -> int:
    """End every log-in session of a user, inside the caller's transaction."""
    ended = connection.execute(delete(review_sessions).where(review_sessions.c.user_id == user_id))
    return int(ended.rowcount)


_DUMMY_HASH = credentials.hash_password("not-a-real-password-for-timing")
