"""`moderation db ...`: the schema's migrations (every other command also upgrades on first use)."""

from __future__ import annotations

import click

from cli.context import load_settings
from domain.store import Store, migrations


@click.group("db")
def db() -> None:
    """Show or upgrade the database schema."""


@db.command("current")
def current() -> None:
    """Print the schema's revision and whether it is the latest this release knows."""
    store = _unmigrated_store()
    revision, head = store.schema_version(), migrations.head_revision()
    state = "head" if revision == head else f"behind; head is {head}"
    click.echo(f"{revision or 'none'} ({state})")


@db.command("upgrade")
def upgrade() -> None:
    """Upgrade the schema to the latest revision, waiting for any process already at it."""
    store = _unmigrated_store()
    before = store.schema_version()
    store.migrate()
    after = store.schema_version()
    click.echo(
        f"already at {after}" if before == after else f"upgraded {before or 'none'} -> {after}"
    )


@db.command("revision")
@click.argument("message")
def revision(message: str) -> None:
    """For developers: write the migration from the latest revision to tables.py."""
    path = migrations.new_revision(message)
    click.echo(f"wrote {path}: read it, fix what autogenerate cannot know, commit it")


def _unmigrated_store() -> Store:
    """The database as it is: these commands report on the schema before changing it."""
    settings = load_settings()
    return Store(settings.effective_database_url, settings.database_busy_timeout_ms)
