"""Intake's key cache (domain/intake/site_keys.py): fast, and never wrong about a changed site."""

from __future__ import annotations

import redis
from flask.testing import FlaskClient

from cli.context import open_store
from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from domain.records import Site

COMMENT = {
    "article_id": "a-1",
    "sender_name": "Ada",
    "email": "ada@example.org",
    "comment": "A fair point about the council's budget.",
}


def _post(client: FlaskClient, key: str, **fields: str) -> int:
    """POST a comment signed with ``key``; the status code."""
    body = {**COMMENT, **fields}
    headers = {"Authorization": f"Bearer {key}"}
    return client.post("/api/v1/comments", json=body, headers=headers).status_code


def test_the_cache_remembers_a_key_by_its_hash_only(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    _, key = site_and_key
    assert _post(client, key) == 202
    entry = runtime.site_keys.cached(key)
    assert entry is not None and entry.site.slug == "daily-planet"
    assert key not in repr(entry)  # hashed secrets stay hashed, in memory too
    assert _post(client, key, comment="Another remark on the same budget.") == 202


def test_a_key_rotated_by_the_cli_is_refused_at_once_by_a_web_process_that_cached_it(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    _, old_key = site_and_key
    assert _post(client, old_key) == 202
    assert runtime.site_keys.cached(old_key) is not None  # the next request would use it
    operator = open_store(runtime.settings)  # `moderation sites rotate-key`, another process
    try:
        new_key = operator.sites.rotate_key("daily-planet")
    finally:
        operator.dispose()
    assert _post(client, old_key, comment="Sent with the old key.") == 401
    assert _post(client, old_key, comment="") == 401  # not a 422: the key is refused first
    assert _post(client, new_key, comment="Sent with the new key.") == 202


def test_a_policy_changed_elsewhere_applies_to_the_next_comment(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    _, key = site_and_key
    assert _post(client, key) == 202
    operator = open_store(runtime.settings)
    try:
        operator.sites.set_policy("daily-planet", {"honeypot_field": "website"})
    finally:
        operator.dispose()
    response = client.post(
        "/api/v1/comments",
        json={**COMMENT, "comment": "Buy now, great offer.", "website": "http://spam.example"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "rejected"  # the new policy's trap caught it


def test_without_redis_confirmation_the_key_is_read_from_the_database(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    _, key = site_and_key
    assert _post(client, key) == 202
    # A change whose announcement was lost: the counter moves on without the cache knowing.
    redis.Redis.from_url(runtime.settings.redis_url or "").incr(redis_keys.sites_generation())
    assert _post(client, key, comment="After an unannounced change.") == 202
    entry = runtime.site_keys.cached(key)
    assert entry is not None and entry.generation != "0"  # re-read under the new generation
