"""`moderation authors ...`: an author's data on a site, exported or erased (GDPR)."""

from __future__ import annotations

import click
import orjson

from cli.context import load_settings, named_site, open_store
from domain.newsroom.authors import BATCH_SIZE, erase_author, export_author, resume_erasures
from domain.store import Store


def _store() -> Store:
    """The migrated store (every command upgrades the schema first)."""
    return open_store(load_settings())


@click.group()
def authors() -> None:
    """Export or erase everything stored about an author (by email) on a site."""


@authors.command("export")
@click.argument("site")
@click.argument("email")
def export(site: str, email: str) -> None:
    """Print every comment, decision, report, appeal and label of EMAIL on SITE as JSON."""
    store = _store()
    data = export_author(store, named_site(store, site), email)
    click.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


@authors.command("erase")
@click.argument("site")
@click.argument("email")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True, type=click.IntRange(1))
@click.option(
    "--pause-ms",
    default=0,
    show_default=True,
    type=click.IntRange(0),
    help="Pause between batches, to spare a busy database.",
)
def erase(site: str, email: str, batch_size: int, pause_ms: int) -> None:
    """Erase EMAIL's texts, names, emails and IPs on SITE; finish interrupted erasures first."""
    store = _store()
    target = named_site(store, site)
    for job in resume_erasures(store):
        click.echo(f"resumed erasure {job.id}: {job.comments_erased} comment(s) erased")
    job = erase_author(
        store,
        target,
        email,
        "cli",
        batch_size,
        pause_ms / 1000,
        progress=lambda n: click.echo(f"erased {n} comment(s) so far"),
    )
    click.echo(f"erasure {job.id} done: {job.comments_erased} comment(s) erased")


@authors.command("resume")
def resume() -> None:
    """Finish erasures an interrupted process left running (beat does this too)."""
    for job in resume_erasures(_store()):
        click.echo(f"resumed erasure {job.id}: {job.comments_erased} comment(s) erased")
