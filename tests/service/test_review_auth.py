"""Log-in, lock-out, session fixation, CSRF and the security headers of the moderator pages."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Role
from tests.support.review import (
    PASSWORD,
    add_comment,
    add_user,
    csrf_token,
    log_in,
    models_dir,  # noqa: F401 - no trained model needed
)


@pytest.fixture
def moderator(runtime: Runtime) -> int:
    """A moderator who may see every site; returns the user id."""
    return add_user(runtime)[0].id


def test_review_redirects_to_a_login_form_with_a_password_field(
    client: FlaskClient, moderator: int
) -> None:
    response = client.get("/review?status=approved")
    assert response.status_code == 302
    assert response.headers["Location"] == "/review/login?next=/review?status%3Dapproved"
    page = client.get("/review/login").get_data(as_text=True)
    assert 'type="password"' in page and 'name="csrf_token"' in page


def test_login_then_the_queue_then_logout(client: FlaskClient, moderator: int) -> None:
    response = log_in(client)
    assert (response.status_code, response.headers["Location"]) == (302, "/review")
    assert "Log out" in client.get("/review").get_data(as_text=True)
    token = csrf_token(client, "/review")
    assert client.post("/review/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/review").status_code == 302


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: FlaskClient, moderator: int
) -> None:
    wrong = log_in(client, password="not the password")
    unknown = log_in(client, email="nobody@example.com")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong email or password." in wrong.get_data(as_text=True)
    assert "Wrong email or password." in unknown.get_data(as_text=True)
    assert client.get("/review").status_code == 302


def test_repeated_failures_lock_the_account(
    client: FlaskClient, runtime: Runtime, moderator: int
) -> None:
    for _ in range(runtime.settings.login_max_failures - 1):
        assert log_in(client, password="guess guess guess").status_code == 401
    locked = log_in(client, password="guess guess guess")
    assert locked.status_code == 429 and "locked" in locked.get_data(as_text=True)
    # Even the right password is refused while the lock lasts.
    assert log_in(client).status_code == 429
    assert client.get("/review").status_code == 302


def test_login_starts_a_new_session_so_a_planted_one_is_useless(
    client: FlaskClient, moderator: int
) -> None:
    client.get("/review/login")
    with client.session_transaction() as session:
        session["sid"] = "planted-by-an-attacker"
        session["planted"] = True
        old_csrf = session.get("csrf_token")
    assert old_csrf
    log_in(client)
    with client.session_transaction() as session:
        assert session["sid"] != "planted-by-an-attacker"
        assert "planted" not in session
        assert session.get("csrf_token") != old_csrf
        assert session["user_id"] == moderator
        first_sid = session["sid"]
    # A second log-in rotates it again.
    log_in(client)
    with client.session_transaction() as session:
        assert session["sid"] != first_sid


def test_posts_without_a_csrf_token_are_refused(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str], moderator: int
) -> None:
    comment = add_comment(runtime, site_and_key[0])
    response = client.post("/review/login", data={"email": "mod@example.com", "password": PASSWORD})
    assert response.status_code == 400
    log_in(client)
    for path, data in [
        (f"/review/comments/{comment.id}/decision", {"action": "approve", "expected": "flagged"}),
        ("/review/bulk", {"action": "reject", "selected": f"{comment.id}:flagged"}),
        ("/review/undo", {}),
        ("/review/logout", {}),
    ]:
        assert client.post(path, data=data).status_code == 400, path
        wrong = client.post(path, data={**data, "csrf_token": "forged"})
        assert wrong.status_code == 400, path
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status.value == "flagged"
    assert client.get("/review").status_code == 200  # still logged in


def test_token_and_key_authenticated_apis_need_no_csrf_token(
    client: FlaskClient, app: Flask, auth: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/comments",
        json={"article_id": "a", "sender_name": "A", "email": "a@example.com", "comment": "Hi"},
        headers=auth,
    )
    assert response.status_code == 202
    exempt = {getattr(bp, "name", bp) for bp in app.extensions["csrf"]._exempt_blueprints}
    assert {"api", "moderation_api"} <= exempt
    assert not any(name.startswith("review") for name in exempt)


def test_next_never_leads_off_site(client: FlaskClient, moderator: int) -> None:
    for target in ("https://evil.example/", "//evil.example/review", "/elsewhere"):
        token = csrf_token(client)
        response = client.post(
            "/review/login",
            data={
                "email": "mod@example.com",
                "password": PASSWORD,
                "next": target,
                "csrf_token": token,
            },
        )
        assert response.headers["Location"] == "/review", target
        client.post("/review/logout", data={"csrf_token": csrf_token(client, "/review")})


def test_a_deactivated_user_is_logged_out_at_once(
    client: FlaskClient, runtime: Runtime, moderator: int
) -> None:
    log_in(client)
    runtime.store.users.set_active(moderator, False)
    assert client.get("/review").status_code == 302
    assert log_in(client).status_code == 401


def test_pages_forbid_inline_scripts_and_framing(client: FlaskClient, moderator: int) -> None:
    log_in(client)
    response = client.get("/review")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    html = response.get_data(as_text=True)
    assert "style=" not in html and "<script>" not in html and "onclick" not in html
    cookie = response.request.headers.get("Cookie", "")
    assert "session=" in cookie


def test_only_admins_reach_admin_pages_and_the_audit_log(
    client: FlaskClient, runtime: Runtime, moderator: int
) -> None:
    log_in(client)
    for path in ("/review/audit", "/review/admin/sites", "/review/admin/users"):
        assert client.get(path).status_code == 403, path
    add_user(runtime, "boss@example.com", Role.ADMIN)
    client.post("/review/logout", data={"csrf_token": csrf_token(client, "/review")})
    log_in(client, "boss@example.com")
    for path in ("/review/audit", "/review/admin/sites", "/review/admin/users"):
        assert client.get(path).status_code == 200, path


def test_every_route_under_an_api_prefix_is_csrf_exempt_and_no_page_is(app: Flask) -> None:
    exempt = {getattr(bp, "name", bp) for bp in app.extensions["csrf"]._exempt_blueprints}
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if rule.rule.startswith(("/api/", "/v1alpha1/", "/1.1/", "/coral/")):
            assert blueprint in exempt, rule.rule
        elif rule.rule.startswith("/review"):
            assert blueprint not in exempt, rule.rule
