"""The queue: flagged comments oldest first (or in another order), filters, and the
approve/reject/undo/bulk forms."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, flash, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from domain import review
from domain.review.context import row_context
from domain.review.decisions import Conflict, NotFound, Outcome
from domain.review.informative import POOL
from domain.vocabulary import Status
from service.context import current_runtime
from service.review.actions import PAST, answer, back, requested_action
from service.review.auth import login_required, user
from service.review.filters import queue_filter

blueprint = Blueprint("review_queue", __name__)


@blueprint.app_template_global()
def url_with(**changes: Any) -> str:
    """The current page's URL with some query arguments changed (None removes one)."""
    args = {k: v for k, v in request.args.items() if v != ""}
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = str(value)
    return request.path + ("?" + urlencode(args) if args else "")


def _current_path() -> str:
    """Where an action form should send the moderator back to."""
    return request.full_path.rstrip("?")


@blueprint.get("/review")
@login_required
def index() -> str:
    """The queue, filtered, sorted and paged as asked."""
    runtime = current_runtime()
    me = user()
    wanted, errors = queue_filter(request.args)
    site_ids = runtime.store.moderation.site_ids(me.site_slugs)
    thresholds = review.visible_thresholds(runtime.store, runtime.models, site_ids)
    uncertain = wanted.sort in ("uncertainty", "informative")
    lines = review.lines_of(thresholds, site_ids) if uncertain else {}
    ranking = (
        review.informative_ranking(runtime.store, runtime.models, runtime.rankings, site_ids)
        if wanted.sort == "informative"
        else None
    )
    page = runtime.store.moderation.queue(
        wanted, me.site_slugs, lines, ranking.ids if ranking else ()
    )
    shown = [c.id for c in page.comments]
    return render_template(
        "review/queue.html",
        page=page,
        reports=runtime.store.reader_reports.for_comments(shown),
        appeals=runtime.store.appeals.for_comments(shown),
        ctx=row_context(runtime.store, page.comments, wanted.status),
        sections=runtime.store.context.sections(me.site_slugs),
        wanted=wanted,
        errors=errors,
        sites=sorted(site_ids),
        thresholds=thresholds,
        ranking=ranking,
        pool=POOL,
        next=_current_path(),
    )


@blueprint.post("/review/comments/<comment_id>/decision")
@login_required
def decide(comment_id: str) -> Response | BaseResponse:
    """Approve, reject or mark one comment as spam, if it is still as the moderator saw it."""
    requested = requested_action()
    expected_text = request.form.get("expected", "")
    if requested is None or expected_text not in [s.value for s in Status]:
        abort(400, "Unknown action.")
    new_status, reason = requested
    runtime = current_runtime()
    try:
        decision = review.moderate(
            runtime.store,
            runtime.publishing,
            user(),
            comment_id[:64],
            new_status,
            reason,
            Status(expected_text),
        )
    except NotFound:
        abort(404)
    except Conflict as conflict:
        outcome = Outcome(conflicts={conflict.comment_id: conflict.current})
        return answer(outcome, PAST[new_status])
    return answer(Outcome(decisions=[decision] if decision else []), PAST[new_status])


@blueprint.post("/review/bulk")
@login_required
def bulk() -> Response | BaseResponse:
    """Approve or reject every selected comment in one transaction."""
    requested = requested_action()
    seen: list[tuple[str, Status]] = []
    for value in request.form.getlist("selected")[:500]:
        comment_id, _, status = value.partition(":")
        if status in [s.value for s in Status]:
            seen.append((comment_id[:64], Status(status)))
    if requested is None:
        abort(400, "Unknown action.")
    if not seen:
        flash("Select comments first (tick their boxes, or press x on a row).", "warning")
        return back()
    new_status, reason = requested
    runtime = current_runtime()
    outcome = review.moderate_many(
        runtime.store, runtime.publishing, user(), seen, new_status, reason
    )
    return answer(outcome, PAST[new_status])


@blueprint.post("/review/undo")
@login_required
def undo() -> Response | BaseResponse:
    """Undo the moderator's latest action (a whole bulk action at once)."""
    runtime = current_runtime()
    outcome = review.undo_last(runtime.store, runtime.publishing, user())
    if not outcome.decisions and not outcome.conflicts:
        flash("Nothing to undo.", "info")
        return back()
    return answer(outcome, "Restored")
