"""Moderator and admin accounts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.infra import credentials
from domain.records import User, utcnow
from domain.store.base import Database, as_utc
from domain.store.tables import users
from domain.vocabulary import Role

MIN_PASSWORD_CHARS = 10


class UserError(ValueError):
    """A user cannot be created or changed as asked."""


def _user(row: Row[Any]) -> User:
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
        return _user(row) if row else None

    def all(self) -> list[User]:
        """Every user, by email."""
        with self._db.read() as connection:
            rows = connection.execute(select(users).order_by(users.c.email)).all()
        return [_user(row) for row in rows]

    def by_token(self, token: str) -> User | None:
        """The active user a personal API token belongs to."""
        token_hash = credentials.hash_secret(token)
        with self._db.read() as connection:
            row = connection.execute(select(users).where(users.c.token_hash == token_hash)).first()
        if row is None or not row.active or not credentials.secret_matches(token, row.token_hash):
            return None
        return _user(row)

    def authenticate(
        self, email: str, password: str, max_failures: int, lockout: timedelta
    ) -> tuple[User | None, bool]:
        """Check a log-in; returns (user or None, locked). Locks the account after failures."""
        now = utcnow()
        with self._db.read() as connection:
            row = connection.execute(
                select(users).where(users.c.email == email.strip().lower())
            ).first()
        if row is None:
            credentials.password_matches(password, _DUMMY_HASH)  # same time as a real check
            return None, False
        locked_until = as_utc(row.locked_until)
        if locked_until and locked_until > now:
            return None, True
        if row.active and credentials.password_matches(password, row.password_hash):
            self._set_failures(row.id, 0, None)
            return _user(row), False
        failures = row.failed_logins + 1
        locked = failures >= max_failures
        self._set_failures(row.id, 0 if locked else failures, now + lockout if locked else None)
        return None, locked

    def set_sites(self, user_id: int, site_slugs: list[str] | None) -> None:
        """Limit a user to some sites (None: every site)."""
        with self._db.write() as connection:
            connection.execute(
                update(users).where(users.c.id == user_id).values(site_slugs=site_slugs)
            )

    def set_active(self, user_id: int, active: bool) -> None:
        """Deactivate or reactivate a user; an inactive user can neither log in nor use a token."""
        with self._db.write() as connection:
            connection.execute(update(users).where(users.c.id == user_id).values(active=active))

    def _set_failures(self, user_id: int, failures: int, locked_until: Any) -> None:
        """Store the failed log-in count and lock-out time."""
        with self._db.write() as connection:
            connection.execute(
                update(users)
                .where(users.c.id == user_id)
                .values(failed_logins=failures, locked_until=locked_until)
            )


_DUMMY_HASH = credentials.hash_password("not-a-real-password-for-timing")
