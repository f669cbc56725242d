"""`moderation rules ...`: a site's word, phrase, regex, email-domain and IP rules."""

from __future__ import annotations

from pathlib import Path

import click

from cli.context import load_settings, named_site, open_store
from domain.policies.rules import Action, Kind, RuleError, RuleSet, clean_rule, parse_csv


@click.group()
def rules() -> None:
    """Reject, flag or allow comments by words, phrases, patterns, email domains or IPs."""


@rules.command("add")
@click.argument("site")
@click.option("--action", required=True, type=click.Choice([a.value for a in Action]))
@click.option("--pattern", required=True, help="The word, phrase, regex, domain or IP range.")
@click.option(
    "--kind", default=Kind.WORD.value, show_default=True, type=click.Choice([k.value for k in Kind])
)
@click.option("--note", default=None, help="Why the rule exists (shown to moderators).")
def add(site: str, action: str, pattern: str, kind: str, note: str | None) -> None:
    """Add a rule to SITE; prints its id (verdicts it makes carry reason rule:<id>)."""
    store = open_store(load_settings())
    target = named_site(store, site)
    try:
        cleaned = clean_rule(kind, action, pattern)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    [rule] = store.rules.add(target.id, [(*cleaned, note)], "cli")
    click.echo(f"added {rule.describe()}")
    click.echo(rule.id)


@rules.command("list")
@click.argument("site")
def list_rules(site: str) -> None:
    """Every rule of SITE: id, action, kind, pattern, note."""
    store = open_store(load_settings())
    for rule in store.rules.for_site(named_site(store, site).id):
        click.echo(
            f"{rule.id}\t{rule.action.value}\t{rule.kind.value}\t{rule.pattern}\t{rule.note or ''}"
        )


@rules.command("remove")
@click.argument("site")
@click.argument("rule_id", type=int)
def remove(site: str, rule_id: int) -> None:
    """Remove rule RULE_ID of SITE."""
    store = open_store(load_settings())
    if not store.rules.remove(named_site(store, site).id, rule_id):
        raise click.ClickException(f"no rule {rule_id} on {site}")
    click.echo(f"removed rule {rule_id}")


@rules.command("import")
@click.argument("site")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--action",
    default=Action.REJECT.value,
    show_default=True,
    type=click.Choice([a.value for a in Action]),
    help="For lines that name no action (a plain word list).",
)
def import_rules(site: str, file: Path, action: str) -> None:
    """Add rules from a CSV (header pattern[,kind,action,note]) or a plain list, one a line.

    Nothing is added when any line is unusable: each such line is named with its reason.
    """
    store = open_store(load_settings())
    target = named_site(store, site)
    rows = parse_csv(file.read_text(encoding="utf-8", errors="replace"), action)
    bad = [row for row in rows if row.error]
    for row in bad:
        click.echo(f"line {row.line}: {row.pattern!r}: {row.error}", err=True)
    if bad:
        raise click.ClickException(f"{len(bad)} unusable line(s); nothing imported")
    added = store.rules.add(
        target.id, [(Kind(r.kind), Action(r.action), r.pattern, r.note) for r in rows], "cli"
    )
    click.echo(f"imported {len(added)} rule(s) into {site}")


@rules.command("test")
@click.argument("site")
@click.argument("text")
@click.option("--email", default=None, help="The author's email, for email_domain rules.")
@click.option("--ip", default=None, help="The author's IP, for ip rules.")
def test(site: str, text: str, email: str | None, ip: str | None) -> None:
    """Show which of SITE's rules TEXT matches, and where (exit 1 when none does)."""
    store = open_store(load_settings())
    matches = RuleSet(store.rules.for_site(named_site(store, site).id)).match(text, email, ip)
    for match in matches:
        where = ", ".join(repr(text[b:e]) for b, e in match.spans)
        click.echo(
            f"{match.rule.reason}\t{match.rule.describe()}" + (f"  at {where}" * bool(where))
        )
    if not matches:
        click.echo("no rule matches")
        raise SystemExit(1)
