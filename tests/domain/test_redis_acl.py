"""A per-site Redis user reads its own results and nothing else."""

from __future__ import annotations

import pytest
import redis

from domain import keys


def test_a_site_reader_sees_only_its_own_stream(redis_url: str) -> None:
    admin = redis.Redis.from_url(redis_url)
    admin.xadd(keys.results("planet"), {"status": "approved"})
    admin.xadd(keys.results("rival"), {"status": "approved"})
    admin.execute_command(
        "ACL", "SETUSER", "site-planet", "reset", "on", ">s3cret", *keys.site_reader_acl("planet")
    )
    try:
        site = redis.Redis.from_url(redis_url, username="site-planet", password="s3cret")
        assert len(site.xrange(keys.results("planet"))) == 1
        site.xgroup_create(keys.results("planet"), "backend", id="0")
        assert site.xreadgroup("backend", "c1", {keys.results("planet"): ">"})
        with pytest.raises(redis.exceptions.NoPermissionError):
            site.xrange(keys.results("rival"))
        with pytest.raises(redis.exceptions.NoPermissionError):
            site.get(keys.pending_queue())
        with pytest.raises(redis.exceptions.NoPermissionError):
            site.xadd(keys.results("planet"), {"status": "forged"})
    finally:
        admin.execute_command("ACL", "DELUSER", "site-planet")
