"""A per-site Redis user reads its own results and nothing else."""

from __future__ import annotations

import pytest
import redis

from domain.infra import redis_keys


def test_a_site_reader_sees_only_its_own_stream(redis_url: str) -> None:
    admin = redis.Redis.from_url(redis_url)
    admin.xadd(redis_keys.results("planet"), {"status": "approved"})
    admin.xadd(redis_keys.results("rival"), {"status": "approved"})
    admin.execute_command(
        "ACL", "SETUSER", "site-planet", "reset", "on", ">s3cret",
        *redis_keys.site_reader_acl("planet"),
    )
    try:
        site = redis.Redis.from_url(redis_url, username="site-planet", password="s3cret")
        assert len(site.xrange(redis_keys.results("planet"))) == 1
        site.xgroup_create(redis_keys.results("planet"), "backend", id="0")
        assert site.xreadgroup("backend", "c1", {redis_keys.results("planet"): ">"})
        with pytest.raises(redis.exceptions.NoPermissionError):
            site.xrange(redis_keys.results("rival"))
        with pytest.raises(redis.exceptions.NoPermissionError):
            site.get(redis_keys.pending_queue())
        with pytest.raises(redis.exceptions.NoPermissionError):
            site.xadd(redis_keys.results("planet"), {"status": "forged"})
    finally:
        admin.execute_command("ACL", "DELUSER", "site-planet")
