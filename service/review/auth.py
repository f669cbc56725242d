"""Log-in and log-out, the session, and the decorators that guard every moderator page."""

from __future__ import annotations

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
    user_id, session_id = session.get("user_id"), session.get("sid")
    if isinstance(user_id, int) and isinstance(session_id, str):
        # The signed cookie alone is not enough: the session must still be live server-side
        # (log-out, log out everywhere, a new password and deactivation end it).
        user = current_runtime().store.sessions.user(session_id, user_id)
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
    session["sid"] = runtime.store.sessions.start(found.id)
    g.user = found
    return redirect(target)


@blueprint.post("/review/logout")
def logout() -> BaseResponse:
    """End this session, here and on the server (a copy of the cookie stops working too)."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        current_runtime().store.sessions.end(session_id)
    return _logged_out("You are logged out.")


@blueprint.post("/review/logout-everywhere")
def logout_everywhere() -> BaseResponse:
    """End every session of the logged-in user, on every browser."""
    me = current_user()
    if me is not None:
        current_runtime().store.sessions.end_all(me.id)
    return _logged_out("You are logged out on every device.")


def _logged_out(message: str) -> BaseResponse:
    """Forget the cookie's session and send the browser to the log-in page."""
    session.clear()
    g.pop("user", None)
    flash(message, "info")
    return redirect(url_for("review_auth.login"))


@blueprint.app_context_processor
def _inject_user() -> dict[str, Any]:
    """Templates see the logged-in user as `me`."""
    return {"me": current_user()}
