"""Database engines: SQLite tuned for concurrent writers by default, PostgreSQL in production."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc, make_url

DEFAULT_BUSY_TIMEOUT_MS = 5_000
WRITE_INTENT = "moderation_write_intent"
DEFAULT_POOL_SIZE = 5
PEAK_CONNECTIONS = 15  # per process; docs/operations.md sizes max_connections with it
# A pooled PostgreSQL connection idle longer than this is pinged before use (see _ping_if_idle).
PING_IDLE_SECONDS = 2.0
_CHECKED_IN_AT = "moderation_checked_in_at"


def _sqlite_tuner(busy_timeout_ms: int) -> Any:
    """A connect hook: WAL lets readers run beside the writer; the busy timeout queues writers."""

    def tune(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        _use_wal(cursor, busy_timeout_ms / 1000)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return tune


def _use_wal(cursor: Any, patience_seconds: float) -> None:
    """Switch the database file to WAL once; it stays so for every later connection.

    Switching needs the file to itself, and SQLite answers "database is locked" at once,
    without waiting out the busy timeout, when another process is switching or creating the
    schema at that moment (web, worker and beat starting together on a new database).
    """
    deadline = time.monotonic() + patience_seconds
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _begin(connection: Any) -> None:
    """Begin explicitly; write transactions take SQLite's write lock up front (see Store.write).

    Sent on the driver's connection, not through ``exec_driver_sql``: a statement executed by
    SQLAlchemy costs an execution context, and this one ran for every transaction (a quarter
    of an intake INSERT's CPU; docs/performance.md).
    """
    statement = "BEGIN IMMEDIATE" if connection.info.get(WRITE_INTENT, False) else "BEGIN"
    dbapi = connection.dialect.loaded_dbapi
    try:
        connection.connection.driver_connection.execute(statement)
    except dbapi.Error as error:  # as SQLAlchemy would: "database is locked" is OperationalError
        raise exc.DBAPIError.instance(statement, None, error, dbapi.Error) from error


def _remember_checkin(_dbapi_connection: Any, record: Any) -> None:
    """Note when a connection went back to the pool."""
    if record is not None:
        record.info[_CHECKED_IN_AT] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Ping a connection that sat idle in the pool before handing it out.

    ``pool_pre_ping`` pings on *every* checkout: a PostgreSQL round trip before each
    transaction, a fifth of an intake INSERT's CPU. A connection returned moments ago was
    working moments ago; one that idled may have been dropped by a restart or a proxy's idle
    timeout, so only those are pinged. A dead one is replaced (DisconnectionError makes the
    pool connect afresh); a connection that dies within the idle window fails its statement,
    which intake answers 503 with Retry-After, and SQLAlchemy then invalidates the pool.
    """
    checked_in_at = record.info.get(_CHECKED_IN_AT)
    if checked_in_at is None or time.monotonic() - checked_in_at < PING_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()
        dbapi_connection.rollback()  # the ping opened a transaction on a non-autocommit one
    except Exception as error:
        raise exc.DisconnectionError(f"pooled connection is gone: {error}") from error


def make_engine(
    url: str,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    pool_size: int = DEFAULT_POOL_SIZE,
    **options: Any,
) -> Engine:
    """Create an engine for a database URL (sqlite:///path or postgresql+psycopg://...).

    ``pool_size``: connections kept open, at least as many as the process's threads that may
    hold one at once (a web worker's threads). With fewer, every request beyond the pool opened
    a connection of its own and closed it on return: on PostgreSQL a backend forked and torn
    down per request, on the server's CPU (docs/performance.md); on SQLite the file opened and
    tuned again. Overflow brings the peak to ``PEAK_CONNECTIONS``.
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    pooling = {"pool_size": pool_size, "max_overflow": max(0, PEAK_CONNECTIONS - pool_size)}
    if url.startswith("sqlite"):
        if make_url(url).database in (None, "", ":memory:"):
            pooling = {}  # one connection per thread (SQLAlchemy's own pool for memory)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            **pooling,
            **options,
        )
        # Stop pysqlite from issuing its own BEGIN, then issue ours.
        event.listen(engine, "connect", _disable_pysqlite_transactions)
        event.listen(engine, "connect", _sqlite_tuner(busy_timeout_ms))
        event.listen(engine, "begin", _begin)
        return engine
    engine = create_engine(
        url,
        **pooling,
        pool_timeout=busy_timeout_ms / 1000,
        connect_args={"connect_timeout": max(1, busy_timeout_ms // 1000)},
        **options,
    )
    event.listen(engine, "checkin", _remember_checkin)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _disable_pysqlite_transactions(dbapi_connection: Any, _record: Any) -> None:
    """pysqlite's implicit transactions would defeat BEGIN IMMEDIATE."""
    dbapi_connection.isolation_level = None
