"""The newsroom endpoints sites call: readers' reports, appeals, and authors' data."""

from __future__ import annotations

from flask import Blueprint, Response, request

from domain.newsroom.appeals import AppealRefused, file_appeal
from domain.newsroom.authors import erase_author, export_author
from domain.newsroom.reports import ReportRejected, file_report, validate_report
from domain.records import Comment, Site
from service.api import authenticate_site, parse_body
from service.context import current_runtime
from service.responses import error_response, json_response

blueprint = Blueprint("newsroom_api", __name__, url_prefix="/api/v1")
MAX_EMAIL = 254
RETRY_AFTER_SECONDS = 3600


def _own_comment(site: Site, comment_id: str) -> Comment | None:
    """The site's comment with this id (another site's comment looks like no comment)."""
    return current_runtime().store.comments.get(comment_id[:64], site_id=site.id)


def _not_found() -> Response:
    """404 in the API's shape."""
    return error_response(404, "not_found", "No such comment for this site.")


@blueprint.post("/comments/<comment_id>/reports")
def report(comment_id: str) -> Response:
    """A reader reports a comment; enough reports send it to a moderator."""
    site = authenticate_site()
    body = parse_body()
    notice, errors = validate_report(body)
    if notice is None:
        return json_response({"errors": errors}, 422)
    if _own_comment(site, comment_id) is None:
        return _not_found()
    runtime = current_runtime()
    try:
        count = file_report(runtime.store, runtime.publishing, site, comment_id[:64], notice)
    except ReportRejected:
        return error_response(
            429,
            "rate_limited",
            "Too many reports from this reporter; retry later.",
            {"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return json_response({"report_count": count}, 202)


@blueprint.post("/comments/<comment_id>/appeals")
def appeal(comment_id: str) -> Response:
    """An author (through the site) appeals the decision on their comment."""
    site = authenticate_site()
    body = parse_body()
    comment = _own_comment(site, comment_id)
    if comment is None:
        return _not_found()
    try:
        filed = file_appeal(current_runtime().store, site, comment.id, body.get("message"))
    except AppealRefused as refused:
        if refused.code == "invalid":
            return json_response({"errors": {"message": [str(refused)]}}, 422)
        return error_response(409, refused.code, str(refused))
    return json_response(
        {
            "id": filed.id,
            "comment_id": comment.id,
            "decision_id": filed.decision_id,
            "status": filed.status,
        },
        202,
    )


def _email() -> str | None:
    """The `email` query argument, bounded."""
    email = (request.args.get("email") or "").strip()
    return email if email and len(email) <= MAX_EMAIL else None


def _email_missing() -> Response:
    """422 for a missing or oversized email argument."""
    return json_response({"errors": {"email": ["Email is required"]}}, 422)


@blueprint.get("/authors/export")
def export() -> Response:
    """Everything stored about one email on this site, as JSON."""
    site = authenticate_site()
    email = _email()
    if email is None:
        return _email_missing()
    return json_response(export_author(current_runtime().store, site, email))


@blueprint.delete("/authors")
def erase() -> Response:
    """Erase one email's data on this site; the decisions stay, anonymised."""
    site = authenticate_site()
    email = _email()
    if email is None:
        return _email_missing()
    job = erase_author(current_runtime().store, site, email, requested_by="api")
    return json_response(
        {"erasure_id": job.id, "status": job.status, "comments_erased": job.comments_erased}
    )
