"""One admission policy for every way in: Akismet and Perspective obey intake's limits (#24)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from config import Settings
from domain.infra.collaborators import Runtime
from domain.publishing.webhooks import signature
from domain.store.tables import comments
from service.app import create_app
from tests.support.intake import comment_fields

AUTHOR = {"email": "flood@example.com", "author_ip": "203.0.113.9"}
ANALYZE = "/v1alpha1/comments:analyze"


@pytest.fixture
def limited_runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime whose authors may post three comments a minute, its model loaded."""
    runtime = Runtime(settings.with_overrides(rate_limit_author="3/minute"))
    runtime.store.migrate()
    runtime.models.current()
    yield runtime
    runtime.store.dispose()


@pytest.fixture
def site_key(limited_runtime: Runtime) -> str:
    """The API key of a site on the limited runtime."""
    return limited_runtime.store.sites.create("planet")[1]


@pytest.fixture
def client(limited_runtime: Runtime) -> FlaskClient:
    """A client of the app on the limited runtime."""
    return create_app(runtime=limited_runtime).test_client()


def _stored(runtime: Runtime) -> int:
    """How many comments the database holds."""
    with runtime.store.db.read() as connection:
        return int(connection.execute(select(func.count()).select_from(comments)).scalar_one())


def _check(client: FlaskClient, key: str, text: str, **form: str):  # noqa: ANN202
    """An Akismet comment-check as the WordPress plugin posts it, from AUTHOR unless told."""
    return client.post(
        "/1.1/comment-check",
        data={
            "api_key": key,
            "blog": "https://news.example",
            "user_ip": AUTHOR["author_ip"],
            "comment_author": "Flood",
            "comment_author_email": AUTHOR["email"],
            "comment_content": text,
            **form,
        },
    )


def _analyze(client: FlaskClient, key: str, text: str, session: str | None):  # noqa: ANN202
    """A Perspective analyze that asks us to store the comment."""
    body: dict[str, object] = {
        "comment": {"text": text},
        "doNotStore": False,
        "requestedAttributes": {"TOXICITY": {}},
    }
    if session is not None:
        body["sessionId"] = session
    return client.post(f"{ANALYZE}?key={key}", json=body)


def test_comment_checks_from_an_author_limited_at_intake_are_held_and_not_stored(
    client: FlaskClient, site_key: str, limited_runtime: Runtime
) -> None:
    auth = {"Authorization": f"Bearer {site_key}"}
    for n in range(3):
        form = comment_fields(f"Remark number {n} on the article.", **AUTHOR)
        response = client.post("/api/v1/comments", json=form, headers=auth)
        assert response.status_code == 202
    answers = [_check(client, site_key, f"Another remark, number {n}.") for n in range(5)]
    assert {(a.status_code, a.get_data(as_text=True)) for a in answers} == {(200, "true")}
    assert {a.headers["X-Moderation-Status"] for a in answers} == {"rate_limited"}
    assert all(int(a.headers["Retry-After"]) >= 1 for a in answers)
    assert "X-Moderation-Comment-Id" not in answers[0].headers
    assert _stored(limited_runtime) == 3


def test_comment_checks_count_against_the_same_limits_as_intake(
    client: FlaskClient, site_key: str
) -> None:
    for n in range(3):
        assert _check(client, site_key, f"Checked remark {n}.").headers["X-Moderation-Status"] in {
            "approved", "flagged", "rejected"
        }  # fmt: skip
    response = client.post(
        "/api/v1/comments",
        json=comment_fields("One more, through intake.", **AUTHOR),
        headers={"Authorization": f"Bearer {site_key}"},
    )
    assert response.status_code == 429


def test_the_same_text_checked_twice_is_stored_once_and_answers_as_the_first(
    client: FlaskClient, site_key: str, limited_runtime: Runtime
) -> None:
    first = _check(client, site_key, "A thoughtful piece on spheres of influence.")
    again = _check(client, site_key, "A thoughtful  piece on spheres of influence.")
    assert again.get_data(as_text=True) == first.get_data(as_text=True)
    assert again.headers["X-Moderation-Comment-Id"] == first.headers["X-Moderation-Comment-Id"]
    assert again.headers["X-Moderation-Status"] == first.headers["X-Moderation-Status"]
    assert _stored(limited_runtime) == 1


def test_a_limited_perspective_session_gets_googles_429_and_nothing_is_stored(
    client: FlaskClient, site_key: str, limited_runtime: Runtime
) -> None:
    statuses = [
        _analyze(client, site_key, f"Perspective remark {n}.", "session-1").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    refused = _analyze(client, site_key, "Yet another remark.", "session-1").get_json()
    assert refused["error"]["code"] == 429
    assert refused["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert _analyze(client, site_key, "From another reader.", "session-2").status_code == 200
    assert _stored(limited_runtime) == 4


def test_perspective_calls_without_a_session_are_not_one_author(
    client: FlaskClient, site_key: str, limited_runtime: Runtime
) -> None:
    # No sessionId: the placeholder address names nobody, so the per-author limit (and the
    # duplicate check) cannot apply; a site's readers are not one flooding author.
    statuses = [
        _analyze(client, site_key, f"Anonymous remark {n}.", None).status_code for n in range(5)
    ]
    assert statuses == [200] * 5
    assert _stored(limited_runtime) == 5


def test_a_coral_author_over_the_limit_is_withheld_and_not_stored(
    client: FlaskClient, site_key: str, limited_runtime: Runtime
) -> None:
    secret = "ssc_limit-test"
    limited_runtime.store.webhooks.set_coral_secrets("planet", [secret])

    def moderate(n: int) -> dict[str, object]:
        body = {
            "action": "NEW",
            "comment": {"body": f"Coral remark number {n}.", "parentID": None},
            "author": {"id": "author-1", "username": "flood"},
            "story": {"id": "story-1", "url": "https://news.example/story"},
        }
        raw = json.dumps(body).encode()
        return client.post(
            "/coral/external-moderation?site=planet",
            data=raw,
            headers={"Content-Type": "application/json",
                     "X-Coral-Signature": signature(secret, raw)},
        ).get_json()

    answers = [moderate(n) for n in range(4)]
    assert answers[3] == {
        "status": "SYSTEM_WITHHELD",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_SPAM"}],
    }
    assert _stored(limited_runtime) == 3
