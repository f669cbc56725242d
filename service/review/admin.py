"""Admin pages: sites (create, rotate key), their thresholds, and users (create, sites, active)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from domain.review.decisions import site_thresholds
from domain.store import SiteError, UserError
from domain.vocabulary import AXES, Role
from service.context import current_runtime
from service.review.auth import admin_required, user

blueprint = Blueprint("review_admin", __name__)
LINES = ("flag", "reject")


def _secret(title: str, what: str, secret: str, back_to: str) -> tuple[str, int, dict[str, str]]:
    """Show a new key or token once; never cached, never put in the session."""
    page = render_template(
        "review/secret.html", title=title, what=what, secret=secret, back=back_to
    )
    return page, 200, {"Cache-Control": "no-store"}


@blueprint.get("/review/admin/sites")
@admin_required
def sites() -> str:
    """Every site with its key prefix and thresholds."""
    runtime = current_runtime()
    all_sites = runtime.store.sites.all()
    thresholds = {site.slug: site_thresholds(runtime.models, site) for site in all_sites}
    return render_template("review/admin_sites.html", sites=all_sites, thresholds=thresholds)


@blueprint.post("/review/admin/sites")
@admin_required
def create_site() -> Any:
    """Register a site and show its API key once."""
    slug = request.form.get("slug", "").strip()
    try:
        site, key = current_runtime().store.sites.create(slug, request.form.get("name") or None)
    except SiteError as error:
        flash(str(error), "error")
        return redirect(url_for(".sites"), 303)
    return _secret(f"Site {site.slug} created", "API key", key, url_for(".sites"))


@blueprint.post("/review/admin/sites/<slug>/rotate")
@admin_required
def rotate_key(slug: str) -> Any:
    """Give a site a new key; the old one stops working at once."""
    try:
        key = current_runtime().store.sites.rotate_key(slug)
    except SiteError:
        abort(404)
    return _secret(f"New key for {slug}", "API key", key, url_for(".sites"))


@blueprint.route("/review/admin/sites/<slug>/policy", methods=["GET", "POST"])
@admin_required
def policy(slug: str) -> Any:
    """A site's flag and reject thresholds per axis."""
    runtime = current_runtime()
    store = runtime.store
    site = store.sites.by_slug(slug)
    if site is None:
        abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        values: dict[str, dict[str, float]] = {}
        for axis in AXES:
            values[axis] = {}
            for line in LINES:
                name = f"{axis}_{line}"
                try:
                    value = float(request.form.get(name, ""))
                except ValueError:
                    value = -1.0
                if not 0.0 <= value <= 1.0:
                    errors[name] = "Use a number between 0 and 1"
                values[axis][line] = value
            if not errors and values[axis]["flag"] > values[axis]["reject"]:
                errors[f"{axis}_flag"] = "The flag line must not be above the reject line"
        if not errors:
            store.sites.set_policy(slug, {**site.policy, "thresholds": values})
            flash(f"Thresholds of {slug} saved; new comments use them at once.", "success")
            return redirect(url_for(".sites"), 303)
    thresholds = site_thresholds(runtime.models, site)
    return render_template(
        "review/admin_policy.html", site=site, thresholds=thresholds, errors=errors, axes=AXES
    ), 422 if errors else 200


@blueprint.get("/review/admin/users")
@admin_required
def users() -> str:
    """Every user with role, sites and state."""
    store = current_runtime().store
    return render_template(
        "review/admin_users.html",
        users=store.users.all(),
        sites=[s.slug for s in store.sites.all()],
        roles=[r.value for r in Role],
    )


def _site_choice() -> list[str] | None:
    """The sites ticked in a user form; ticked sites win over 'every site' (least privilege),
    and nothing ticked means every site. A name we do not know is refused, never dropped:
    dropping it could leave nothing ticked, which means every site."""
    known = {s.slug for s in current_runtime().store.sites.all()}
    chosen = request.form.getlist("sites")
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise UserError(f"no site named {', '.join(unknown)[:200]}")
    return chosen or None


@blueprint.post("/review/admin/users")
@admin_required
def create_user() -> Any:
    """Create a moderator or admin and show their personal API token once."""
    role = request.form.get("role", "moderator")
    if role not in [r.value for r in Role]:
        abort(400)
    try:
        created, token = current_runtime().store.users.create(
            request.form.get("email", "").strip()[:254],
            request.form.get("password", ""),
            Role(role),
            _site_choice(),
        )
    except UserError as error:
        flash(str(error), "error")
        return redirect(url_for(".users"), 303)
    return _secret(f"{created.email} created", "personal API token", token, url_for(".users"))


@blueprint.post("/review/admin/users/<int:user_id>/sites")
@admin_required
def set_sites(user_id: int) -> BaseResponse:
    """Limit a user to some sites, or let them see every site."""
    store = current_runtime().store
    if store.users.by_id(user_id) is None:
        abort(404)
    try:
        store.users.set_sites(user_id, _site_choice())
    except UserError as error:
        flash(str(error), "error")
    else:
        flash("Sites saved.", "success")
    return redirect(url_for(".users"), 303)


@blueprint.post("/review/admin/users/<int:user_id>/active")
@admin_required
def set_active(user_id: int) -> BaseResponse:
    """Deactivate (or reactivate) a user; a deactivated user is logged out at once."""
    store = current_runtime().store
    if store.users.by_id(user_id) is None:
        abort(404)
    active = request.form.get("active") == "1"
    if user_id == user().id and not active:
        flash("You cannot deactivate yourself.", "error")
    else:
        store.users.set_active(user_id, active)
        flash("User " + ("reactivated." if active else "deactivated."), "success")
    return redirect(url_for(".users"), 303)
