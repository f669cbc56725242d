"""Reading a site's results stream the way an integrating site does."""

from __future__ import annotations

import time

import redis

from domain.infra import redis_keys


def read_results(
    client: redis.Redis, site: str, count: int, timeout: float = 60.0
) -> list[dict[str, str]]:
    """Wait until the site's stream holds `count` entries and return them decoded."""
    deadline = time.monotonic() + timeout
    entries: list[dict[str, str]] = []
    while time.monotonic() < deadline:
        raw = client.xrange(redis_keys.results(site))
        entries = [{k.decode(): v.decode() for k, v in fields.items()} for _, fields in raw]
        if len(entries) >= count:
            return entries
        time.sleep(0.1)
    raise AssertionError(f"expected {count} results on {site}, got {len(entries)}: {entries}")
