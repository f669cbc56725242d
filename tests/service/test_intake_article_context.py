"""Intake's optional newsroom fields: section, article title and URL, stored and returned."""

from __future__ import annotations

from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from tests.service.test_intake_api import COMMENT

CONTEXT = {
    "section": "world",
    "article_title": "Russia and China sign a security pact",
    "article_url": "https://news.example/world/russia-china",
}


def test_section_title_and_url_are_stored_and_returned(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    response = client.post("/api/v1/comments", json={**COMMENT, **CONTEXT}, headers=auth)
    assert response.status_code == 202
    comment_id = response.get_json()["id"]
    stored = runtime.store.comments.get(comment_id)
    assert stored is not None
    assert (stored.section, stored.article_title, stored.article_url) == tuple(CONTEXT.values())
    document = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert {name: document[name] for name in CONTEXT} == CONTEXT


def test_the_fields_are_optional_and_come_back_as_null(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    comment_id = client.post("/api/v1/comments", data=COMMENT, headers=auth).get_json()["id"]
    document = client.get(f"/api/v1/comments/{comment_id}", headers=auth).get_json()
    assert [document[name] for name in CONTEXT] == [None, None, None]


def test_bad_values_answer_422_with_every_problem(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    bad = {"section": "s" * 65, "article_title": "t" * 301, "article_url": "javascript:alert(1)"}
    response = client.post("/api/v1/comments", json={**COMMENT, **bad}, headers=auth)
    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "section": ["Section must be at most 64 characters (it has 65)"],
        "article_title": ["Article title must be at most 300 characters (it has 301)"],
        "article_url": ["Article URL must be an http:// or https:// address"],
    }
    wrong_type = client.post("/api/v1/comments", json={**COMMENT, "article_url": 7}, headers=auth)
    assert wrong_type.get_json()["errors"] == {"article_url": ["Article URL must be a string"]}


def test_the_openapi_document_names_the_fields(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    text = str(document)
    assert all(name in text for name in CONTEXT)
