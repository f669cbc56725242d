"""`moderation users ...`: moderator and admin accounts."""

from __future__ import annotations

import sys

import click

from cli.context import load_settings, open_store
from domain.store import UserError
from domain.vocabulary import Role


@click.group()
def users() -> None:
    """Manage moderators and admins."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), default="moderator")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--site", "site_slugs", multiple=True, help="Limit to this site (repeatable).")
def create(email: str, role: str, password_stdin: bool, site_slugs: tuple[str, ...]) -> None:
    """Create a user; prints the personal API token on the last line."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    store = open_store(load_settings())
    for slug in site_slugs:
        if store.sites.by_slug(slug) is None:
            raise click.ClickException(f"no site named {slug!r}")
    try:
        user, token = store.users.create(email, password, Role(role), list(site_slugs) or None)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    scope = ", ".join(user.site_slugs) if user.site_slugs else "every site"
    click.echo(f"Created {user.role.value} {user.email} ({scope}). Personal API token:")
    click.echo(token)


@users.command("list")
def list_users() -> None:
    """List users with their roles and sites."""
    store = open_store(load_settings())
    for user in store.users.all():
        scope = ",".join(user.site_slugs) if user.site_slugs else "*"
        click.echo(f"{user.email}\t{user.role.value}\t{scope}")
