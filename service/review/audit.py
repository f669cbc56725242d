"""The audit log for admins: every decision, searchable."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from service.context import current_runtime
from service.review.auth import admin_required, user
from service.review.filters import audit_filter

blueprint = Blueprint("review_audit", __name__)


@blueprint.get("/review/audit")
@admin_required
def show() -> str:
    """Decisions filtered by moderator, site, date, status and comment id, newest first."""
    runtime = current_runtime()
    wanted, errors = audit_filter(request.args)
    decisions, total = runtime.store.reports.audit(wanted, user().site_slugs)
    return render_template(
        "review/audit.html",
        decisions=decisions,
        total=total,
        wanted=wanted,
        errors=errors,
        pages=max(1, -(-total // wanted.per_page)),
        sites=[s.slug for s in runtime.store.sites.all() if user().may_see(s.slug)],
        moderators=[u.email for u in runtime.store.users.all()],
    )
