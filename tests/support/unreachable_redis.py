"""A Redis client, made as the service makes its own, that points where nothing listens."""

from __future__ import annotations

from redis import Redis

from domain.infra.redis_url import redis_client

NOTHING_LISTENS = "redis://127.0.0.1:1/0"


def unreachable_redis() -> Redis:
    """The service's kind of client (short timeouts, its retry policy) for a Redis that is away."""
    return redis_client(NOTHING_LISTENS, socket_timeout=0.2, socket_connect_timeout=0.2)
