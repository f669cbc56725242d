"""Log-in and log-out, the session, and the decorators that guard every moderator page."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response as BaseResponse

from domain.records import User
from service.context import current_runtime

blueprint = Blueprint("review_auth", __name__)

# A session older than this must log in again, even if the browser stayed open.
SESSION_MAX_AGE_SECONDS = 12 * 3600
View = TypeVar("View", bound=Callable[..., Any])


def safe_next(target: str | None, default: str = "/review") -> str:
    """A local /review path to return to; anything else (another host, a scheme) is ignored."""
    if not target or not target.isprintable() or any(ch.isspace() for ch in target):
        return default  # CR/LF would break the Location header after the action was saved
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/review") or "\\" in target:
        return default
    return target


def current_user() -> User | None:
    """The logged-in, still active user of this request, if any."""
    if "user" in g:
        return g.user  # type: ignore[no-any-return]
    user = None
    user_id = session.get("user_id")
    authenticated_at = session.get("auth_at", 0)
    if isinstance(user_id, int) and time.time() - authenticated_at < SESSION_MAX_AGE_SECONDS:
        user = current_runtime().store.users.by_id(user_id)
        if user is not None and not user.active:
            user = None
    g.user = user
    return user


def login_required(view: View) -> View:
    """Send visitors who are not logged in to the log-in page, then back."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            session.pop("user_id", None)
            return redirect(url_for("review_auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: View) -> View:
    """Only admins manage sites, users, policies and read the audit log."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return redirect(url_for("review_auth.login", next=request.full_path.rstrip("?")))
        if not user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def user() -> User:
    """The logged-in user of a guarded view."""
    found = current_user()
    assert found is not None, "use @login_required"
    return found


@blueprint.get("/review/login")
def login() -> str | BaseResponse:
    """The log-in form."""
    if current_user() is not None:
        return redirect(safe_next(request.args.get("next")))
    return render_template("review/login.html", next=safe_next(request.args.get("next")))


@blueprint.post("/review/login")
def login_post() -> tuple[str, int] | BaseResponse:
    """Check the password; on success start a brand-new session (no fixation)."""
    runtime = current_runtime()
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[:1024]
    target = safe_next(request.form.get("next"))
    settings = runtime.settings
    found, locked = runtime.store.users.authenticate(
        email,
        password,
        settings.login_max_failures,
        timedelta(seconds=settings.login_lockout_seconds),
    )
    if found is None:
        message = (
            "Too many failed attempts: this account is locked for a while."
            if locked
            else "Wrong email or password."
        )
        page = render_template("review/login.html", next=target, error=message, email=email)
        return page, 429 if locked else 401
    # Whatever the browser brought (a planted session, an old CSRF token) is dropped.
    session.clear()
    session["user_id"] = found.id
    session["sid"] = secrets.token_urlsafe(24)
    session["auth_at"] = int(time.time())
    g.user = found
    return redirect(target)


@blueprint.post("/review/logout")
def logout() -> BaseResponse:
    """End the session."""
    session.clear()
    g.pop("user", None)
    flash("You are logged out.", "info")
    return redirect(url_for("review_auth.login"))


@blueprint.app_context_processor
def _inject_user() -> dict[str, Any]:
    """Templates see the logged-in user as `me`."""
    return {"me": current_user()}
