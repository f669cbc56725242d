"""Flask's signed-cookie sessions, without the signer for a request that brings no cookie."""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessions(SecureCookieSessionInterface):
    """The same cookies, signatures and expiry as Flask's own interface.

    Flask builds an itsdangerous signer on every request, cookie or not: about 3 % of an
    intake request's CPU (docs/performance.md), for API callers that never send a cookie.
    Without a cookie there is nothing to verify, so the new empty session needs no signer; a
    session that gets written is still signed by Flask's ``save_session``.
    """

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session when no cookie came (and a key is set); Flask's otherwise."""
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
