"""POST /api/v1/feedback: a site reports spam or ham it found, like Akismet's submit-spam/ham."""

from __future__ import annotations

from flask import Blueprint, Response

from domain.store import Label
from domain.vocabulary import LABEL_VALUES
from service.api import authenticate_site, parse_body
from service.context import current_runtime
from service.responses import error_response, json_response

blueprint = Blueprint("feedback", __name__, url_prefix="/api/v1")


@blueprint.post("/feedback")
def feedback() -> Response:
    """Record a site's label for one of its comments; it trains the next model."""
    site = authenticate_site()
    body = parse_body()
    comment_id, label = body.get("comment_id"), body.get("label")
    errors: dict[str, list[str]] = {}
    if not isinstance(comment_id, str) or not comment_id.strip():
        errors["comment_id"] = ["Comment id is required"]
    if not isinstance(label, str) or label.strip().lower() not in LABEL_VALUES:
        errors["label"] = [f"Label must be one of {', '.join(LABEL_VALUES)}"]
    if errors:
        return json_response({"errors": errors}, 422)
    runtime = current_runtime()
    comment = runtime.store.comments.get(str(comment_id).strip()[:64], site_id=site.id)
    if comment is None:
        return error_response(404, "not_found", "No such comment for this site.")
    limited = runtime.abuse.admit_label(site)
    if limited is not None:
        return error_response(
            429,
            "rate_limited",
            f"Too many labels from this site; retry in {limited.retry_after_seconds} s.",
            {"Retry-After": str(limited.retry_after_seconds)},
        )
    value = str(label).strip().lower()
    runtime.store.labels.add_many(
        [Label(comment.body, value, "feedback", comment_id=comment.id, site_id=site.id)]
    )
    return json_response({"comment_id": comment.id, "label": value, "recorded": True}, 202)
