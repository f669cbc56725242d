"""Fast JSON responses and the error shapes of the API."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON response serialised with orjson."""
    return Response(orjson.dumps(body), status=status, mimetype="application/json", headers=headers)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """An API error: `{"error": {"code": ..., "message": ...}}`."""
    return json_response({"error": {"code": code, "message": message}}, status, headers)
