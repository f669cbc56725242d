"""REDIS_URL may name a Sentinel set; plain URLs are left as they are."""

from __future__ import annotations

import socket
import threading

import pytest
import redis

from domain.infra.redis_url import SentinelSet, celery_broker, parse_sentinel_url, redis_client


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


def test_a_command_against_a_redis_that_drops_connections_is_tried_twice_then_fails() -> None:
    """One quick retry heals a dropped idle connection; more would stall callers for seconds."""
    listener = socket.create_server(("127.0.0.1", 0))
    attempts: list[int] = []

    def accept_and_hang_up() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            attempts.append(1)
            connection.close()

    threading.Thread(target=accept_and_hang_up, daemon=True).start()
    client = redis_client(f"redis://127.0.0.1:{listener.getsockname()[1]}/0",
                          socket_timeout=0.5, socket_connect_timeout=0.5)
    with pytest.raises(redis.ConnectionError):
        client.ping()
    listener.close()
    assert len(attempts) == 2
