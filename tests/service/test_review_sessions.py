"""Issue #24: a session ends on the server, so a copied cookie stops working at once."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import Settings
from domain.infra.collaborators import Runtime
from tests.support.processes import run_command
from tests.support.review import (
    add_user,
    csrf_token,
    log_in,
    models_dir,  # noqa: F401 - no trained model needed
)


@pytest.fixture
def moderator(runtime: Runtime) -> int:
    """A moderator of every site; returns the user id."""
    return add_user(runtime)[0].id


def _copy_of(client: FlaskClient, app: Flask) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie (saved by an attacker)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    other = app.test_client()
    other.set_cookie("session", cookie.value, domain=cookie.domain)
    return other


def _logged_in(client: FlaskClient) -> bool:
    """Whether the client's cookie still opens the queue."""
    return client.get("/review").status_code == 200


def test_a_cookie_saved_before_logout_no_longer_opens_the_queue(
    client: FlaskClient, app: Flask, moderator: int
) -> None:
    log_in(client)
    saved = _copy_of(client, app)
    assert _logged_in(saved)
    client.post("/review/logout", data={"csrf_token": csrf_token(client, "/review")})
    assert not _logged_in(client)
    assert not _logged_in(saved)


def test_logging_out_one_browser_leaves_the_others_logged_in(app: Flask, moderator: int) -> None:
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    laptop.post("/review/logout", data={"csrf_token": csrf_token(laptop, "/review")})
    assert _logged_in(phone) and not _logged_in(laptop)


def test_log_out_everywhere_ends_every_session_of_the_user_only(
    app: Flask, runtime: Runtime, moderator: int
) -> None:
    add_user(runtime, email="other@example.com")
    laptop, phone, colleague = app.test_client(), app.test_client(), app.test_client()
    log_in(laptop)
    log_in(phone)
    log_in(colleague, email="other@example.com")
    response = phone.post(
        "/review/logout-everywhere", data={"csrf_token": csrf_token(phone, "/review")}
    )
    assert response.status_code == 302
    assert not _logged_in(laptop) and not _logged_in(phone)
    assert _logged_in(colleague)


def test_a_new_password_and_deactivation_end_every_session(
    app: Flask, runtime: Runtime, moderator: int
) -> None:
    browser = app.test_client()
    log_in(browser)
    runtime.store.users.set_password(moderator, "another long password")
    assert not _logged_in(browser)
    assert log_in(browser).status_code == 401  # the old password is gone
    log_in(browser, password="another long password")
    assert _logged_in(browser)
    runtime.store.users.set_active(moderator, False)
    runtime.store.users.set_active(moderator, True)
    assert not _logged_in(browser)  # reactivation does not bring old sessions back


def test_logged_in_pages_are_never_cached(client: FlaskClient, moderator: int) -> None:
    log_in(client)
    for path in ("/review", "/review/login", "/review/audit"):
        response = client.get(path)
        assert "no-store" in response.headers.get("Cache-Control", ""), path


def test_the_password_command_ends_every_session(
    app: Flask, runtime: Runtime, settings: Settings, moderator: int
) -> None:
    browser = app.test_client()
    log_in(browser)
    done = run_command(
        settings,
        "users",
        "password",
        "mod@example.com",
        "--password-stdin",
        stdin="a brand new password\n",
    )
    assert done.returncode == 0, done.stderr
    assert not _logged_in(browser)
    log_in(browser, password="a brand new password")
    assert _logged_in(browser)
    assert run_command(settings, "users", "logout", "mod@example.com").returncode == 0
    assert not _logged_in(browser)
