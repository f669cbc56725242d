"""Intake's key cache (domain/intake/site_keys.py): fast, and never wrong about a changed site."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis
from flask.testing import FlaskClient

from cli.context import open_store
from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.store import Store

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


def _as_operator(runtime: Runtime, change: Callable[[Store], object]) -> object:
    """Change a site from another process's store, as `moderation sites ...` does."""
    operator = open_store(runtime.settings)
    try:
        return change(operator)
    finally:
        operator.dispose()


@pytest.fixture
def cached_key(client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]) -> str:
    """The site's key, after one comment put it in the web process's cache."""
    _, key = site_and_key
    assert _post(client, key) == 202
    assert runtime.site_keys.cached(key) is not None  # the next request uses the cache
    return key


def test_the_cache_remembers_a_key_by_its_hash_only(
    client: FlaskClient, runtime: Runtime, cached_key: str
) -> None:
    key = cached_key
    entry = runtime.site_keys.cached(key)
    assert entry is not None and entry.site.slug == "daily-planet"
    assert key not in repr(entry)  # hashed secrets stay hashed, in memory too
    assert _post(client, key, comment="Another remark on the same budget.") == 202


def test_a_key_rotated_by_the_cli_is_refused_at_once_by_a_web_process_that_cached_it(
    client: FlaskClient, runtime: Runtime, cached_key: str
) -> None:
    old_key = cached_key
    new_key = str(_as_operator(runtime, lambda store: store.sites.rotate_key("daily-planet")))
    assert _post(client, old_key, comment="Sent with the old key.") == 401
    assert _post(client, old_key, comment="") == 401  # not a 422: the key is refused first
    assert _post(client, new_key, comment="Sent with the new key.") == 202


def test_a_policy_changed_elsewhere_applies_to_the_next_comment(
    client: FlaskClient, runtime: Runtime, cached_key: str
) -> None:
    key = cached_key
    _as_operator(
        runtime, lambda store: store.sites.set_policy("daily-planet", {"honeypot_field": "website"})
    )
    response = client.post(
        "/api/v1/comments",
        json={**COMMENT, "comment": "Buy now, great offer.", "website": "http://spam.example"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 202
    assert response.get_json()["status"] == "rejected"  # the new policy's trap caught it


def test_without_redis_confirmation_the_key_is_read_from_the_database(
    client: FlaskClient, runtime: Runtime, cached_key: str
) -> None:
    key = cached_key
    # A change whose announcement was lost: the counter moves on without the cache knowing.
    redis.Redis.from_url(runtime.settings.redis_url or "").incr(redis_keys.sites_generation())
    assert _post(client, key, comment="After an unannounced change.") == 202
    entry = runtime.site_keys.cached(key)
    assert entry is not None and entry.generation != "0"  # re-read under the new generation
