"""POST /api/v1/comments: the site's view of intake, status codes and exact messages."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from tests.support.unreachable_redis import unreachable_redis

COMMENT = {
    "article_id": "russia-china-security",
    "sender_name": "Jt",
    "email": "jt@example.com",
    "comment": "Interesting comparison of the two spheres of influence.",
}


def test_a_valid_json_comment_is_stored_then_enqueued_and_answered_202(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    response = client.post("/api/v1/comments", json=COMMENT, headers=auth)
    assert response.status_code == 202
    body = response.get_json()
    assert body["status"] == "pending"
    assert response.headers["Location"] == f"/api/v1/comments/{body['id']}"
    stored = runtime.store.comments.get(body["id"])
    assert stored is not None and stored.body == COMMENT["comment"]
    queued = runtime.redis.lrange(redis_keys.pending_queue(), 0, -1)
    assert queued == [body["id"].encode()]


def test_a_form_encoded_comment_is_accepted_as_the_site_forwards_it(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/comments", data={**COMMENT, "csrf": "ignored"}, headers=auth)
    assert response.status_code == 202


def test_missing_fields_answer_422_with_the_forms_messages(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post("/api/v1/comments", data={"article_id": "a"}, headers=auth)
    assert response.status_code == 422
    assert response.get_json() == {
        "errors": {
            "sender_name": ["Sender name is required"],
            "email": ["Email is required"],
            "comment": ["Comment is required"],
        }
    }


def test_too_long_comment_and_bad_email_are_reported_together(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/comments", json={**COMMENT, "email": "nope", "comment": "y" * 501}, headers=auth
    )
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["comment"] == ["Comment must be at most 500 characters (it has 501)"]
    assert errors["email"][0].startswith("Email is not a valid email address")


def test_missing_or_wrong_key_is_401(client: FlaskClient, auth: dict[str, str]) -> None:
    assert client.post("/api/v1/comments", json=COMMENT).status_code == 401
    wrong = {"Authorization": "Bearer cmk_not-a-key"}
    response = client.post("/api/v1/comments", json=COMMENT, headers=wrong)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bodies_that_are_not_json_or_form_are_400(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    bad_json = client.post(
        "/api/v1/comments", data="{not json", content_type="application/json", headers=auth
    )
    assert bad_json.status_code == 400
    assert "not valid JSON" in bad_json.get_json()["error"]["message"]
    array = client.post("/api/v1/comments", json=[1, 2], headers=auth)
    assert array.status_code == 400
    plain = client.post("/api/v1/comments", data="hello", content_type="text/plain", headers=auth)
    assert plain.status_code == 400
    invalid_utf8 = client.post(
        "/api/v1/comments", data=b'{"comment": "\xff"}', content_type="application/json",
        headers=auth,
    )
    assert invalid_utf8.status_code == 400


def test_deeply_nested_json_is_400_not_500(client: FlaskClient, auth: dict[str, str]) -> None:
    deep = "[" * 5000 + "]" * 5000
    response = client.post(
        "/api/v1/comments", data=deep, content_type="application/json", headers=auth
    )
    assert response.status_code == 400


def test_oversized_body_is_413(client: FlaskClient, auth: dict[str, str]) -> None:
    body = json.dumps({**COMMENT, "comment": "z" * (70 * 1024)})
    response = client.post(
        "/api/v1/comments", data=body, content_type="application/json", headers=auth
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_intake_answers_202_even_when_redis_is_down(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    runtime.__dict__["redis"] = unreachable_redis()
    runtime.__dict__.pop("queue", None)
    response = client.post("/api/v1/comments", json=COMMENT, headers=auth)
    assert response.status_code == 202
    assert runtime.store.comments.get(response.get_json()["id"]) is not None


def test_a_site_reads_its_own_comment_and_gets_404_for_anothers(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    comment_id = client.post("/api/v1/comments", json=COMMENT, headers=auth).get_json()["id"]
    own = client.get(f"/api/v1/comments/{comment_id}", headers=auth)
    assert own.status_code == 200
    assert own.get_json()["status"] == "pending"
    _, other_key = runtime.store.sites.create("other-site")
    other = client.get(
        f"/api/v1/comments/{comment_id}", headers={"Authorization": f"Bearer {other_key}"}
    )
    assert other.status_code == 404


def test_openapi_document_describes_the_intake(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    post = document["paths"]["/api/v1/comments"]["post"]
    assert {"202", "400", "401", "413", "422"} <= set(post["responses"])


def test_health_reports_database_and_redis(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "redis": "ok"}


def test_security_headers_are_set(client: FlaskClient) -> None:
    headers = client.get("/healthz").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
