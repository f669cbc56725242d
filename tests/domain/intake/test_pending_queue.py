"""The pending queue: a lone id goes at once; under load, batches are topped up briefly."""

from __future__ import annotations

import threading
import time

import redis

from domain.infra import redis_keys
from domain.intake.pending_queue import PendingQueue


def test_a_lone_id_that_we_waited_for_is_taken_without_lingering(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    queue = PendingQueue(client)
    arrives = threading.Timer(0.05, lambda: client.rpush(redis_keys.pending_queue(), "a"))
    arrives.start()
    started = time.monotonic()
    assert queue.take(100, wait_seconds=2, linger_seconds=5) == ["a"]
    assert time.monotonic() - started < 1
    arrives.join()


def test_work_already_waiting_means_load_so_the_batch_is_topped_up(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    queue = PendingQueue(client)
    queue.enqueue(["a"])
    late = threading.Timer(0.05, lambda: client.rpush(redis_keys.pending_queue(), "b"))
    late.start()
    assert queue.take(100, wait_seconds=1, linger_seconds=0.5) == ["a", "b"]
    late.join()


def test_a_batch_under_load_is_topped_up_after_a_short_linger(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    queue = PendingQueue(client)
    queue.enqueue(["a", "b"])
    late = threading.Timer(0.05, lambda: client.rpush(redis_keys.pending_queue(), "c", "d"))
    late.start()
    assert queue.take(100, wait_seconds=1, linger_seconds=0.5) == ["a", "b", "c", "d"]
    late.join()


def test_take_never_exceeds_the_batch_size(redis_url: str) -> None:
    queue = PendingQueue(redis.Redis.from_url(redis_url))
    queue.enqueue([str(n) for n in range(10)])
    assert queue.take(4, wait_seconds=1, linger_seconds=0.01) == ["0", "1", "2", "3"]
    assert queue.depth() == 6
