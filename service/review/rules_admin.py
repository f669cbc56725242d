"""Admin page of a site's rules: list, add, remove, import a CSV, and a box to test a text."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from domain.policies.rules import Action, Kind, RuleError, RuleSet, clean_rule, parse_csv
from domain.records import Site
from service.context import current_runtime
from service.review.auth import admin_required, user

blueprint = Blueprint("review_rules", __name__)
MAX_IMPORT_BYTES = 1 << 20
MAX_TEST_CHARS = 2000


def _site(slug: str) -> Site:
    """The site in the URL, or 404."""
    site = current_runtime().store.sites.by_slug(slug[:64])
    if site is None:
        abort(404)
    return site


def _page(site: Site, status: int = 200, **extra: Any) -> tuple[str, int]:
    """The rules page, with whatever a form left to show (errors, a test's result)."""
    rules = current_runtime().store.rules.for_site(site.id)
    return render_template(
        "review/admin_rules.html", site=site, rules=rules, kinds=[k.value for k in Kind],
        actions=[a.value for a in Action], **extra,
    ), status


@blueprint.get("/review/admin/sites/<slug>/rules")
@admin_required
def show(slug: str) -> tuple[str, int]:
    """Every rule of a site, the forms to add or import, and the test box."""
    return _page(_site(slug))


@blueprint.post("/review/admin/sites/<slug>/rules")
@admin_required
def add(slug: str) -> BaseResponse | tuple[str, int]:
    """Add one rule; a bad pattern is shown beside the form, never a 500."""
    site = _site(slug)
    form = request.form
    try:
        cleaned = clean_rule(form.get("kind", ""), form.get("action", ""), form.get("pattern", ""))
    except RuleError as error:
        return _page(site, 422, error=str(error))
    runtime = current_runtime()
    [rule] = runtime.store.rules.add(site.id, [(*cleaned, form.get("note") or None)], user().email)
    runtime.rulebook.forget()
    flash(f"Added {rule.describe()}; new comments meet it within seconds.", "success")
    return redirect(url_for(".show", slug=slug), 303)


@blueprint.post("/review/admin/sites/<slug>/rules/<int:rule_id>/remove")
@admin_required
def remove(slug: str, rule_id: int) -> BaseResponse:
    """Remove one rule."""
    site = _site(slug)
    if not current_runtime().store.rules.remove(site.id, rule_id):
        abort(404)
    current_runtime().rulebook.forget()
    flash(f"Rule {rule_id} removed.", "success")
    return redirect(url_for(".show", slug=slug), 303)


@blueprint.post("/review/admin/sites/<slug>/rules/import")
@admin_required
def import_csv(slug: str) -> BaseResponse | tuple[str, int]:
    """Add the rules of an uploaded CSV, all or none."""
    site = _site(slug)
    upload = request.files.get("file")
    raw = upload.read(MAX_IMPORT_BYTES + 1) if upload else b""
    if not raw or len(raw) > MAX_IMPORT_BYTES:
        return _page(site, 422, import_errors=["Choose a CSV file of at most 1 MB."])
    action = request.form.get("action") or Action.REJECT.value
    if action not in {a.value for a in Action}:
        action = Action.REJECT.value
    rows = parse_csv(raw.decode("utf-8", errors="replace"), action)
    bad = [f"line {r.line}: {r.pattern[:80]!r}: {r.error}" for r in rows if r.error]
    if bad or not rows:
        return _page(site, 422, import_errors=bad or ["The file holds no rules."])
    added = current_runtime().store.rules.add(
        site.id, [(Kind(r.kind), Action(r.action), r.pattern, r.note) for r in rows], user().email
    )
    current_runtime().rulebook.forget()
    flash(f"Imported {len(added)} rule(s).", "success")
    return redirect(url_for(".show", slug=slug), 303)


@blueprint.post("/review/admin/sites/<slug>/rules/test")
@admin_required
def test(slug: str) -> tuple[str, int]:
    """Show which rules a text (and an optional email and IP) would meet, and where."""
    site = _site(slug)
    text = (request.form.get("text") or "")[:MAX_TEST_CHARS]
    email = (request.form.get("email") or "").strip()[:254] or None
    ip = (request.form.get("ip") or "").strip()[:45] or None
    rules = RuleSet(current_runtime().store.rules.for_site(site.id))
    matches = rules.match(text, email, ip)
    spans = [{"begin": b, "end": e, "axis": "rule"} for m in matches for b, e in m.spans]
    return _page(site, tested={"text": text, "email": email or "", "ip": ip or "",
                               "matches": matches, "spans": spans})
