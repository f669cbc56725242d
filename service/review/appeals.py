"""The appeals queue's one action: a moderator upholds or reverses an author's appeal."""

from __future__ import annotations

from flask import Blueprint, abort, flash, request
from werkzeug.wrappers import Response as BaseResponse

from domain.newsroom.appeals import AppealRefused, decide_appeal
from service.context import current_runtime
from service.review.actions import back
from service.review.auth import login_required, user

blueprint = Blueprint("review_appeals", __name__)
OUTCOMES = {"uphold": False, "reverse": True}


@blueprint.post("/review/appeals/<int:appeal_id>/decision")
@login_required
def decide(appeal_id: int) -> BaseResponse:
    """Record the outcome; the author's site receives it as `event: appeal`."""
    outcome = request.form.get("outcome", "")
    if outcome not in OUTCOMES:
        abort(400, "Unknown outcome.")
    runtime = current_runtime()
    try:
        decide_appeal(
            runtime.store,
            runtime.publishing,
            user(),
            appeal_id,
            OUTCOMES[outcome],
            request.form.get("reason", ""),
        )
    except AppealRefused as refused:
        if refused.code == "not_found":
            abort(404)
        flash(str(refused), "warning")
        return back()
    flash(
        "Appeal upheld." if outcome == "uphold" else "Appeal reversed: comment approved.", "success"
    )
    return back()
