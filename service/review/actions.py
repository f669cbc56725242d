"""What the action forms send, turned into a status and reason, and how to answer them."""

from __future__ import annotations

from typing import Any

from flask import Response, flash, redirect, request
from werkzeug.wrappers import Response as BaseResponse

from domain.review.context import conflict_messages
from domain.review.decisions import REASONS, Outcome
from domain.vocabulary import Status
from service.context import current_runtime
from service.errors import prefers_json
from service.responses import json_response
from service.review.auth import safe_next

# The buttons of a row: approve, reject (with the chosen reason) and mark as spam.
ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.REJECTED}
PAST = {Status.APPROVED: "Approved", Status.REJECTED: "Rejected", Status.FLAGGED: "Flagged"}


def requested_action() -> tuple[Status, str | None] | None:
    """The status and reason a form asks for, or None if it asks for something unknown."""
    action = request.form.get("action", "")
    if action not in ACTIONS:
        return None
    if action == "spam":
        return Status.REJECTED, "spam"
    if action == "approve":
        return Status.APPROVED, None
    reason = request.form.get("reason") or None
    return Status.REJECTED, reason if reason in REASONS else None


def back() -> BaseResponse:
    """Redirect to where the form came from, with the same filters."""
    return redirect(safe_next(request.form.get("next")), 303)


def answer(
    outcome: Outcome, what: str, extra: dict[str, Any] | None = None
) -> Response | BaseResponse:
    """Report an action's outcome: JSON to the script, a message and a redirect to a browser."""
    done = len(outcome.decisions)
    messages = conflict_messages(current_runtime().store, outcome.conflicts)
    if prefers_json():  # the keyboard script, not a plain form post
        status = 409 if outcome.conflicts and not done else 200
        return json_response(
            {
                "decisions": [
                    {"id": d.id, "comment_id": d.comment_id, "status": d.new_status.value}
                    for d in outcome.decisions
                ],
                "conflicts": {cid: st.value for cid, st in outcome.conflicts.items()},
                "messages": messages,
                "missing": outcome.missing,
                **(extra or {}),
            },
            status,
        )
    if done:
        noun = "comment" if done == 1 else "comments"
        flash(f"{what} {done} {noun}.", "success")
    for text in list(messages.values())[:3]:  # who decided it, so nobody wonders
        flash(text, "warning")
    if outcome.conflicts:
        flash(
            f"{len(outcome.conflicts)} comment(s) changed while you looked and were left as "
            "they are now; review them again.",
            "warning",
        )
    if outcome.missing:
        flash(
            f"{len(outcome.missing)} comment(s) no longer exist or are not yours to see.", "warning"
        )
    if not outcome.published:
        flash("Sites will receive this shortly (the results channel is catching up).", "info")
    return back()
