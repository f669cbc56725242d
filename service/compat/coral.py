"""Coral Talk's external moderation phase: `POST /coral/external-moderation?site=<slug>`.

Coral signs the raw body with the phase's signing secret (`X-Coral-Signature: sha256=<hex>`,
comma-separated while a rotated secret is still valid) and waits for the answer within the
phase's timeout. We answer `{}` (no opinion) when our verdict approves, so Coral's own
pre-moderation settings still apply; a flagged comment is withheld for review and a rejected one
rejected, each with a FLAG action naming why (Coral accepts only these two detection reasons).
A rejection also carries `moderationAction` with Coral's DSA `rejectionReason` (coral_reasons.py).
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import orjson
from flask import Blueprint, Response, request

from domain.intake.validate import MAX_CHARS
from domain.publishing.webhooks import verify
from domain.vocabulary import Status
from service.compat import common
from service.compat.coral_reasons import rejection_reason
from service.context import current_runtime
from service.responses import error_response, json_response

blueprint = Blueprint("coral", __name__, url_prefix="/coral")

SIGNATURE_HEADER = "X-Coral-Signature"
REASONS = {"toxicity": "COMMENT_DETECTED_TOXIC", "spam": "COMMENT_DETECTED_SPAM"}
CORAL_STATUS = {Status.FLAGGED: "SYSTEM_WITHHELD", Status.REJECTED: "REJECTED"}


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML comment body (Coral's phase may send HTML)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        """Keep text."""
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Line breaks and paragraphs separate words."""
        if tag in ("br", "p", "div", "li"):
            self.parts.append("\n")


def plain_text(body: str) -> str:
    """A comment body as plain text."""
    if "<" not in body and "&" not in body:
        return body
    extractor = _TextExtractor()
    extractor.feed(body)
    extractor.close()
    return "".join(extractor.parts).strip()


def _section(body: dict[str, Any], name: str) -> dict[str, Any]:
    """One object of the request (`comment`, `author`, `story`), empty if absent."""
    value = body.get(name)
    return value if isinstance(value, dict) else {}


def _fields(body: dict[str, Any]) -> dict[str, object]:
    """Coral's request as our submission's fields (Coral sends no email: one per author id)."""
    comment, author, story = (_section(body, n) for n in ("comment", "author", "story"))
    author_id = str(author.get("id") or "anonymous")
    local_part = "".join(c if c.isalnum() or c in "-_." else "-" for c in author_id)[:50]
    email = author.get("email") if isinstance(author.get("email"), str) else None
    return {
        "article_id": common.truncate(str(story.get("id") or ""), MAX_CHARS["article_id"])
        or "coral",
        "sender_name": common.truncate(
            str(author.get("username") or author_id), MAX_CHARS["sender_name"]
        ),
        "email": email or common.placeholder_email(f"coral-{local_part}"),
        "comment": plain_text(str(comment.get("body") or "")),
        "parent_id": common.truncate(comment.get("parentID"), MAX_CHARS["parent_id"]),
        "permalink": common.truncate(story.get("url"), MAX_CHARS["permalink"]),
    }


def answer(
    status: Status, flagged_axes: list[str], reason: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Our verdict in the shape Coral's external phase validates."""
    if status not in CORAL_STATUS:
        return {}
    result: dict[str, Any] = {"status": CORAL_STATUS[status]}
    actions = [{"actionType": "FLAG", "reason": REASONS[axis]} for axis in flagged_axes]
    if actions:
        result["actions"] = actions
    if status is Status.REJECTED and reason is not None:
        result["moderationAction"] = {"status": "REJECTED", "rejectionReason": reason}
    return result


@blueprint.post("/external-moderation")
def external_moderation() -> Response:
    """Verify Coral's signature, record and score the comment, and answer with our verdict."""
    runtime = current_runtime()
    site = runtime.store.sites.by_slug(request.args.get("site", ""))
    if site is None:
        return error_response(404, "not_found", "No such site: pass ?site=<site name>.")
    secrets = runtime.store.webhooks.coral_secrets(site.id)
    if not secrets:
        return error_response(
            403,
            "not_configured",
            "This site accepts no Coral requests yet: store Coral's signing secret with "
            "`moderation sites coral-secret NAME SECRET`.",
        )
    raw = request.get_data(cache=False)
    if not verify(raw, request.headers.get(SIGNATURE_HEADER, ""), secrets):
        return error_response(401, "bad_signature", f"Missing or wrong {SIGNATURE_HEADER}.")
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        return error_response(400, "bad_request", f"Body is not valid JSON: {error}")
    if not isinstance(body, dict):
        return error_response(400, "bad_request", "Body must be a JSON object.")
    fields = _fields(body)
    fallback = common.placeholder_email("coral")
    recorder = common.Recorder(runtime.abuse, runtime.store, runtime.scorer, runtime.publishing)
    checked = common.record(site, fields, recorder, fallback)
    if checked.limited is not None:
        # A flood from one author: withheld for Coral's moderators, flagged as spam (Coral
        # knows only toxic and spam as reasons); we neither scored nor stored it.
        return json_response(answer(Status.FLAGGED, ["spam"]))
    # Prefer the axes that crossed the reject line; a flagged comment names those over flag.
    axes = checked.axes_above("reject") or checked.axes_above("flag")
    reason = rejection_reason(site, checked.reasons, checked.score)
    return json_response(answer(checked.status, axes, reason))
