"""Floods and abuse at intake: rate limits, duplicates, form traps; all degrade without Redis."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from config import Settings
from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from service.app import create_app
from tests.support.intake import comment_fields
from tests.support.unreachable_redis import unreachable_redis


@pytest.fixture
def limited_runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime with small limits so a test can reach them."""
    runtime = Runtime(
        settings.with_overrides(rate_limit_author="3/minute", rate_limit_site="8/minute")
    )
    runtime.store.migrate()
    yield runtime
    runtime.store.dispose()


@pytest.fixture
def limited(limited_runtime: Runtime) -> tuple[FlaskClient, dict[str, str]]:
    """A client and the auth headers of a site on the limited runtime."""
    _, key = limited_runtime.store.sites.create("planet")
    client = create_app(runtime=limited_runtime).test_client()
    return client, {"Authorization": f"Bearer {key}"}


def post(client: FlaskClient, auth: dict[str, str], n: int, **fields: str):  # noqa: ANN201
    """Post the n-th distinct comment with the given author fields."""
    return client.post(
        "/api/v1/comments",
        json=comment_fields(f"Remark number {n} on the article.", **fields),
        headers=auth,
    )


def test_an_author_ip_over_its_limit_gets_429_with_retry_after(limited) -> None:  # noqa: ANN001
    client, auth = limited
    same_ip = {"author_ip": "203.0.113.5"}
    statuses = [
        post(client, auth, n, email=f"r{n}@example.com", **same_ip).status_code for n in range(4)
    ]
    assert statuses == [202, 202, 202, 429]
    refused = post(client, auth, 9, email="r9@example.com", **same_ip)
    assert int(refused.headers["Retry-After"]) >= 1
    assert "author ip" in refused.get_json()["error"]["message"]
    assert post(client, auth, 10, email="x@example.com", author_ip="203.0.113.6").status_code == 202


def test_an_email_over_its_limit_gets_429_whatever_its_ip(limited) -> None:  # noqa: ANN001
    client, auth = limited
    statuses = [post(client, auth, n, author_ip=f"203.0.113.{n}").status_code for n in range(4)]
    assert statuses == [202, 202, 202, 429]


def test_the_site_key_has_its_own_limit(limited) -> None:  # noqa: ANN001
    client, auth = limited
    statuses = [
        post(client, auth, n, email=f"r{n}@example.com", author_ip=f"203.0.113.{n}").status_code
        for n in range(9)
    ]
    assert statuses == [202] * 8 + [429]


def test_limits_fail_open_while_redis_is_away(limited_runtime: Runtime) -> None:
    limited_runtime.__dict__["redis"] = unreachable_redis()
    _, key = limited_runtime.store.sites.create("planet")
    client = create_app(runtime=limited_runtime).test_client()
    auth = {"Authorization": f"Bearer {key}"}
    assert {post(client, auth, n).status_code for n in range(5)} == {202}


def test_the_same_text_from_the_same_author_is_a_duplicate(
    client: FlaskClient, auth: dict[str, str]
) -> None:
    first = client.post("/api/v1/comments", json=comment_fields("Same words."), headers=auth)
    again = client.post("/api/v1/comments", json=comment_fields("same   WORDS."), headers=auth)
    other = client.post(
        "/api/v1/comments", json=comment_fields("Same words.", email="b@example.com"), headers=auth
    )
    assert first.status_code == 202 and other.status_code == 202
    assert again.status_code == 409
    assert again.get_json()["id"] == first.get_json()["id"]


def test_an_opted_in_honeypot_rejects_by_rule_and_publishes(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    runtime.store.sites.set_policy("daily-planet", {"honeypot_field": "website"})
    caught = client.post(
        "/api/v1/comments", json=comment_fields("Hello", website="http://x.example"), headers=auth
    )
    assert caught.status_code == 202
    stored = runtime.store.comments.get(caught.get_json()["id"])
    assert stored is not None and stored.status.value == "rejected"
    assert stored.decided_by is not None and stored.decided_by.value == "rule"
    assert stored.reasons == ["rule:honeypot"]
    [(_, entry)] = runtime.redis.xrange(redis_keys.results("daily-planet"))
    assert entry[b"decided_by"] == b"rule" and entry[b"status"] == b"rejected"
    human = client.post("/api/v1/comments", json=comment_fields("Hi", website=""), headers=auth)
    assert runtime.store.comments.get(human.get_json()["id"]).status.value == "pending"


def test_a_form_filled_faster_than_the_minimum_is_rejected_by_rule(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime
) -> None:
    runtime.store.sites.set_policy("daily-planet", {"min_fill_seconds": 3})
    fast = comment_fields("Quick one", form_rendered_at=str(time.time() - 0.5))
    slow = comment_fields("Slow one", form_rendered_at=str(time.time() - 30))
    fast_id = client.post("/api/v1/comments", json=fast, headers=auth).get_json()["id"]
    slow_id = client.post("/api/v1/comments", json=slow, headers=auth).get_json()["id"]
    assert runtime.store.comments.get(fast_id).reasons == ["rule:filled_too_fast"]
    assert runtime.store.comments.get(slow_id).status.value == "pending"


def test_emails_and_ips_stay_out_of_log_lines(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runtime.__dict__["redis"] = unreachable_redis()
    for name in ("queue", "abuse"):
        runtime.__dict__.pop(name, None)
    fields = comment_fields("Logged?", email="secret.person@example.com", author_ip="192.0.2.77")
    assert client.post("/api/v1/comments", json=fields, headers=auth).status_code == 202
    assert caplog.records, "the Redis outage should have been logged"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "secret.person" not in logged and "192.0.2.77" not in logged
    assert auth["Authorization"].split()[1] not in logged
