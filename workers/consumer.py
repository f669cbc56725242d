"""The batching consumer: each worker process scores whatever ids wait in the queue, in batches.

One Celery task per comment costs more CPU in Celery's machinery than scoring does, so intake
pushes ids onto a Redis list and each worker process takes them in batches: a handful at light
load (low latency), up to `batch_size` under load (high throughput). Ids are removed from the
list when taken; a process killed mid-batch leaves its comments pending in the database, and
the sweep re-enqueues them.
"""

from __future__ import annotations

import logging
import os
import threading
import time

import redis
from celery.signals import (
    worker_process_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

from domain.infra.metrics import metrics, process_exited
from domain.scoring.score import BatchScorer
from workers.context import reset_runtime, runtime

log = logging.getLogger(__name__)

WAIT_SECONDS = 1.0


class BatchingConsumer:
    """A thread that takes batches of ids off the pending queue and scores them."""

    def __init__(self, name: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Start consuming in the background."""
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the batch in hand, then stop."""
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        """Load the model first (training it once if needed), then consume until stopped."""
        rt = runtime()
        rt.models.current()
        rt.languages.current()  # before the first batch, not during it
        self._scorer = BatchScorer(rt.store, rt.scorer, rt.publishing)
        log.info("batching consumer ready")
        while not self._stop.is_set():
            try:
                ids = rt.consumer_queue.take(
                    rt.settings.batch_size, WAIT_SECONDS, rt.settings.batch_linger_ms / 1000
                )
            except redis.RedisError as error:
                if self._stop.is_set():
                    break  # stopping: nothing to wait for
                log.warning("pending queue unavailable, retrying: %s", error)
                self._stop.wait(WAIT_SECONDS)
                continue
            if ids:
                self._score(ids)
            else:
                self._flush()  # the queue ran dry: note the last batch as published now
        self._flush()

    def _score(self, ids: list[str]) -> None:
        """Score one batch; a failure leaves the comments pending for the sweep."""
        metrics().batch_size.observe(len(ids))
        try:
            self._scorer.score(ids)
        except Exception:
            log.exception("scoring a batch of %d comment(s) failed; the sweep will retry", len(ids))
            time.sleep(0.5)

    def _flush(self) -> None:
        """Mark the last published batch; if the database is away the sweep re-marks it."""
        try:
            self._scorer.flush()
        except Exception:
            log.exception("marking published results failed; the sweep will re-publish them")


_consumers: list[BatchingConsumer] = []


def start_consumers() -> None:
    """Start this process's consumers (a pool child, or the solo/threads worker itself)."""
    count = max(1, runtime().settings.consumers_per_worker)
    for index in range(count):
        consumer = BatchingConsumer(name=f"batching-consumer-{index}")
        consumer.start()
        _consumers.append(consumer)


def stop_consumers() -> None:
    """Stop this process's consumers after their current batch."""
    for consumer in _consumers:
        consumer.stop()
    _consumers.clear()


@worker_process_init.connect
def _on_pool_child_start(**_: object) -> None:
    """A prefork child must not share its parent's connections; it gets its own consumers."""
    reset_runtime()
    start_consumers()


@worker_process_shutdown.connect
def _on_pool_child_stop(**_: object) -> None:
    """Let the child's consumers finish their batch before it exits."""
    stop_consumers()
    process_exited(os.getpid())


@worker_ready.connect
def _on_worker_ready(sender: object = None, **_: object) -> None:
    """Pools without child processes (solo, threads) run the consumers in the worker itself."""
    pool = getattr(getattr(sender, "pool", None), "__class__", type(None)).__module__
    if "prefork" not in pool:
        start_consumers()


@worker_shutdown.connect
def _on_worker_stop(**_: object) -> None:
    """Stop in-process consumers on warm shutdown."""
    stop_consumers()
