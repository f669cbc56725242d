"""The Redis list of comment ids waiting to be scored."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import cast

import redis

from domain.infra import redis_keys
from domain.infra.breaker import Breaker

log = logging.getLogger(__name__)


class PendingQueue:
    """Feeds comment ids to the workers' batching consumers.

    Losing an id here loses nothing: the comment is already stored as pending and the sweep
    re-enqueues it. So enqueueing never blocks intake for long, and after a failure it skips
    Redis for a moment instead of paying a timeout on every request.
    """

    def __init__(self, client: redis.Redis, backoff_seconds: float = 1.0) -> None:
        self._client = client
        self._breaker = Breaker(backoff_seconds)

    def enqueue(self, comment_ids: Sequence[str]) -> bool:
        """Add ids to the queue; False (logged) when Redis is unavailable."""
        if not comment_ids:
            return True
        if not self._breaker.closed:
            return False
        try:
            self._client.rpush(redis_keys.pending_queue(), *comment_ids)
        except redis.RedisError as error:
            self._breaker.trip()
            log.warning(
                "could not enqueue %d comment(s), the sweep will: %s", len(comment_ids), error
            )
            return False
        return True

    def take(self, max_items: int, wait_seconds: float, linger_seconds: float = 0.0) -> list[str]:
        """Wait up to `wait_seconds` for work, then take what is waiting, up to `max_items`.

        A lone id that we had to wait for is taken at once (light load: lowest latency). When
        work was already waiting, comments arrive faster than we take them, so linger briefly
        and top the batch up: each batch costs a fixed few milliseconds of database and Redis
        work, and bigger batches spread it thinner.
        """
        waiting = self._pop(max_items)  # work already waiting: the consumer is behind
        if waiting:
            return self._top_up(waiting, max_items, linger_seconds)
        first = self._client.blpop([redis_keys.pending_queue()], timeout=wait_seconds)
        if first is None:
            return []
        ids = [_text(first[1])] + self._pop(max_items - 1)
        if len(ids) == 1:  # a lone arrival: take it now
            return ids
        return self._top_up(ids, max_items, linger_seconds)  # several arrived together

    def _top_up(self, ids: list[str], max_items: int, linger_seconds: float) -> list[str]:
        """Linger briefly, then add what arrived meanwhile (up to ``max_items`` in all)."""
        if len(ids) < max_items and linger_seconds > 0:
            time.sleep(linger_seconds)
            ids += self._pop(max_items - len(ids))
        return ids

    def _pop(self, count: int) -> list[str]:
        """Take up to `count` ids without waiting."""
        if count <= 0:
            return []
        more = self._client.lpop(redis_keys.pending_queue(), count) or []
        return [_text(item) for item in cast(list[bytes], more)]

    def depth(self) -> int:
        """How many ids wait in the queue."""
        return int(self._client.llen(redis_keys.pending_queue()))


def _text(value: bytes | str) -> str:
    """Redis replies are bytes unless the client decodes them."""
    return value.decode() if isinstance(value, bytes) else value
