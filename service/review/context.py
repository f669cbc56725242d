"""Claiming a comment while reviewing it, and a story's whole thread."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from domain.review.context import claim, row_context
from service.context import current_runtime
from service.errors import prefers_json
from service.responses import json_response
from service.review.actions import back
from service.review.auth import login_required, user

blueprint = Blueprint("review_context", __name__)


@blueprint.post("/review/comments/<comment_id>/claim")
@login_required
def take(comment_id: str) -> Response | BaseResponse:
    """Hold a comment for a few minutes; answers who holds it (maybe someone else)."""
    me = user()
    holder = claim(current_runtime().store, me, comment_id[:64])
    if holder is None:
        abort(404)
    if not prefers_json():
        return back()
    return json_response(
        {
            "comment_id": holder.comment_id,
            "holder": holder.user_email,
            "mine": holder.user_id == me.id,
            "expires_at": holder.expires_at.isoformat(),
        }
    )


@blueprint.get("/review/thread")
@login_required
def thread() -> str:
    """A story's comments in order, replies under what they answer, with their statuses."""
    site = (request.args.get("site") or "").strip()[:64]
    article_id = (request.args.get("article_id") or "").strip()[:200]
    me = user()
    if not site or not article_id or not me.may_see(site):
        abort(404)
    runtime = current_runtime()
    comments = runtime.store.context.thread(site, article_id, me.site_slugs)
    if not comments:
        abort(404)
    known = {c.id for c in comments}
    depth: dict[str, int] = {}
    for c in comments:  # oldest first, so a parent's depth is known before its replies
        depth[c.id] = min(depth.get(c.parent_id or "", -1) + 1, 4) if c.parent_id in known else 0
    return render_template(
        "review/thread.html",
        comments=comments,
        depth=depth,
        first=comments[0],
        ctx=row_context(runtime.store, comments, "flagged"),
        next=request.full_path.rstrip("?"),
    )
