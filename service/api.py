"""The intake and results API that publishing sites call: POST a comment, GET its verdict."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import BadRequest, Unauthorized

from domain.intake.accept import submit_comment
from domain.intake.admission import form_trap
from domain.intake.validate import validate_submission
from domain.records import Comment, Site
from domain.store.comments import new_comment_id
from service.context import current_runtime
from service.responses import error_response, json_response

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer <token>` header, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def authenticate_site() -> Site:
    """The site whose API key signs this request, or 401."""
    key = bearer_token()
    site = current_runtime().store.sites.by_key(key) if key else None
    if site is None:
        raise Unauthorized(
            "Missing or invalid API key: send the site's key as 'Authorization: Bearer <key>'."
        )
    return site


def parse_body() -> Mapping[str, object]:
    """Read a JSON object or form body; anything else is a 400 with a clear message."""
    mimetype = request.mimetype
    if mimetype in FORM_TYPES:
        return {name: request.form.get(name) for name in request.form}
    if mimetype == "application/json" or mimetype.endswith("+json"):
        try:
            body = orjson.loads(request.get_data(cache=False))
        except orjson.JSONDecodeError as error:
            raise BadRequest(f"Body is not valid JSON: {error}") from error
        if not isinstance(body, dict):
            raise BadRequest("Body must be a JSON object with the comment's fields.")
        return body
    raise BadRequest(
        "Send the comment as JSON (Content-Type: application/json) or as a form "
        "(Content-Type: application/x-www-form-urlencoded)."
    )


def comment_document(comment: Comment) -> dict[str, Any]:
    """The public JSON view of a comment and its verdict."""
    scores: dict[str, Any] = {"spam": comment.spam, "toxicity": comment.toxicity}
    scores.update(comment.attributes)
    return {
        "id": comment.id,
        "status": comment.status.value,
        "article_id": comment.article_id,
        "parent_id": comment.parent_id,
        "scores": scores,
        "reasons": comment.reasons,
        "spans": comment.spans,
        "model_version": comment.model_version,
        "language": comment.language,
        "decided_by": comment.decided_by.value if comment.decided_by else None,
        "created_at": comment.created_at.isoformat(),
        "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
    }


@blueprint.post("/comments")
def create_comment() -> Response:
    """Accept a comment: validate, store, enqueue, and answer 202 with where to poll."""
    site = authenticate_site()
    body = parse_body()
    result = validate_submission(body)
    if result.submission is None:
        return json_response({"errors": result.errors}, 422)
    runtime = current_runtime()
    comment_id = new_comment_id()
    admission = runtime.abuse.admit(site, result.submission, comment_id)
    if admission.limited is not None:
        limited = admission.limited
        return error_response(
            429,
            "rate_limited",
            f"Too many comments from this {limited.scope.replace('_', ' ')}; "
            f"retry in {limited.retry_after_seconds} s.",
            {"Retry-After": str(limited.retry_after_seconds)},
        )
    if admission.duplicate_of is not None:
        return duplicate_response(admission.duplicate_of)
    trap = form_trap(site.policy, body, time.time())
    try:
        comment = submit_comment(site, result.submission, runtime, comment_id, trap)
    except Exception:
        runtime.abuse.release_text(site, result.submission)  # nothing stored: not a duplicate
        raise
    location = url_for("api.get_comment", comment_id=comment.id)
    return json_response(
        {
            "id": comment.id,
            "status": comment.status.value,
            "article_id": comment.article_id,
            "created_at": comment.created_at.isoformat(),
            "url": location,
        },
        202,
        {"Location": location},
    )


def duplicate_response(original_id: str) -> Response:
    """409 naming the identical comment this author sent a moment ago."""
    location = url_for("api.get_comment", comment_id=original_id)
    return json_response(
        {
            "error": {
                "code": "duplicate",
                "message": "The same author sent the same comment moments ago.",
            },
            "id": original_id,
            "url": location,
        },
        409,
        {"Location": location},
    )


@blueprint.get("/comments/<comment_id>")
def get_comment(comment_id: str) -> Response:
    """A comment's status and verdict; a site sees only its own comments."""
    site = authenticate_site()
    comment = current_runtime().store.comments.get(comment_id[:64], site_id=site.id)
    if comment is None:
        return json_response(
            {"error": {"code": "not_found", "message": "No such comment for this site."}}, 404
        )
    return json_response(comment_document(comment))
