"""Database engines: SQLite tuned for concurrent writers by default, PostgreSQL in production."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event

DEFAULT_BUSY_TIMEOUT_MS = 5_000
WRITE_INTENT = "moderation_write_intent"


def _sqlite_tuner(busy_timeout_ms: int) -> Any:
    """A connect hook: WAL lets readers run beside the writer; the busy timeout queues writers."""

    def tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return tune


def _begin(connection: Any) -> None:
    """Begin explicitly; write transactions take SQLite's write lock up front (see Store.write)."""
    immediate = connection.info.get(WRITE_INTENT, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(url: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS, **options: Any) -> Engine:
    """Create an engine for a database URL (sqlite:///path or postgresql+psycopg://...)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **options,
        )
        # Stop pysqlite from issuing its own BEGIN, then issue ours.
        event.listen(engine, "connect", _disable_pysqlite_transactions)
        event.listen(engine, "connect", _sqlite_tuner(busy_timeout_ms))
        event.listen(engine, "begin", _begin)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=busy_timeout_ms / 1000,
        connect_args={"connect_timeout": max(1, busy_timeout_ms // 1000)},
        **options,
    )


def _disable_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    """pysqlite's implicit transactions would defeat BEGIN IMMEDIATE."""
    dbapi_connection.isolation_level = None
