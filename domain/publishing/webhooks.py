"""Signed webhooks: results POSTed to sites that prefer HTTP to Redis, and HMAC signatures.

A decision is handed over after it reached the site's Redis stream: its id goes onto a Redis
list, a beat task moves the ids into one Celery delivery task each, and each task POSTs the same
JSON as the stream entry, retrying with back-off. Every attempt is logged in
`webhook_deliveries`; a decision already delivered is not sent again.

Signatures follow Coral Talk's format, `sha256=<hex HMAC-SHA256>`, several comma-separated
while secrets rotate. Ours sign `<timestamp>.<body>` and send the timestamp in its own header,
so a receiver can refuse a replayed request.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

import orjson
import redis
import requests
from sqlalchemy.exc import SQLAlchemyError

from domain.infra import redis_keys
from domain.publishing.publisher import result_payload
from domain.records import Decision
from domain.store import Store
from domain.store.accounts.integrations import Delivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Moderation-Signature"
TIMESTAMP_HEADER = "X-Moderation-Timestamp"
DECISION_HEADER = "X-Moderation-Decision"
TIMEOUT = (3.05, 5.0)  # connect, read: a slow receiver must not hold a worker
REPLAY_TOLERANCE_SECONDS = 300

Post = Callable[..., requests.Response]


class DeliveryFailed(Exception):
    """The receiver did not answer 2xx in time; the task retries later."""


def signature(secret: str, message: bytes) -> str:
    """`sha256=<hex>`: the HMAC-SHA256 of a message under a secret."""
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signed_message(timestamp: str, body: bytes) -> bytes:
    """What our webhooks sign: the timestamp, a dot, and the raw body."""
    return timestamp.encode("ascii") + b"." + body


def verify(message: bytes, header: str, secrets: Sequence[str]) -> bool:
    """Whether any `sha256=<hex>` in a comma-separated header signs the message under a secret."""
    offered = [
        part.strip().removeprefix("sha256=")
        for part in header.split(",")
        if part.strip().startswith("sha256=")
    ]
    matched = False
    for secret in secrets:
        expected = signature(secret, message).removeprefix("sha256=")
        for candidate in offered:
            # Compare every pair, so timing says nothing about which secret matched.
            matched |= hmac.compare_digest(expected, candidate)
    return matched


def verify_webhook(body: bytes, headers: Any, secret: str, now: float | None = None) -> bool:
    """What a receiver of our webhooks checks: a fresh timestamp and a matching signature."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):  # isdigit() would let "²" reach int()
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > REPLAY_TOLERANCE_SECONDS:
        return False
    return verify(signed_message(timestamp, body), headers.get(SIGNATURE_HEADER, ""), [secret])


def hand_over(decisions: Sequence[Decision], store: Store, client: redis.Redis) -> int:
    """Queue the published decisions of sites with a webhook; never fails the caller's publish."""
    if not decisions:
        return 0
    try:
        sites = store.sites.cached_by_id()
        ids = [d.id for d in decisions if d.site_id in sites and sites[d.site_id].webhook_url]
        if ids:
            client.rpush(redis_keys.webhook_queue(), *ids)
    except (redis.RedisError, SQLAlchemyError) as error:
        # The result is on the site's stream already; only its HTTP copy is lost.
        log.warning("queueing %d webhook(s) failed: %s", len(decisions), error)
        return 0
    return len(ids)


def take_queued(client: redis.Redis, limit: int = 500) -> list[int]:
    """Take up to `limit` decision ids waiting for delivery."""
    raw = client.lpop(redis_keys.webhook_queue(), limit) or []
    return [int(value) for value in raw]


def deliver(
    decision_id: int,
    store: Store,
    attempt: int = 1,
    post: Post = requests.post,
    clock: Callable[[], float] = time.time,
) -> Delivery | None:
    """POST one decision's result to its site's webhook and log the attempt.

    Returns None when there is nothing to send (delivered already, webhook removed); raises
    DeliveryFailed when the receiver fails, so the task retries.
    """
    if store.webhooks.delivered(decision_id):
        return None
    decision = store.webhooks.decision(decision_id)
    target = store.webhooks.target(decision.site_id) if decision else None
    if decision is None or target is None:
        return None
    body = orjson.dumps(result_payload(decision))
    timestamp = str(int(clock()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "comment-moderation-webhooks/1",
        TIMESTAMP_HEADER: timestamp,
        DECISION_HEADER: str(decision_id),
    }
    if target.secret:
        headers[SIGNATURE_HEADER] = signature(target.secret, signed_message(timestamp, body))
    status_code: int | None = None
    error: str | None = None
    try:
        response = post(
            target.url, data=body, headers=headers, timeout=TIMEOUT, allow_redirects=False
        )
        status_code = response.status_code
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    delivery = Delivery(decision_id, decision.site_id, target.url, attempt, status_code, error)
    store.webhooks.record(delivery)
    if not delivery.ok:
        raise DeliveryFailed(f"webhook for decision {decision_id}, attempt {attempt}: {error}")
    return delivery
