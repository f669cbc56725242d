"""What every command needs first: settings and a migrated store."""

from __future__ import annotations

from config import Settings
from domain.store import Store


def load_settings() -> Settings:
    """Settings from the environment, with the data folder created."""
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def open_store(settings: Settings) -> Store:
    """The database, with its schema created or upgraded (every command does this first)."""
    store = Store(settings.effective_database_url, settings.database_busy_timeout_ms)
    store.migrate()
    return store
