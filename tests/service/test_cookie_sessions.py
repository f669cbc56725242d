"""service.sessions.CookieSessions opens every session as Flask's own interface does."""

from __future__ import annotations

from typing import Any

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from hypothesis import given, settings
from hypothesis import strategies as st

from service.sessions import CookieSessions

SESSION_DATA = st.dictionaries(
    st.text(min_size=1, max_size=8), st.one_of(st.integers(), st.text(max_size=20)), max_size=4
)


def _app(secret_key: str | None = "a secret") -> Flask:
    app = Flask(__name__)
    app.secret_key = secret_key
    return app


def _signed(app: Flask, data: dict[str, Any]) -> str:
    """The cookie value Flask would set for this session data."""
    signer = SecureCookieSessionInterface().get_signing_serializer(app)
    assert signer is not None
    return signer.dumps(data)


def _opened(app: Flask, interface: SecureCookieSessionInterface, cookie: str | None) -> Any:
    headers = {"Cookie": f"session={cookie}"} if cookie is not None else {}
    with app.test_request_context("/", headers=headers):
        return interface.open_session(app, request)


@settings(max_examples=50, deadline=None)
@given(data=SESSION_DATA, tamper=st.booleans())
def test_a_cookie_opens_to_what_flask_would_open(data: dict[str, Any], tamper: bool) -> None:
    app = _app()
    cookie = _signed(app, data)
    if tamper:
        cookie = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
    ours = _opened(app, CookieSessions(), cookie)
    flasks = _opened(app, SecureCookieSessionInterface(), cookie)
    assert dict(ours) == dict(flasks)
    assert dict(ours) == ({} if tamper else data)


def test_no_cookie_opens_an_empty_session() -> None:
    session = _opened(_app(), CookieSessions(), None)
    assert session is not None and dict(session) == {} and not session.modified


def test_a_cookie_signed_with_another_key_opens_empty() -> None:
    cookie = _signed(_app("another secret"), {"user_id": 1})
    assert dict(_opened(_app(), CookieSessions(), cookie)) == {}


def test_without_a_secret_key_there_is_no_session_as_in_flask() -> None:
    assert _opened(_app(None), CookieSessions(), None) is None


def test_the_service_signs_a_written_session_so_the_next_request_reads_it() -> None:
    app = _app()
    app.session_interface = CookieSessions()

    @app.get("/write")
    def write() -> str:
        session["user_id"] = 7
        return "written"

    @app.get("/read")
    def read() -> str:
        return str(session.get("user_id"))

    client = app.test_client()
    assert client.get("/read").text == "None"
    assert client.get("/write").headers.get("Set-Cookie", "").startswith("session=")
    assert client.get("/read").text == "7"


def test_the_app_uses_it(app: Flask) -> None:
    assert isinstance(app.session_interface, CookieSessions)
