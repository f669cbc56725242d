"""Schema migrations with Alembic: every process brings the database to the latest revision."""

from __future__ import annotations

import fcntl
import importlib.util
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, text

from domain.store.base import Database
from domain.store.engine import WRITE_INTENT, make_engine
from domain.store.migrations import legacy

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parent
# Any number works, as long as every process takes the same one.
_POSTGRES_LOCK_KEY = 72616161


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's settings, built in code: nothing outside this package is needed to migrate."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The latest revision shipped with this release."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision a database is at (None when new, or made before Alembic)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(db: Database) -> None:
    """Bring the schema to head; processes starting together wait for the first one's work."""
    with _locked_transaction(db) as connection:
        if legacy.is_pre_alembic(connection):
            legacy.adopt(connection)
            command.stamp(alembic_config(connection), legacy.BASELINE)
        before = current_revision(connection)
        command.upgrade(alembic_config(connection), "head")
        if before != head_revision():
            log.info("database schema upgraded from %s to %s", before or "nothing", head_revision())


def new_revision(message: str) -> Path:
    """Write the migration from the latest revision to tables.py (for developers; review it)."""
    with tempfile.TemporaryDirectory() as folder:
        db = Database(make_engine(f"sqlite:///{folder}/head.db"))
        upgrade(db)
        with db.write() as connection:
            script = command.revision(
                _with_formatter(alembic_config(connection)),
                message,
                autogenerate=True,
                rev_id=f"{int(head_revision()) + 1:04d}",
            )
        db.engine.dispose()
    if not isinstance(script, Script) or script.path is None:
        raise RuntimeError("Alembic wrote no revision")
    return Path(script.path)


def _with_formatter(config: Config) -> Config:
    """Format the new file with ruff when it is installed (it is in the test extra)."""
    if importlib.util.find_spec("ruff") is not None:
        config.set_section_option("post_write_hooks", "hooks", "ruff")
        config.set_section_option("post_write_hooks", "ruff.type", "module")
        config.set_section_option("post_write_hooks", "ruff.module", "ruff")
        config.set_section_option(
            "post_write_hooks", "ruff.options", "format REVISION_SCRIPT_FILENAME"
        )
    return config


@contextmanager
def _locked_transaction(db: Database) -> Iterator[Connection]:
    """One write transaction that a single process at a time may hold to migrate in."""
    if not db.is_sqlite:
        with db.write() as connection:
            # Released at commit; whoever waited then finds the schema at head.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _POSTGRES_LOCK_KEY}
            )
            yield connection
        return
    with _file_lock(db.engine.url.database), _sqlite_transaction(db) as connection:
        yield connection


@contextmanager
def _file_lock(database: str | None) -> Iterator[None]:
    """A lock beside the SQLite file: a long migration makes others wait, not time out."""
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield  # closing the file releases the lock


@contextmanager
def _sqlite_transaction(db: Database) -> Iterator[Connection]:
    """A write transaction with foreign keys off, as rebuilding a referenced table needs."""
    with db.engine.connect() as connection:
        # SQLite ignores this pragma inside a transaction, so it goes first, on the raw driver.
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys=OFF")
        connection.info[WRITE_INTENT] = True
        try:
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"a migration broke foreign keys: {broken[:5]}")
        finally:
            connection.info.pop(WRITE_INTENT, None)
            driver.execute("PRAGMA foreign_keys=ON")
