"""The moderation API: personal tokens, the queue as JSON, decisions with 422/404/409, history."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Status
from tests.support.review import (
    add_comment,
    add_user,
    models_dir,  # noqa: F401 - no trained model needed
    results,
)


@pytest.fixture
def site(site_and_key: tuple[Site, str]) -> Site:
    """The site the moderator may see."""
    return site_and_key[0]


@pytest.fixture
def token(runtime: Runtime, site: Site) -> dict[str, str]:
    """Headers of a moderator limited to the test site."""
    _, token = add_user(runtime, sites=[site.slug])
    return {"Authorization": f"Bearer {token}"}


def test_a_personal_token_is_required(
    client: FlaskClient, auth: dict[str, str], token: dict[str, str]
) -> None:
    assert client.get("/api/v1/moderation/queue").status_code == 401
    assert client.get("/api/v1/moderation/queue", headers=auth).status_code == 401  # a site key
    response = client.get("/api/v1/moderation/queue", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert client.get("/api/v1/moderation/queue", headers=token).status_code == 200


def test_the_queue_as_json_with_the_pages_filters(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str]
) -> None:
    other = runtime.store.sites.create("other-site")[0]
    first = add_comment(runtime, site, body="first", spam=0.6)
    second = add_comment(runtime, site, body="second", spam=0.9)
    add_comment(runtime, site, Status.APPROVED, body="approved")
    add_comment(runtime, other, body="elsewhere")
    body = client.get("/api/v1/moderation/queue", headers=token).get_json()
    assert [c["id"] for c in body["comments"]] == [first.id, second.id]
    assert body["total"] == 2 and body["comments"][0]["body"] == "first"
    assert body["comments"][0]["site"] == "daily-planet"
    assert body["comments"][0]["scores"]["spam"] == 0.6
    by_score = client.get("/api/v1/moderation/queue?sort=score", headers=token).get_json()
    assert [c["id"] for c in by_score["comments"]] == [second.id, first.id]
    everything = client.get("/api/v1/moderation/queue?status=all", headers=token).get_json()
    assert everything["total"] == 3  # never the other site's comment
    bad = client.get("/api/v1/moderation/queue?status=nope&score_min=2", headers=token)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"status", "score_min"}


def test_a_decision_through_the_api_is_recorded_published_and_labelled(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str]
) -> None:
    comment = add_comment(runtime, site)
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"status": "rejected", "reason": "spam", "expected_status": "flagged"},
        headers=token,
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["comment"]["status"] == "rejected"
    assert body["comment"]["decided_by"] == "moderator"
    assert body["decision"]["moderator"] == "mod@example.com"
    [entry] = [e for e in results(runtime, site.slug) if e["event"] == "moderated"]
    assert (entry["status"], entry["decided_by"], entry["reason"]) == (
        "rejected",
        "moderator",
        "spam",
    )
    assert [label.label for label in runtime.store.labels.all()] == ["spam"]
    history = client.get(f"/api/v1/moderation/comments/{comment.id}/history", headers=token)
    assert [d["event"] for d in history.get_json()["decisions"]] == ["verdict", "moderated"]


def test_bad_input_is_422_with_every_problem(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str]
) -> None:
    comment = add_comment(runtime, site)
    path = f"/api/v1/moderation/comments/{comment.id}/decision"
    response = client.post(
        path, json={"status": "deleted", "reason": "meh", "expected_status": "x"}, headers=token
    )
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"status", "reason", "expected_status"}
    assert client.post(path, json=["approved"], headers=token).status_code == 422
    not_json = client.post(path, data="{", content_type="application/json", headers=token)
    assert not_json.status_code == 400


def test_a_changed_comment_is_409_and_another_sites_is_404(
    client: FlaskClient, runtime: Runtime, site: Site, token: dict[str, str]
) -> None:
    comment = add_comment(runtime, site)
    path = f"/api/v1/moderation/comments/{comment.id}/decision"
    ok = client.post(path, json={"status": "approved", "expected_status": "flagged"}, headers=token)
    assert ok.status_code == 200
    late = client.post(
        path, json={"status": "rejected", "expected_status": "flagged"}, headers=token
    )
    assert late.status_code == 409 and late.get_json()["status"] == "approved"
    same = client.post(path, json={"status": "approved"}, headers=token)
    assert same.status_code == 200 and same.get_json()["decision"] is None
    other = runtime.store.sites.create("other-site")[0]
    theirs = add_comment(runtime, other)
    for response in (
        client.post(
            f"/api/v1/moderation/comments/{theirs.id}/decision",
            json={"status": "approved"},
            headers=token,
        ),
        client.get(f"/api/v1/moderation/comments/{theirs.id}/history", headers=token),
        client.get("/api/v1/moderation/comments/nope/history", headers=token),
    ):
        assert response.status_code == 404
        assert response.get_json()["error"]["code"] == "not_found"
    stored = runtime.store.comments.get(theirs.id)
    assert stored is not None and stored.status is Status.FLAGGED


def test_the_openapi_document_lists_the_moderation_api(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert {
        "/api/v1/comments",
        "/api/v1/comments/{comment_id}",
        "/api/v1/moderation/queue",
        "/api/v1/moderation/comments/{comment_id}/decision",
        "/api/v1/moderation/comments/{comment_id}/history",
    } <= set(document["paths"])
    assert "userToken" in document["components"]["securitySchemes"]
