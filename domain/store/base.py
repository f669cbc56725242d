"""The shared database handle every repository uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine

from domain.store.engine import WRITE_INTENT


class Database:
    """An engine plus the two kinds of transaction the repositories need."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.is_sqlite = engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction."""
        with self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write_one(self) -> Iterator[Connection]:
        """A single write statement: on PostgreSQL in autocommit (one round trip instead of
        BEGIN, statement, COMMIT; the statement is its own transaction, just as durable)."""
        if self.is_sqlite:
            with self.write() as connection:
                yield connection
            return
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed on success and rolled back on any error."""
        with self.engine.connect() as connection:
            connection.info[WRITE_INTENT] = True
            try:
                with connection.begin():
                    yield connection
            finally:
                connection.info.pop(WRITE_INTENT, None)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
