"""Every decision on one comment: the model's, rules' and moderators'."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from domain.review.context import CLAIM_SECONDS
from service.context import current_runtime
from service.review.auth import login_required, user

blueprint = Blueprint("review_history", __name__)


@blueprint.get("/review/comments/<comment_id>/history")
@login_required
def show(comment_id: str) -> str:
    """A comment with its decision history, oldest first."""
    runtime = current_runtime()
    found = runtime.store.moderation.comments([comment_id[:64]], user().site_slugs)
    if not found:
        abort(404)
    # Opening a comment holds it, as selecting it on the queue does (the no-script path).
    runtime.store.claims.claim(found[0].id, user().id, CLAIM_SECONDS)
    return render_template(
        "review/history.html",
        comment=found[0],
        decisions=runtime.store.comments.history(found[0].id),
    )
