"""The storage layer: one Store owning all SQL, shared by the service and the workers."""

from __future__ import annotations

from sqlalchemy import Connection, insert, inspect, select, text, update

from domain.store.base import Database
from domain.store.comments import CommentRepository, ScoredVerdict
from domain.store.engine import DEFAULT_BUSY_TIMEOUT_MS, make_engine
from domain.store.integrations import WebhookRepository
from domain.store.labels import Label, LabelRepository
from domain.store.reports import ReportRepository
from domain.store.review_queue import ModerationRepository
from domain.store.sessions import SessionRepository
from domain.store.sites import SiteError, SiteRepository
from domain.store.tables import SCHEMA_VERSION, metadata, schema_info
from domain.store.users import UserError, UserRepository

__all__ = ["Label", "ScoredVerdict", "SiteError", "Store", "UserError"]


class Store:
    """The database, reached through one repository per kind of record."""

    def __init__(self, database_url: str, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> None:
        self.db = Database(make_engine(database_url, busy_timeout_ms))
        self.sites = SiteRepository(self.db)
        self.comments = CommentRepository(self.db)
        self.users = UserRepository(self.db)
        self.sessions = SessionRepository(self.db)
        self.labels = LabelRepository(self.db)
        self.moderation = ModerationRepository(self.db)
        self.reports = ReportRepository(self.db)
        self.webhooks = WebhookRepository(self.db)

    def migrate(self) -> None:
        """Create or upgrade the schema; safe to call from every process on every start."""
        with self.db.write() as connection:
            if not self.db.is_sqlite:
                # Processes starting together must not race to create the same tables.
                connection.execute(text("SELECT pg_advisory_xact_lock(72616161)"))
            existing = set(inspect(connection).get_table_names())
            metadata.create_all(connection, checkfirst=True)
            if "schema_info" not in existing:
                connection.execute(insert(schema_info).values(id=1, version=SCHEMA_VERSION))
            else:
                _add_missing_columns(connection)
                _add_missing_indexes(connection)
                connection.execute(
                    update(schema_info)
                    .where(schema_info.c.version < SCHEMA_VERSION)
                    .values(version=SCHEMA_VERSION)
                )

    def schema_version(self) -> int:
        """The schema version recorded in the database."""
        with self.db.read() as connection:
            return int(connection.execute(select(schema_info.c.version)).scalar_one())

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.db.read() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections (after a fork, or at shutdown)."""
        self.db.engine.dispose()


def _add_missing_columns(connection: Connection) -> None:
    """Add the nullable columns an older database lacks (new ones only ever come nullable)."""
    inspector = inspect(connection)
    preparer = connection.dialect.identifier_preparer
    for table in metadata.sorted_tables:
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present or not column.nullable:
                continue
            column_type = column.type.compile(dialect=connection.dialect)
            connection.execute(
                text(
                    f"ALTER TABLE {preparer.format_table(table)} "
                    f"ADD COLUMN {preparer.format_column(column)} {column_type}"
                )
            )


def _add_missing_indexes(connection: Connection) -> None:
    """Create the indexes an older database lacks (create_all skips existing tables)."""
    inspector = inspect(connection)
    for table in metadata.sorted_tables:
        present = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in present:
                index.create(connection)
