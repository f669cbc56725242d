"""`moderation sites ...`: register publishing sites and manage their keys."""

from __future__ import annotations

import click

from cli.context import load_settings, open_store
from domain.store import SiteError


@click.group()
def sites() -> None:
    """Manage publishing sites."""


@sites.command("create")
@click.argument("name")
@click.option("--display-name", default=None, help="A human-readable name.")
def create(name: str, display_name: str | None) -> None:
    """Register site NAME (a slug, as in the stream key); prints its API key on the last line."""
    store = open_store(load_settings())
    try:
        site, key = store.sites.create(name, display_name)
    except SiteError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created site {site.slug!r}. Results stream: moderation:results:{site.slug}")
    click.echo("Its API key follows; it is shown only now (we store a hash):")
    click.echo(key)


@sites.command("list")
def list_sites() -> None:
    """List sites with the first characters of their keys."""
    store = open_store(load_settings())
    for site in store.sites.all():
        click.echo(f"{site.slug}\t{site.name}\t{site.api_key_prefix}…\t{site.created_at:%Y-%m-%d}")


@sites.command("rotate-key")
@click.argument("name")
def rotate_key(name: str) -> None:
    """Give site NAME a new API key (the old one stops working); prints it on the last line."""
    store = open_store(load_settings())
    try:
        key = store.sites.rotate_key(name)
    except SiteError as error:
        raise click.ClickException(str(error)) from error
    click.echo(key)
