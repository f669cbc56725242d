"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

PRIVATE_PREFIXES = ("/review", "/api/v1/moderation")


def _add_headers(response: Response) -> Response:
    """Forbid framing, sniffing and inline scripts; keep referrers to ourselves."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith(PRIVATE_PREFIXES):
        # A moderator's pages (and keys shown once) must not stay in a shared browser's cache
        # or a proxy's, to be read after log-out.
        headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Install the headers on the app."""
    app.after_request(_add_headers)
