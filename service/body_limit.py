"""Bodies without a Content-Length (chunked) obey the same size limit as the others: 413.

Werkzeug caps such a stream at MAX_CONTENT_LENGTH but `read()` stops quietly at the cap, so a
chunked body over 64 KiB was cut and parsed, not refused (issue #24). We read it here, up to
one byte past the limit, before Flask sees the request.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import RequestEntityTooLarge, RequestTimeout

TOO_LARGE = "moderation.body_too_large"
TOO_SLOW = "moderation.body_too_slow"
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _read_chunked(environ: dict[str, Any], limit: int) -> None:
    """Replace a chunked body by the bytes read, or flag it as too large or too slow."""
    try:
        body = environ["wsgi.input"].read(limit + 1)
    except OSError:  # the server's read timeout: the client went quiet mid-body
        environ[TOO_SLOW], body = True, b""
    if len(body) > limit:
        environ[TOO_LARGE], body = True, b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))


def _bounded(inner: WsgiApp, limit: int) -> WsgiApp:
    """Wrap the WSGI app so chunked bodies are read within the limit first."""

    def wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            _read_chunked(environ, limit)
        return inner(environ, start_response)

    return wsgi_app


def _refuse_flagged() -> None:
    """Answer 413 or 408 for a body the wrapper refused (through the usual error handlers)."""
    if request.environ.get(TOO_LARGE):
        raise RequestEntityTooLarge()
    if request.environ.get(TOO_SLOW):
        raise RequestTimeout()


def register(app: Flask, limit: int) -> None:
    """Install the chunked-body limit on the app."""
    app.wsgi_app = _bounded(app.wsgi_app, limit)  # type: ignore[method-assign,assignment]
    app.before_request(_refuse_flagged)
