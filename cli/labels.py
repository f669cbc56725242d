"""`moderation labels ...`: bring labelled texts in for retraining."""

from __future__ import annotations

from pathlib import Path

import click

from classifier.label_files import parse_labels
from cli.context import load_settings, open_store
from domain.store import Label


@click.group()
def labels() -> None:
    """Manage training labels."""


@labels.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default="import", show_default=True, help="Recorded as the source.")
@click.option("--strict", is_flag=True, help="Import nothing if any row is bad.")
@click.option("--site", "site_slug", default=None,
              help="The site (slug) whose comments these are; recorded on every label.")
def import_labels(file: Path, source: str, strict: bool, site_slug: str | None) -> None:
    """Import FILE (CSV or JSON Lines with text,label: spam/ham/toxic/ok), row by row."""
    try:
        parsed = parse_labels(file)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    for line, problem in parsed.problems:
        click.echo(f"{file}:{line}: {problem}", err=True)
    if parsed.problems and strict:
        raise click.ClickException(f"{len(parsed.problems)} bad row(s); nothing imported")
    store = open_store(load_settings())
    site_id = None
    if site_slug is not None:
        site = store.sites.by_slug(site_slug)
        if site is None:
            raise click.ClickException(f"no site {site_slug!r} (moderation sites create NAME)")
        site_id = site.id
    added = store.labels.add_many(
        [Label(text, label, source, site_id=site_id) for text, label in parsed.rows])
    click.echo(f"Imported {added} label(s); skipped {len(parsed.problems)} bad row(s).")
    if parsed.problems and not added:
        raise SystemExit(1)
