"""One author's comments on one site, with reject-all and block."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from domain import review
from domain.policies.reputation import ReputationPolicy, rejection_rate, standing
from domain.review import context as notes
from domain.review.decisions import REASONS, Invalid, NotFound, Outcome
from service.context import current_runtime
from service.review.actions import answer, back
from service.review.auth import login_required, user

blueprint = Blueprint("review_author", __name__)


def _author() -> tuple[str, str]:
    """The (site, email) a request is about; 404 for a site the moderator may not see."""
    source = request.form if request.method == "POST" else request.args
    site = (source.get("site") or "").strip()[:64]
    email = (source.get("email") or "").strip()[:254]
    if not site or not email or not user().may_see(site):
        abort(404)
    return site, email


@blueprint.get("/review/author")
@login_required
def show() -> str:
    """Every comment by an email on a site, newest first."""
    site_slug, email = _author()
    runtime = current_runtime()
    site = runtime.store.sites.by_slug(site_slug)
    if site is None:
        abort(404)
    comments = runtime.store.moderation.by_author(site_slug, email)
    lines = ReputationPolicy.of(site.policy)
    history = runtime.store.history.of_author(site.id, email, lines.window_days)
    return render_template(
        "review/author.html",
        site=site,
        email=email,
        comments=comments,
        blocked=runtime.store.moderation.is_blocked(site.id, email),
        record=runtime.store.context.author_records([(site.id, email)])[(site.id, email)],
        notes=runtime.store.context.notes(site.id, email),
        history=history,
        reputation={"standing": standing(history, lines).value, "lines": lines,
                    "rate": rejection_rate(history), "used": lines.enabled},
        next=request.full_path.rstrip("?"),
    )


@blueprint.post("/review/author/notes")
@login_required
def add_note() -> BaseResponse:
    """Add a note on the author, visible to every moderator of the site."""
    site, email = _author()
    try:
        notes.add_note(current_runtime().store, user(), site, email, request.form.get("note", ""))
    except NotFound:
        abort(404)
    except Invalid as error:
        flash("; ".join(sum(error.errors.values(), [])), "error")
        return back()
    flash("Note saved.", "success")
    return back()


@blueprint.post("/review/author/reject-all")
@login_required
def reject_all() -> Response | BaseResponse:
    """Reject every comment of this author on this site that is not rejected yet."""
    site, email = _author()
    reason = request.form.get("reason") or None
    runtime = current_runtime()
    try:
        outcome: Outcome = review.reject_all_by_author(
            runtime.store,
            runtime.publishing,
            user(),
            site,
            email,
            reason if reason in REASONS else None,
        )
    except NotFound:
        abort(404)
    if not outcome.decisions and not outcome.conflicts:
        flash("Nothing left to reject.", "info")
        return back()
    return answer(outcome, "Rejected")


@blueprint.post("/review/author/block")
@login_required
def block() -> BaseResponse:
    """Block (or unblock) the author: their later comments are rejected by rule."""
    site, email = _author()
    store = current_runtime().store
    try:
        if request.form.get("unblock"):
            review.unblock_author(store, user(), site, email)
            flash(f"{email} is no longer blocked on {site}.", "success")
        else:
            review.block_author(store, user(), site, email)
            flash(f"{email} is blocked on {site}: new comments are rejected.", "success")
    except NotFound:
        abort(404)
    return back()
