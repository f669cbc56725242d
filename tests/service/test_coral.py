"""Coral Talk's external moderation phase: signed requests in Coral's shape, Coral's answers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.publishing.webhooks import signature
from domain.records import Site
from service.compat.coral import plain_text
from service.compat.coral_reasons import CODES

BENIGN = "Interesting comparison of the two spheres of influence."
TOXIC = "You are a stupid idiot and a worthless piece of shit, shut up"
SPAM = "Check out my channel and subscribe!!! Win free money at http://spam.example.com"
SECRET = "ssc_4c1b0e0f-3f5e-4d9a-9a59-7c3f2d1e0b6a"
URL = "/coral/external-moderation?site=daily-planet"
RECORDED = Path(__file__).parent / "recordings" / "coral_external_moderation.json"
ABUSE_EXPLAINED = (
    "The comment contains insults, abuse or hateful language, which the site's rules for "
    "comments do not allow."
)


def _request(text: str, action: str = "NEW") -> dict[str, Any]:
    """The body Coral's external phase sends (phases/external.ts: ExternalModerationRequest)."""
    return {
        "action": action,
        "comment": {"body": text, "parentID": None},
        "author": {"id": "6c3a1f7e-6b52-4f0e-9a44-0f1f0f4bdb3a", "role": "COMMENTER"},
        "story": {"id": "a9f4b6b2-story", "url": "https://news.example/2026/russia-china"},
        "site": {"id": "c5f0e2d4-site"},
        "tenantID": "tenant-1",
        "tenantDomain": "news.example",
    }


def _post(client: FlaskClient, body: dict[str, Any], secrets: list[str] | None = None) -> Any:
    """POST as Coral does: JSON.stringify(data, null, 2), signed per secret, comma-joined."""
    raw = json.dumps(body, indent=2).encode()
    header = ",".join(signature(s, raw) for s in (secrets if secrets is not None else [SECRET]))
    return client.post(
        URL,
        data=raw,
        headers={"Content-Type": "application/json", "X-Coral-Signature": header},
    )


@pytest.fixture
def site(site_and_key: tuple[Site, str], runtime: Runtime) -> Site:
    """The test site, accepting Coral's signing secret."""
    runtime.store.webhooks.set_coral_secrets("daily-planet", [SECRET])
    return site_and_key[0]


def test_an_ordinary_comment_gets_no_opinion_and_is_recorded(
    client: FlaskClient, site: Site, runtime: Runtime
) -> None:
    response = _post(client, _request(BENIGN))
    assert response.status_code == 200
    assert response.get_json() == {}
    entry = runtime.redis.xrange("moderation:results:daily-planet")[0][1]
    stored = runtime.store.comments.get(entry[b"comment_id"].decode())
    assert stored is not None and stored.body == BENIGN
    assert stored.article_id == "a9f4b6b2-story"
    assert stored.permalink == "https://news.example/2026/russia-china"
    assert stored.email == "coral-6c3a1f7e-6b52-4f0e-9a44-0f1f0f4bdb3a@invalid.example"


def test_blatant_toxicity_and_spam_are_rejected_with_coral_reasons(
    client: FlaskClient, site: Site
) -> None:
    toxic = _post(client, _request(TOXIC)).get_json()
    assert toxic == {
        "status": "REJECTED",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}],
        "moderationAction": {
            "status": "REJECTED",
            "rejectionReason": {"code": "ABUSIVE", "detailedExplanation": ABUSE_EXPLAINED},
        },
    }
    spam = _post(client, _request(SPAM, action="EDIT")).get_json()
    assert spam["actions"] == [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_SPAM"}]
    assert spam["moderationAction"]["rejectionReason"]["code"] == "SPAM"


def test_a_recorded_coral_request_with_dsa_on_gets_a_rejection_reason(
    client: FlaskClient, site: Site, runtime: Runtime
) -> None:
    """Replays a request Coral's external phase sent, byte for byte, signature included."""
    raw = RECORDED.read_bytes()
    secret, header = "ssc_recorded-dsa-tenant", "X-Coral-Signature"
    runtime.store.webhooks.set_coral_secrets("daily-planet", [secret])
    response = client.post(
        URL,
        data=raw,
        headers={"Content-Type": "application/json", header: signature(secret, raw)},
    )
    body = response.get_json()
    assert body["status"] == "REJECTED"
    reason = body["moderationAction"]["rejectionReason"]
    assert reason["code"] in CODES and reason["code"] != "OTHER"
    assert set(reason) <= {"code", "legalGrounds", "detailedExplanation", "customReason"}


def test_a_flagged_comment_is_withheld_for_review(
    client: FlaskClient, site: Site, runtime: Runtime
) -> None:
    never_reject = {"flag": 0.5, "reject": 1.01}
    runtime.store.sites.set_policy(
        "daily-planet", {"thresholds": {"toxicity": never_reject, "spam": never_reject}}
    )
    assert _post(client, _request(TOXIC)).get_json() == {
        "status": "SYSTEM_WITHHELD",
        "actions": [{"actionType": "FLAG", "reason": "COMMENT_DETECTED_TOXIC"}],
    }


def test_signatures_are_checked_and_rotated_secrets_accepted(
    client: FlaskClient, site: Site
) -> None:
    assert _post(client, _request(BENIGN), secrets=["wrong"]).status_code == 401
    assert _post(client, _request(BENIGN), secrets=[]).status_code == 401
    # While Coral rotates, it signs with the old and the new secret.
    assert _post(client, _request(BENIGN), secrets=["ssc_new", SECRET]).status_code == 200
    raw = json.dumps(_request(BENIGN)).encode()
    tampered = client.post(
        URL,
        data=raw.replace(b"Interesting", b"Boring"),
        headers={"X-Coral-Signature": signature(SECRET, raw)},
    )
    assert tampered.status_code == 401


def test_a_site_without_a_coral_secret_refuses_and_unknown_sites_are_404(
    client: FlaskClient, site_and_key: tuple[Site, str]
) -> None:
    assert _post(client, _request(BENIGN)).status_code == 403
    response = client.post("/coral/external-moderation?site=nope", json=_request(BENIGN))
    assert response.status_code == 404


def test_html_bodies_are_scored_as_text() -> None:
    assert plain_text("<p>Hello <b>there</b></p><p>again &amp; again</p>") == (
        "Hello there\nagain & again"
    )
