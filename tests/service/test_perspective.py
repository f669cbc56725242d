"""Perspective API compatibility: the request shapes Coral Talk and other clients send."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.store.tables import comments, labels
from tests.support.streams import read_results

BENIGN = "Interesting comparison of the two spheres of influence."
TOXIC = "You are a stupid idiot and a worthless piece of shit, shut up"
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"


def _count(runtime: Runtime, table: Any) -> int:
    """Rows in a table."""
    with runtime.store.db.read() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _coral_analyze(text: str, do_not_store: bool = True) -> dict[str, Any]:
    """The body Coral Talk's toxic phase sends (services/perspective: formatBody)."""
    return {
        "comment": {"text": text},
        "doNotStore": do_not_store,
        "requestedAttributes": {"TOXICITY": {}},
        "languages": ["en"],
    }


@pytest.fixture
def key(site_and_key: tuple[Site, str]) -> str:
    """The test site's API key, used as Perspective's `?key=`."""
    return site_and_key[1]


def test_coral_style_analyze_answers_perspectives_shape_and_stores_nothing(
    client: FlaskClient, key: str, runtime: Runtime
) -> None:
    response = client.post(f"{ANALYZE}?key={key}", json=_coral_analyze(TOXIC))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"attributeScores", "languages", "detectedLanguages"}
    summary = body["attributeScores"]["TOXICITY"]["summaryScore"]
    assert summary["type"] == "PROBABILITY" and summary["value"] > 0.9
    assert body["languages"] == ["en"] and body["detectedLanguages"] == ["en"]
    assert _count(runtime, comments) == 0


def test_toxic_text_scores_higher_than_an_ordinary_remark(client: FlaskClient, key: str) -> None:
    def value(text: str) -> float:
        body = client.post(f"{ANALYZE}?key={key}", json=_coral_analyze(text)).get_json()
        return float(body["attributeScores"]["TOXICITY"]["summaryScore"]["value"])

    assert value(TOXIC) > 0.9 > 0.5 > value(BENIGN)


def test_stored_analysis_records_a_verdict_and_publishes_it(
    client: FlaskClient, key: str, runtime: Runtime
) -> None:
    request = {**_coral_analyze(TOXIC, do_not_store=False), "communityId": "Coral:news.example"}
    request["clientToken"] = "token-1"
    response = client.post(f"{ANALYZE}?key={key}", json=request)
    assert response.get_json()["clientToken"] == "token-1"
    [entry] = read_results(runtime.redis, "daily-planet", 1)
    assert entry["article_id"] == "Coral:news.example" and entry["decided_by"] == "model"
    stored = runtime.store.comments.get(entry["comment_id"])
    assert stored is not None and stored.body == TOXIC
    assert (
        stored.sender_name == "perspective-client" and stored.email == "perspective@invalid.example"
    )
    assert stored.status.value == entry["status"] != "pending"


def test_every_supported_attribute_is_scored_from_the_model(
    client: FlaskClient, key: str, runtime: Runtime
) -> None:
    attributes = {"TOXICITY": {}, "SPAM": {}, "IDENTITY_ATTACK": {}, "PROFANITY": {}}
    request = {"comment": {"text": TOXIC}, "requestedAttributes": attributes, "doNotStore": True}
    scores = client.post(f"{ANALYZE}?key={key}", json=request).get_json()["attributeScores"]
    expected = runtime.models.current().score_one(TOXIC)
    assert scores["TOXICITY"]["summaryScore"]["value"] == expected.toxicity
    assert scores["SPAM"]["summaryScore"]["value"] == expected.spam
    assert scores["IDENTITY_ATTACK"]["summaryScore"]["value"] == expected.attributes["hate_speech"]
    assert scores["PROFANITY"]["summaryScore"]["value"] == expected.attributes["offensive"]


@pytest.mark.parametrize(
    ("attributes", "languages", "message"),
    [
        ({"FLIRTATION": {}}, ["en"], "Attribute FLIRTATION does not support request languages: en"),
        (
            {"SEXUALLY_EXPLICIT": {}},
            [],
            "Attribute SEXUALLY_EXPLICIT does not support request languages: en",
        ),
        ({"TOXICITY": {}}, ["ru"], "Attribute TOXICITY does not support request languages: ru"),
        ({"PROFANITY": {}}, ["de"], "Attribute PROFANITY does not support request languages: de"),
    ],
)
def test_attributes_we_cannot_score_honestly_get_perspectives_400(
    client: FlaskClient, key: str, attributes: dict[str, Any], languages: list[str], message: str
) -> None:
    request = {"comment": {"text": BENIGN}, "requestedAttributes": attributes}
    response = client.post(f"{ANALYZE}?key={key}", json={**request, "languages": languages})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error["code"], error["message"], error["status"]) == (400, message, "INVALID_ARGUMENT")
    assert error["details"][0]["errorType"] == "LANGUAGE_NOT_SUPPORTED_BY_ATTRIBUTE"


def test_drop_unsupported_attributes_keeps_the_ones_we_score(client: FlaskClient, key: str) -> None:
    request = {
        "comment": {"text": BENIGN},
        "requestedAttributes": {"TOXICITY": {}, "FLIRTATION": {}},
        "dropUnsupportedAttributes": True,
        "doNotStore": True,
    }
    body = client.post(f"{ANALYZE}?key={key}", json=request).get_json()
    assert list(body["attributeScores"]) == ["TOXICITY"]


def test_score_threshold_leaves_out_attributes_below_it(client: FlaskClient, key: str) -> None:
    request = {
        "comment": {"text": BENIGN},
        "requestedAttributes": {"TOXICITY": {"scoreThreshold": 0.9}, "SPAM": {"scoreThreshold": 0}},
        "doNotStore": True,
    }
    body = client.post(f"{ANALYZE}?key={key}", json=request).get_json()
    assert list(body["attributeScores"]) == ["SPAM"]


def test_span_annotations_point_at_the_words_that_made_it_toxic(
    client: FlaskClient, key: str
) -> None:
    request = {**_coral_analyze(TOXIC), "spanAnnotations": True}
    entry = client.post(f"{ANALYZE}?key={key}", json=request).get_json()["attributeScores"]
    spans = entry["TOXICITY"]["spanScores"]
    assert spans and all(s["score"]["type"] == "PROBABILITY" for s in spans)
    words = {TOXIC[s["begin"] : s["end"]] for s in spans}
    assert words & {"stupid", "idiot", "shit", "worthless"}
    benign = {**_coral_analyze(BENIGN), "spanAnnotations": True}
    [whole] = client.post(f"{ANALYZE}?key={key}", json=benign).get_json()["attributeScores"][
        "TOXICITY"
    ]["spanScores"]
    assert (whole["begin"], whole["end"]) == (0, len(BENIGN))


def test_pinned_versions_map_to_our_model_versions(
    client: FlaskClient, key: str, runtime: Runtime
) -> None:
    version = runtime.models.current().version
    request = {
        "comment": {"text": BENIGN},
        "requestedAttributes": {"TOXICITY@1": {}, f"SPAM@{version}": {}},
        "doNotStore": True,
    }
    body = client.post(f"{ANALYZE}?key={key}", json=request).get_json()
    assert set(body["attributeScores"]) == {"TOXICITY@1", f"SPAM@{version}"}
    unknown = {**request, "requestedAttributes": {"TOXICITY@99": {}}}
    response = client.post(f"{ANALYZE}?key={key}", json=unknown)
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == "INVALID_ARGUMENT"


def test_keys_are_checked_the_way_google_apis_check_them(client: FlaskClient) -> None:
    missing = client.post(ANALYZE, json=_coral_analyze(BENIGN))
    assert missing.status_code == 403
    assert missing.get_json() == {
        "error": {
            "code": 403,
            "message": "The request is missing a valid API key.",
            "status": "PERMISSION_DENIED",
        }
    }
    wrong = client.post(f"{ANALYZE}?key=nope", json=_coral_analyze(BENIGN))
    assert wrong.status_code == 400
    assert wrong.get_json()["error"]["message"] == "API key not valid. Please pass a valid API key."


def test_an_empty_comment_is_an_invalid_argument(client: FlaskClient, key: str) -> None:
    response = client.post(f"{ANALYZE}?key={key}", json=_coral_analyze("  "))
    assert response.status_code == 400
    assert response.get_json()["error"]["details"][0]["errorType"] == "COMMENT_EMPTY"


def test_suggest_score_records_coral_moderation_as_labels(
    client: FlaskClient, key: str, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    stored = client.post(f"{ANALYZE}?key={key}", json=_coral_analyze(TOXIC, do_not_store=False))
    assert stored.status_code == 200
    [entry] = read_results(runtime.redis, "daily-planet", 1)
    for text, value, token in [
        (TOXIC, 1, f"comment:{entry['comment_id']}"),
        (BENIGN, 0, "comment:5f1b6c1e-coral-id"),
    ]:
        request = {
            "comment": {"text": text},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": value}}},
            "languages": ["en"],
            "communityId": "Coral:https://news.example",
            "clientToken": token,
        }
        response = client.post(f"{SUGGEST}?key={key}", json=request)
        assert response.status_code == 200
        assert response.get_json() == {"clientToken": token}
    toxic, ok = runtime.store.labels.all()
    assert (toxic.text, toxic.label, toxic.source) == (TOXIC, "toxic", "perspective")
    assert toxic.comment_id == entry["comment_id"] and toxic.site_id == site_and_key[0].id
    assert (ok.text, ok.label, ok.comment_id) == (BENIGN, "ok", None)


def test_suggested_spam_scores_become_spam_and_ham_labels(
    client: FlaskClient, key: str, runtime: Runtime
) -> None:
    for value in (1, 0):
        request = {
            "comment": {"text": BENIGN},
            "attributeScores": {"SPAM": {"summaryScore": {"value": value}}},
        }
        assert client.post(f"{SUGGEST}?key={key}", json=request).get_json() == {}
    assert [label.label for label in runtime.store.labels.all()] == ["spam", "ham"]
    bad = {"comment": {"text": BENIGN}, "attributeScores": {"LIKELY_TO_REJECT": {}}}
    assert client.post(f"{SUGGEST}?key={key}", json=bad).status_code == 400
    assert _count(runtime, labels) == 2


def test_corals_status_feedback_teaches_approvals_and_never_fails(
    client: FlaskClient, key: str, runtime: Runtime
) -> None:
    """Coral names the suggested attribute after the decision (APPROVED / DELETED, value 1)."""

    def coral_feedback(status: str) -> dict[str, Any]:
        return {
            "comment": {"text": BENIGN},
            "context": {"entries": [{"text": '{"Coral_comment_id": "c-1"}'}]},
            "attributeScores": {status: {"summaryScore": {"value": 1}}},
            "languages": ["en"],
            "communityId": "Coral:https://news.example",
            "clientToken": "comment:c-1",
        }

    for status in ("APPROVED", "DELETED", "undefined"):
        response = client.post(f"{SUGGEST}?key={key}", json=coral_feedback(status))
        assert response.status_code == 200, status
    assert sorted(label.label for label in runtime.store.labels.all()) == ["ham", "ok"]
    not_coral = {**coral_feedback("undefined"), "communityId": "forum"}
    assert client.post(f"{SUGGEST}?key={key}", json=not_coral).status_code == 400


@pytest.mark.parametrize("pin", ["²", "٣", "9" * 5000, "-1"])
def test_a_pinned_version_that_is_not_a_plain_number_is_an_invalid_argument(
    client: FlaskClient, key: str, pin: str
) -> None:
    request = {"comment": {"text": BENIGN}, "requestedAttributes": {f"TOXICITY@{pin}": {}}}
    response = client.post(f"{ANALYZE}?key={key}", json=request)
    assert response.status_code == 400
    assert response.get_json()["error"]["status"] == "INVALID_ARGUMENT"


def test_requested_languages_are_honoured_and_detected_languages_returned(
    client: FlaskClient, key: str
) -> None:
    insult = "Du bist ein dummes Arschloch, halt dein Maul"
    body = client.post(f"{ANALYZE}?key={key}", json={
        "comment": {"text": insult}, "requestedAttributes": {"TOXICITY": {}},
        "languages": ["de"], "doNotStore": True}).get_json()
    assert body["languages"] == ["de"] and body["detectedLanguages"][0] == "de"
    civil = client.post(f"{ANALYZE}?key={key}", json={
        "comment": {"text": "Vielen Dank für den ausführlichen und klugen Artikel."},
        "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True}).get_json()
    assert civil["detectedLanguages"][0] == "de"
    assert (body["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
            > civil["attributeScores"]["TOXICITY"]["summaryScore"]["value"])


def test_a_detected_language_no_model_covers_gets_perspectives_error(
    client: FlaskClient, key: str
) -> None:
    response = client.post(f"{ANALYZE}?key={key}", json={
        "comment": {"text": "Эта статья полная чушь, автор идиот"},
        "requestedAttributes": {"TOXICITY": {}}, "doNotStore": True})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["message"] == "Attribute TOXICITY does not support request languages: ru"


def test_chinese_spans_are_character_spans_inside_the_text(client: FlaskClient, key: str) -> None:
    text = "你这个傻逼，滚出去，脑残"
    body = client.post(f"{ANALYZE}?key={key}", json={
        "comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}},
        "spanAnnotations": True, "doNotStore": True}).get_json()
    spans = body["attributeScores"]["TOXICITY"]["spanScores"]
    assert body["detectedLanguages"][0] == "zh"
    assert all(0 <= s["begin"] < s["end"] <= len(text) for s in spans)
    assert any(s["end"] - s["begin"] < len(text) for s in spans)
