"""REDIS_URL may name a Sentinel set; plain URLs are left as they are."""

from __future__ import annotations

import pytest

from domain.infra.redis_url import SentinelSet, celery_broker, parse_sentinel_url


def test_a_sentinel_url_names_its_sentinels_master_database_and_password() -> None:
    parsed = parse_sentinel_url("redis+sentinel://:s%40cret@a:26380,b/moderation/2")
    assert parsed == SentinelSet((("a", 26380), ("b", 26379)), "moderation", 2, "s@cret")


def test_celery_gets_kombus_sentinel_form() -> None:
    broker, options = celery_broker("redis+sentinel://a:1,b:2/moderation")
    assert broker == "sentinel://a:1/0;sentinel://b:2/0"
    assert options == {"master_name": "moderation"}
    assert celery_broker("redis://r:6379/0") == ("redis://r:6379/0", {})


def test_a_sentinel_url_without_a_master_name_is_refused() -> None:
    with pytest.raises(ValueError, match="master-name"):
        parse_sentinel_url("redis+sentinel://a:26379")
