"""The shared database handle every repository uses."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Table, bindparam, exc, insert

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


@dataclass(frozen=True)
class _Compiled:
    """An INSERT as one dialect's driver takes it."""

    sql: str
    order: tuple[str, ...] | None  # positional drivers (sqlite3): the parameters' order
    processors: dict[str, Callable[[Any], Any]]  # SQLAlchemy's conversions (SQLite datetimes)


class RowInserter:
    """One table's single-row INSERT, compiled once and run straight on a pooled driver
    connection: the statement intake runs for every comment.

    Through SQLAlchemy's Connection it cost twice the driver's own work (execution context,
    events, result set-up; docs/performance.md). The transaction is the same as
    ``Database.write_one``'s: SQLite ``BEGIN IMMEDIATE`` .. ``COMMIT``, PostgreSQL one
    autocommitted statement (its own transaction, just as durable). Driver errors are raised as
    SQLAlchemy's (``OperationalError`` for a locked or unreachable database: intake's 503).
    """

    def __init__(self, db: Database, table: Table) -> None:
        self._db = db
        self._table = table
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _compile(self, engine: Engine, columns: tuple[str, ...]) -> _Compiled:
        """The statement for this engine's dialect and these columns (compiled on first use)."""
        dialect = engine.dialect
        compiled = self._compiled.get((dialect.name, columns))
        if compiled is None:
            table = self._table
            values = {name: bindparam(name, type_=table.c[name].type) for name in columns}
            statement = insert(table).values(values).compile(dialect=dialect)
            processors: dict[str, Callable[[Any], Any]] = {}
            for name, bind in statement.binds.items():
                processor = bind.type.bind_processor(dialect)
                if processor is not None:
                    processors[name] = processor
            order = tuple(statement.positiontup or ()) if statement.positional else None
            compiled = _Compiled(statement.string, order, processors)
            self._compiled[(dialect.name, columns)] = compiled
        return compiled

    def insert(self, values: Mapping[str, Any]) -> None:
        """Insert one row (the columns its keys name) and commit it."""
        engine = self._db.engine
        compiled = self._compile(engine, tuple(values))
        row = dict(values)
        for name, processor in compiled.processors.items():
            row[name] = processor(row[name])
        parameters: Any = row if compiled.order is None else tuple(row[n] for n in compiled.order)
        dbapi = engine.dialect.loaded_dbapi
        pooled = engine.raw_connection()
        try:
            driver = pooled.driver_connection
            if self._db.is_sqlite:
                _sqlite_insert(driver, compiled.sql, parameters)
            else:
                _autocommit_insert(driver, compiled.sql, parameters)
        except dbapi.Error as error:
            invalidated = engine.dialect.is_disconnect(error, pooled, None)
            if invalidated:
                pooled.invalidate(error)
            raise exc.DBAPIError.instance(
                compiled.sql, parameters, error, dbapi.Error,
                connection_invalidated=invalidated, dialect=engine.dialect,
            ) from error
        finally:
            pooled.close()


def _sqlite_insert(driver: Any, sql: str, parameters: Any) -> None:
    """BEGIN IMMEDIATE, INSERT, COMMIT (pysqlite's own transactions are off: engine.py)."""
    driver.execute("BEGIN IMMEDIATE")
    try:
        driver.execute(sql, parameters)
        driver.execute("COMMIT")
    except BaseException:
        if driver.in_transaction:
            driver.execute("ROLLBACK")
        raise


def _autocommit_insert(driver: Any, sql: str, parameters: Any) -> None:
    """One autocommitted statement, then the connection as the pool expects it."""
    driver.autocommit = True
    try:
        driver.execute(sql, parameters)
    finally:
        driver.autocommit = False


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything we store is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)
