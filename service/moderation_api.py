"""The moderation API for newsrooms that moderate from their CMS, with a personal token."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Blueprint, Response, g, request
from werkzeug.exceptions import BadRequest, NotFound, Unauthorized

from domain import review
from domain.records import Decision, User
from domain.review.decisions import Conflict, Invalid
from domain.vocabulary import Status
from service.api import bearer_token, comment_document
from service.context import current_runtime
from service.responses import error_response, json_response
from service.review.filters import queue_filter

blueprint = Blueprint("moderation_api", __name__, url_prefix="/api/v1/moderation")


@blueprint.before_request
def authenticate_user() -> None:
    """Every call carries a moderator's personal token: `Authorization: Bearer <token>`."""
    token = bearer_token()
    found = current_runtime().store.users.by_token(token) if token else None
    if found is None:
        raise Unauthorized(
            "Missing or invalid token: send your personal API token as "
            "'Authorization: Bearer <token>'."
        )
    g.api_user = found


def _user() -> User:
    """The moderator this call authenticated as."""
    found: User = g.api_user
    return found


def _queue_item(comment: Any) -> dict[str, Any]:
    """A comment in the queue: its verdict plus what a moderator needs to decide."""
    return {
        **comment_document(comment),
        "site": comment.site_slug,
        "sender_name": comment.sender_name,
        "email": comment.email,
        "body": comment.body,
    }


def decision_document(decision: Decision) -> dict[str, Any]:
    """One entry of a comment's history."""
    return {
        "id": decision.id,
        "event": decision.event.value,
        "decided_by": decision.decided_by.value,
        "moderator": decision.user_email,
        "previous_status": decision.previous_status.value,
        "status": decision.new_status.value,
        "reason": decision.reason,
        "model_version": decision.model_version,
        "created_at": decision.created_at.isoformat(),
    }


def _not_found() -> Response:
    """Another site's comment looks exactly like a missing one."""
    return error_response(404, "not_found", "No such comment.")


@blueprint.get("/queue")
def queue() -> Response:
    """The queue with the page's filters, as JSON."""
    wanted, errors = queue_filter(request.args)
    if errors:
        return json_response({"errors": errors}, 422)
    runtime = current_runtime()
    me = _user()
    lines = {}
    ranking = None
    if wanted.sort in ("uncertainty", "informative"):
        site_ids = runtime.store.moderation.site_ids(me.site_slugs)
        lines = review.flag_lines(runtime.store, runtime.models, site_ids)
        if wanted.sort == "informative":
            ranking = review.informative_ranking(
                runtime.store, runtime.models, runtime.rankings, site_ids
            )
    page = runtime.store.moderation.queue(
        wanted, me.site_slugs, lines, ranking.ids if ranking else ()
    )
    document: dict[str, Any] = {
        "comments": [_queue_item(c) for c in page.comments],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "pages": page.pages,
        "sort": "uncertainty" if ranking and ranking.note else wanted.sort,
    }
    if ranking is not None:
        for item, comment in zip(document["comments"], page.comments, strict=True):
            item["informative_hints"] = ranking.why(comment)
        if ranking.note:
            document["note"] = ranking.note
    return json_response(document)


@blueprint.post("/comments/<comment_id>/decision")
def decide(comment_id: str) -> Response:
    """Approve or reject a comment; 409 if it is no longer in the status the caller expected."""
    try:
        body = orjson.loads(request.get_data(cache=False) or b"null")
    except orjson.JSONDecodeError as error:
        raise BadRequest(f"Body is not valid JSON: {error}") from error
    if not isinstance(body, dict):
        return json_response({"errors": {"body": ["Send a JSON object"]}}, 422)
    expected_text = body.get("expected_status")
    errors: dict[str, list[str]] = {}
    if expected_text is not None and expected_text not in [s.value for s in Status]:
        errors["expected_status"] = ["Unknown status"]
    try:
        new_status, reason = review.check_decision(body.get("status"), body.get("reason"))
    except Invalid as invalid:
        errors.update(invalid.errors)
    if errors:
        return json_response({"errors": errors}, 422)
    runtime = current_runtime()
    expected = Status(expected_text) if expected_text else None
    try:
        decision = review.moderate(
            runtime.store,
            runtime.publishing,
            _user(),
            comment_id[:64],
            new_status,
            reason,
            expected,
        )
    except review.NotFound:
        return _not_found()
    except Conflict as conflict:
        return json_response(
            {
                "error": {
                    "code": "conflict",
                    "message": f"The comment is {conflict.current.value} now; review it again.",
                },
                "status": conflict.current.value,
            },
            409,
        )
    comment = runtime.store.comments.get(comment_id[:64])
    if comment is None:
        raise NotFound()
    return json_response(
        {
            "comment": _queue_item(comment),
            "decision": decision_document(decision) if decision else None,
        }
    )


@blueprint.get("/comments/<comment_id>/history")
def history(comment_id: str) -> Response:
    """Every decision on a comment, oldest first."""
    runtime = current_runtime()
    found = runtime.store.moderation.comments([comment_id[:64]], _user().site_slugs)
    if not found:
        return _not_found()
    decisions = runtime.store.comments.history(found[0].id)
    return json_response(
        {"comment_id": found[0].id, "decisions": [decision_document(d) for d in decisions]}
    )
