"""The storage layer: one Store owning all SQL, shared by the service and the workers."""

from __future__ import annotations

from sqlalchemy import text

from classifier.version_store import LANGUAGE_MODELS
from domain.store import migrations
from domain.store.accounts.integrations import WebhookRepository
from domain.store.accounts.sessions import SessionRepository
from domain.store.accounts.sites import SiteError, SiteRepository
from domain.store.accounts.users import UserError, UserRepository
from domain.store.base import Database
from domain.store.comments import CommentRepository, ScoredVerdict
from domain.store.engine import DEFAULT_BUSY_TIMEOUT_MS, DEFAULT_POOL_SIZE, make_engine
from domain.store.labels import Label, LabelRepository
from domain.store.model_versions import ModelVersionRepository
from domain.store.newsroom import AppealRepository, AuthorDataRepository, ReaderReportRepository
from domain.store.policies import AlertRepository, HistoryRepository, RuleRepository
from domain.store.review.claims import ClaimRepository
from domain.store.review.context import ContextRepository
from domain.store.review.desk import DeskRepository
from domain.store.review.reports import ReportRepository
from domain.store.review.review_queue import ModerationRepository

__all__ = ["Label", "ScoredVerdict", "SiteError", "Store", "UserError"]


class Store:
    """The database, reached through one repository per kind of record."""

    def __init__(
        self,
        database_url: str,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        pool_size: int = DEFAULT_POOL_SIZE,
    ) -> None:
        self.db = Database(make_engine(database_url, busy_timeout_ms, pool_size))
        self.sites = SiteRepository(self.db)
        self.comments = CommentRepository(self.db)
        self.users = UserRepository(self.db)
        self.sessions = SessionRepository(self.db)
        self.labels = LabelRepository(self.db)
        self.moderation = ModerationRepository(self.db)
        self.reports = ReportRepository(self.db)
        self.webhooks = WebhookRepository(self.db)
        self.reader_reports = ReaderReportRepository(self.db)
        self.appeals = AppealRepository(self.db)
        self.authors = AuthorDataRepository(self.db)
        self.context = ContextRepository(self.db)
        self.claims = ClaimRepository(self.db)
        self.desk = DeskRepository(self.db)
        self.rules = RuleRepository(self.db)
        self.history = HistoryRepository(self.db)
        self.alerts = AlertRepository(self.db)
        self.model_versions = ModelVersionRepository(self.db)  # the English model's
        self.language_versions = ModelVersionRepository(self.db, LANGUAGE_MODELS)

    def migrate(self) -> None:
        """Bring the schema to the latest migration; every process calls this on first use."""
        if self.schema_version() != migrations.head_revision():
            migrations.upgrade(self.db)

    def schema_version(self) -> str | None:
        """The Alembic revision the database is at (None before the first migrate)."""
        with self.db.read() as connection:
            return migrations.current_revision(connection)

    def ping(self) -> None:
        """Raise if the database does not answer."""
        with self.db.read() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections (after a fork, or at shutdown)."""
        self.db.engine.dispose()
