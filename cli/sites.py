"""`moderation sites ...`: register publishing sites and manage their keys."""

from __future__ import annotations

import click
import orjson

from cli.context import load_settings, named_site, open_store
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


@sites.command("webhook")
@click.argument("name")
@click.argument("url", required=False)
@click.option("--secret", default=None, help="Signing secret for X-Moderation-Signature.")
def webhook(name: str, url: str | None, secret: str | None) -> None:
    """POST site NAME's results to URL too, signed with --secret; without URL, stop."""
    if url is not None and not url.startswith(("http://", "https://")):
        raise click.ClickException("URL must start with http:// or https://")
    store = open_store(load_settings())
    try:
        # Kept as given: it signs what we send, so it is the receiver's secret, not a credential.
        store.webhooks.set_webhook(name, url, secret if url else None)
    except SiteError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Webhook for {name!r}: {url or 'off'}{' (signed)' if url and secret else ''}")


@sites.command("coral-secret")
@click.argument("name")
@click.argument("secrets", nargs=-1)
def coral_secret(name: str, secrets: tuple[str, ...]) -> None:
    """Accept Coral Talk requests for site NAME signed with SECRETS (none: refuse Coral)."""
    store = open_store(load_settings())
    try:
        store.webhooks.set_coral_secrets(name, list(secrets))
    except SiteError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Coral external moderation URL: /coral/external-moderation?site={name} "
        f"({len(secrets)} signing secret(s))"
    )


@sites.command("blogs")
@click.argument("name")
@click.argument("urls", nargs=-1)
def blogs(name: str, urls: tuple[str, ...]) -> None:
    """Accept Akismet calls for site NAME only from these `blog` URLs (none: any blog)."""
    store = open_store(load_settings())
    site = named_site(store, name)
    store.sites.set_policy(name, {**site.policy, "blogs": list(urls)})
    click.echo(f"Akismet blogs for {name!r}: {', '.join(urls) or 'any'}")


@sites.command("redis-acl")
@click.argument("name")
@click.option("--apply", "apply_now", is_flag=True, help="Create the user in REDIS_URL's Redis.")
def redis_acl(name: str, apply_now: bool) -> None:
    """Print (or apply) a Redis ACL user that may read only site NAME's results."""
    import secrets

    from domain.infra.redis_keys import site_reader_acl
    from domain.infra.redis_url import redis_client, resolve_redis_url

    settings = load_settings()
    named_site(open_store(settings), name)
    user, password = f"site-{name}", secrets.token_urlsafe(24)
    rules = ["reset", "on", f">{password}", *site_reader_acl(name)]
    if apply_now:
        redis_client(resolve_redis_url(settings)).execute_command(  # type: ignore[no-untyped-call]
            "ACL", "SETUSER", user, *rules
        )
        click.echo(f"Created Redis user {user!r}; give the site this password (shown once):")
        click.echo(password)
        return
    click.echo("ACL SETUSER " + " ".join([user, *rules]))


@sites.command("policy")
@click.argument("name")
@click.option("--set", "assignments", multiple=True, metavar="KEY=JSON",
              help='Set a policy key, e.g. --set premoderation=\'"new_authors"\' (repeatable).')
@click.option("--unset", "removals", multiple=True, metavar="KEY", help="Remove a policy key.")
def policy(name: str, assignments: tuple[str, ...], removals: tuple[str, ...]) -> None:
    """Show a site's policy (JSON), after setting or removing keys (README "Site policy")."""
    store = open_store(load_settings())
    site = named_site(store, name)
    changed = dict(site.policy)
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        if not sep or not key.strip():
            raise click.ClickException(f"--set needs KEY=JSON, got {assignment!r}")
        try:
            changed[key.strip()] = orjson.loads(raw)
        except orjson.JSONDecodeError:
            changed[key.strip()] = raw  # a bare word: the string itself
    for key in removals:
        changed.pop(key, None)
    if assignments or removals:
        store.sites.set_policy(name, changed)
    click.echo(orjson.dumps(changed, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS).decode())
