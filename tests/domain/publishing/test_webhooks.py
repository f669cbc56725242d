"""Outgoing webhooks: hand-over after publish, signed delivery, logging, retry on failure."""

from __future__ import annotations

import orjson
import pytest

from domain.infra.collaborators import Runtime
from domain.publishing import webhooks
from domain.publishing.publisher import result_payload
from domain.records import Comment, Site, Submission
from domain.scoring.score import score_now
from tests.support.receiver import receiving

SECRET = "whsec-7d1c2b3a"
SUBMISSION = Submission(
    article_id="russia-china-security",
    sender_name="Jt",
    email="jt@example.com",
    comment="Interesting comparison of the two spheres of influence.",
)


@pytest.fixture
def site(runtime: Runtime) -> Site:
    """A registered site."""
    site, _key = runtime.store.sites.create("daily-planet")
    return site


def _store_and_score(site: Site, runtime: Runtime) -> Comment:
    """Store the comment, then score and publish it at once (the compatibility endpoints' way)."""
    comment = runtime.store.comments.add(site, SUBMISSION)
    assert score_now(comment, runtime.store, runtime.scorer, runtime.publishing) is not None
    return comment


def test_signatures_use_corals_format_and_accept_any_listed_secret() -> None:
    message = b'{"a": 1}'
    header = webhooks.signature("old", message) + "," + webhooks.signature("new", message)
    assert header.startswith("sha256=") and header.count("sha256=") == 2
    assert webhooks.verify(message, header, ["new"])
    assert webhooks.verify(message, header, ["other", "old"])
    assert not webhooks.verify(message, header, ["other"])
    assert not webhooks.verify(message + b" ", header, ["old", "new"])
    assert not webhooks.verify(message, "", ["old"])


def test_a_stale_or_unsigned_webhook_fails_verification() -> None:
    body = b'{"status": "approved"}'
    headers = {
        webhooks.TIMESTAMP_HEADER: "1000",
        webhooks.SIGNATURE_HEADER: webhooks.signature(SECRET, b"1000." + body),
    }
    assert webhooks.verify_webhook(body, headers, SECRET, now=1010)
    assert not webhooks.verify_webhook(body, headers, SECRET, now=1000 + 301)
    assert not webhooks.verify_webhook(body, {**headers, webhooks.TIMESTAMP_HEADER: "1001"}, SECRET)
    assert not webhooks.verify_webhook(body, {}, SECRET)
    assert not webhooks.verify_webhook(body, {**headers, webhooks.TIMESTAMP_HEADER: "²"}, SECRET)


def test_published_decisions_of_webhook_sites_are_queued_and_delivered_signed(
    runtime: Runtime, site: Site
) -> None:
    with receiving([200]) as receiver:
        runtime.store.webhooks.set_webhook("daily-planet", receiver.url, SECRET)
        comment = _store_and_score(site, runtime)
        [decision_id] = webhooks.take_queued(runtime.redis)
        delivery = webhooks.deliver(decision_id, runtime.store)
        [request] = receiver.wait_for(1)
    assert delivery is not None and delivery.status_code == 200 and delivery.attempt == 1
    assert request.path == "/hooks/moderation"
    assert webhooks.verify_webhook(request.body, request.headers, SECRET)
    decision = runtime.store.webhooks.decision(decision_id)
    assert decision is not None
    assert orjson.loads(request.body) == orjson.loads(orjson.dumps(result_payload(decision)))
    assert orjson.loads(request.body)["comment_id"] == comment.id
    assert request.headers[webhooks.DECISION_HEADER] == str(decision_id)
    # Delivered once: a re-published decision is not sent again.
    assert webhooks.deliver(decision_id, runtime.store) is None


def test_a_failing_receiver_is_logged_and_the_retry_succeeds(runtime: Runtime, site: Site) -> None:
    with receiving([500, 200]) as receiver:
        runtime.store.webhooks.set_webhook("daily-planet", receiver.url, SECRET)
        _store_and_score(site, runtime)
        [decision_id] = webhooks.take_queued(runtime.redis)
        with pytest.raises(webhooks.DeliveryFailed):
            webhooks.deliver(decision_id, runtime.store, attempt=1)
        retried = webhooks.deliver(decision_id, runtime.store, attempt=2)
        first, second = receiver.wait_for(2)
    assert retried is not None and retried.ok
    assert first.body == second.body
    log = runtime.store.webhooks.deliveries(decision_id)
    assert [(d.attempt, d.status_code, d.error) for d in log] == [
        (1, 500, "HTTP 500"),
        (2, 200, None),
    ]
    assert {d.url for d in log} == {receiver.url}


def test_an_unreachable_receiver_is_a_failed_attempt(runtime: Runtime, site: Site) -> None:
    with receiving([200]) as receiver:
        url = receiver.url
    runtime.store.webhooks.set_webhook("daily-planet", url, None)
    _store_and_score(site, runtime)
    [decision_id] = webhooks.take_queued(runtime.redis)
    with pytest.raises(webhooks.DeliveryFailed):
        webhooks.deliver(decision_id, runtime.store)
    [attempt] = runtime.store.webhooks.deliveries(decision_id)
    assert attempt.status_code is None and attempt.error and "ConnectionError" in attempt.error


def test_sites_without_a_webhook_queue_nothing(runtime: Runtime, site: Site) -> None:
    _store_and_score(site, runtime)
    assert webhooks.take_queued(runtime.redis) == []
    runtime.store.webhooks.set_webhook("daily-planet", "http://127.0.0.1:9/", None)
    runtime.store.webhooks.set_webhook("daily-planet", None, None)
    _store_and_score(site, runtime)
    assert webhooks.take_queued(runtime.redis) == []
