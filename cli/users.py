"""`moderation users ...`: moderator and admin accounts."""

from __future__ import annotations

import sys

import click

from cli.context import load_settings, named_site, open_store
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
        named_site(store, slug)
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


def _user_id(email: str) -> int:
    """The id of the user with this email, or a clear error."""
    store = open_store(load_settings())
    found = [u for u in store.users.all() if u.email == email.strip().lower()]
    if not found:
        raise click.ClickException(f"no user with email {email!r}")
    return found[0].id


@users.command("password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password(email: str, password_stdin: bool) -> None:
    """Give a user a new password; every session they had ends."""
    user_id = _user_id(email)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    try:
        open_store(load_settings()).users.set_password(user_id, password)
    except UserError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"New password set for {email}; their sessions are ended.")


@users.command("logout")
@click.argument("email")
def logout_everywhere(email: str) -> None:
    """End every log-in session of a user (their personal API token keeps working)."""
    ended = open_store(load_settings()).sessions.end_all(_user_id(email))
    click.echo(f"Ended {ended} session(s) of {email}.")
