"""The pre-check (nudge): POST /api/v1/comments:check answers before the author posts."""

from __future__ import annotations

from flask import Blueprint, Response

from domain.policies.precheck import check
from service.api import authenticate_site, parse_body
from service.context import current_runtime
from service.responses import json_response

blueprint = Blueprint("precheck", __name__, url_prefix="/api/v1")


@blueprint.post("/comments:check")
def check_comment() -> Response:
    """Would this comment be held or rejected, and why; stores nothing, always 200 once signed."""
    site = authenticate_site()
    body = parse_body()
    runtime = current_runtime()
    answer = check(site, body, runtime.scorer, runtime.redis)
    return json_response(answer.as_dict())
