"""What every command needs first: settings, a migrated store, the site it names."""

from __future__ import annotations

import click

from config import Settings
from domain.infra.redis_url import redis_client, resolve_redis_url
from domain.intake.site_keys import announce_site_change
from domain.records import Site
from domain.store import Store


def load_settings() -> Settings:
    """Settings from the environment, with the data folder created."""
    settings = Settings.from_env()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def open_store(settings: Settings) -> Store:
    """The database, with its schema created or upgraded (every command does this first).

    A command that changes a site (a rotated key, a policy) tells the web processes through
    Redis, so their key caches drop the old key at once (domain/intake/site_keys.py).
    """
    store = Store(settings.effective_database_url, settings.database_busy_timeout_ms)
    store.migrate()
    timeout = settings.redis_timeout_seconds
    store.sites.on_change(
        announce_site_change(
            lambda: redis_client(
                resolve_redis_url(settings),
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
            )
        )
    )
    return store


def named_site(store: Store, slug: str) -> Site:
    """The site named on the command line, or the command fails saying there is none."""
    site = store.sites.by_slug(slug)
    if site is None:
        raise click.ClickException(f"no site named {slug!r}")
    return site
