"""Error handlers: clear JSON for API callers, no 500 for bad input, 503 while a backend is away."""

from __future__ import annotations

import logging

from flask import Flask, Response, request
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import ClientDisconnected, HTTPException

from service.responses import error_response

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = "2"
API_PREFIXES = ("/api/", "/v1alpha1/", "/1.1/", "/coral/")


def prefers_json() -> bool:
    """Whether the client asked for JSON first (API clients, the review page's keyboard script)."""
    return request.accept_mimetypes.best == "application/json"


def wants_json() -> bool:
    """API routes answer errors in JSON; pages answer in HTML."""
    return request.path.startswith(API_PREFIXES) or prefers_json()


def _http_error(error: HTTPException) -> Response | HTTPException:
    """Render werkzeug's HTTP errors as API JSON where the caller is an API client."""
    if not wants_json():
        return error
    code = (error.name or "error").lower().replace(" ", "_")
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after else None
    response = error_response(error.code or 500, code, error.description or error.name, headers)
    if error.code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="moderation"'
    return response


def _database_unavailable(error: Exception) -> Response:
    """The database is locked, restarting or away: the caller retries; nothing was half-written."""
    log.warning("database unavailable: %s", type(error).__name__)
    return error_response(
        503,
        "database_unavailable",
        "The database is temporarily unavailable; retry shortly.",
        {"Retry-After": RETRY_AFTER_SECONDS},
    )


def _client_disconnected(error: ClientDisconnected) -> Response | HTTPException:
    """A body cut short: 408 when our read timeout cut it (the client went quiet), else 400."""
    if isinstance(error.__context__, BlockingIOError | TimeoutError):
        return _client_too_slow(error.__context__)
    return _http_error(error)


def _client_too_slow(error: OSError) -> Response:
    """The client went quiet mid-body past the server's read timeout: 408, no traceback."""
    log.info("request body timed out: %s", type(error).__name__)
    response = error_response(408, "request_timeout", "The request body did not arrive in time.")
    response.headers["Connection"] = "close"
    return response


def _unexpected(error: Exception) -> Response:
    """A bug, not bad input: log it with its traceback, answer without internals."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_response(500, "internal_error", "Something went wrong on our side.")


def register(app: Flask) -> None:
    """Install the handlers on the app."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ClientDisconnected, _client_disconnected)
    app.register_error_handler(OperationalError, _database_unavailable)
    app.register_error_handler(PoolTimeout, _database_unavailable)
    app.register_error_handler(DBAPIError, _dbapi_error)
    # A bounded read from a silent client (cli/gunicorn_worker.py) fails with one of these.
    app.register_error_handler(BlockingIOError, _client_too_slow)
    app.register_error_handler(TimeoutError, _client_too_slow)
    app.register_error_handler(Exception, _unexpected)


def _dbapi_error(error: DBAPIError) -> Response:
    """Connection-level database errors are outages; others are bugs."""
    if error.connection_invalidated:
        return _database_unavailable(error)
    return _unexpected(error)
