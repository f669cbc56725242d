"""What every command needs first: settings, a migrated store, the site it names."""

from __future__ import annotations

import click

from config import Settings
from domain.records import Site
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


def named_site(store: Store, slug: str) -> Site:
    """The site named on the command line, or the command fails saying there is none."""
    site = store.sites.by_slug(slug)
    if site is None:
        raise click.ClickException(f"no site named {slug!r}")
    return site
