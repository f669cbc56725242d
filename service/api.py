"""The intake and results API that publishing sites call: POST a comment, GET its verdict."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import BadRequest, Unauthorized

from domain.intake.accept import Accepted, admit_and_store, submit_comment
from domain.intake.admission import Admission, form_trap
from domain.intake.validate import validate_submission
from domain.records import Comment, Site, Submission
from domain.vocabulary import Status
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
    """The site whose API key signs this request, read afresh from the database, or 401."""
    key = bearer_token()
    return _known(current_runtime().store.sites.by_key(key) if key else None)


def _known(site: Site | None) -> Site:
    """The site, or 401."""
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
        "section": comment.section,
        "article_title": comment.article_title,
        "article_url": comment.article_url,
        "scores": scores,
        "reasons": comment.reasons,
        "spans": comment.spans,
        "model_version": comment.model_version,
        "language": comment.language,
        "decided_by": comment.decided_by.value if comment.decided_by else None,
        "created_at": comment.created_at.isoformat(),
        "decided_at": comment.decided_at.isoformat() if comment.decided_at else None,
        # a rejection's statement of reasons (DSA art. 17), null otherwise
        "statement": comment.statement if comment.status is Status.REJECTED else None,
    }


@blueprint.post("/comments")
def create_comment() -> Response:
    """Accept a comment: validate, store, enqueue, and answer 202 with where to poll.

    The site comes from the process's key cache when it has the key (domain/intake/site_keys.py);
    the admission round trip confirms it. Every answer that does not pass through that
    confirmation (a bad body, a 422, a stale generation) reads the key afresh first, so a
    rotated key gets 401 and nothing else.
    """
    runtime = current_runtime()
    keys = runtime.site_keys
    key = bearer_token()
    cached = keys.cached(key) if key else None
    site = cached.site if cached else _known(keys.load(key) if key else None)
    try:
        body = parse_body()
    except BadRequest:
        if cached:
            _known(keys.fresh(key or ""))
        raise
    result = validate_submission(body)
    submission = result.submission
    if submission is None:
        if cached:
            _known(keys.fresh(key or ""))
        return json_response({"errors": result.errors}, 422)
    generation = cached.generation if cached else None
    accepted = _admit_and_store(site, submission, body, generation)
    if accepted.admission.stale:  # the sites changed since the key was cached: read it again
        site = _known(keys.fresh(key or ""))
        accepted = _admit_and_store(site, submission, body, None)
    if accepted.comment is None:
        return refusal_response(accepted.admission)
    comment = accepted.comment
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


def _admit_and_store(
    site: Site, submission: Submission, body: Mapping[str, object], generation: str | None
) -> Accepted:
    """Admit, store and enqueue one comment (``generation``: of a cached site, to confirm)."""
    runtime = current_runtime()
    trap = form_trap(site.policy, body, time.time())
    return admit_and_store(
        site,
        submission,
        runtime.abuse,
        lambda comment_id: submit_comment(
            site, submission, runtime.store, runtime.queue, runtime.publishing, comment_id, trap
        ),
        generation=generation,
    )


def refusal_response(admission: Admission) -> Response:
    """429 for a rate-limited author (with Retry-After), 409 for a duplicate."""
    if admission.limited is not None:
        limited = admission.limited
        return error_response(
            429,
            "rate_limited",
            f"Too many comments from this {limited.scope.replace('_', ' ')}; "
            f"retry in {limited.retry_after_seconds} s.",
            {"Retry-After": str(limited.retry_after_seconds)},
        )
    return duplicate_response(admission.duplicate_of or "")


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
