"""Prototype scoring path, for `bench.e2e --variant celery-batches` only: celery-batches tasks.

    python -m bench.celery_batches_variant web|worker ...   (the arguments of `python -m cli`)

Issue #16 asked whether scoring could be real Celery tasks batched by `celery-batches` instead of
the batching consumer of a Redis list (workers/consumer.py). This module runs the service with
that path swapped in, without touching the service's code:

- intake sends one `moderation.score_comment` task per comment (where it RPUSHes an id today);
  the sweep's re-enqueueing goes the same way;
- the worker buffers those messages in a `celery_batches.Batches` task (flush every
  `MODERATION_BATCH_SIZE` messages or every `BENCH_BATCHES_FLUSH_MS`, default the consumer's
  linger) and hands each buffer to a pool process, which scores it with the consumer's
  `BatchScorer`;
- the batching consumer is not started.

It stayed a benchmark: measured beside the consumer it was slower than the 10 % the issue
allowed (docs/performance.md, "Scoring path: consumer or celery-batches"). celery-batches 0.11
also pins celery < 5.7, so `pip install celery-batches` downgrades Celery in the venv it is
installed into (the bench installs it only when asked for this variant).
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Any

from celery import Celery
from celery.signals import worker_process_init, worker_process_shutdown
from celery_batches import Batches, SimpleRequest

import workers.celery_app
import workers.consumer
from config import Settings
from domain.intake.pending_queue import PendingQueue
from domain.scoring.score import BatchScorer
from workers.celery_app import app
from workers.context import runtime

log = logging.getLogger(__name__)
READY = "celery-batches scorer ready"
TASK = "moderation.score_comment"

_scorer: BatchScorer | None = None


def _send_tasks(self: PendingQueue, comment_ids: Sequence[str]) -> bool:
    """One Celery task per comment, instead of an id on the pending list."""
    for comment_id in comment_ids:
        app.send_task(TASK, args=[comment_id])
    return True


def score_comment_batch(requests: list[SimpleRequest]) -> None:
    """Score one flush of `score_comment` messages with the consumer's BatchScorer."""
    global _scorer
    if _scorer is None:
        rt = runtime()
        _scorer = BatchScorer(rt.store, rt.scorer, rt.publishing)
    _scorer.score([str(request.args[0]) for request in requests])


def _on_child_start(**_: Any) -> None:
    """Load the model before the first batch, and say so (the bench waits for this line)."""
    runtime().models.current()
    log.info(READY)


def _on_child_stop(**_: Any) -> None:
    """Note the last batch as published before the pool process exits."""
    if _scorer is not None:
        _scorer.flush()


FLUSH_INTERVAL_ENV = "BENCH_BATCHES_FLUSH_MS"


def _flush_interval_ms(settings: Settings) -> float:
    """How long Batches buffers before a flush: BENCH_BATCHES_FLUSH_MS, else the consumer's linger.

    Unlike the consumer, Batches flushes on a timer whether or not the scoring process is free,
    so under load a short interval makes small batches and a long one adds latency.
    """
    return float(os.environ.get(FLUSH_INTERVAL_ENV) or settings.batch_linger_ms)


_configure = workers.celery_app.configure


def _configure_for_batches(settings: Settings) -> Celery:
    """The app as configured for the consumer, with room for a Batches buffer of unacked tasks."""
    configured = _configure(settings)
    configured.conf.worker_prefetch_multiplier = settings.batch_size
    return configured


def install(settings: Settings) -> None:
    """Swap the scoring path: tasks at intake, Batches in the worker, no consumer thread."""
    workers.celery_app.configure = _configure_for_batches
    _configure_for_batches(settings)
    app.task(
        name=TASK,
        base=Batches,
        acks_late=True,
        flush_every=settings.batch_size,
        flush_interval=_flush_interval_ms(settings) / 1000,
    )(score_comment_batch)
    PendingQueue.enqueue = _send_tasks  # type: ignore[method-assign]
    workers.consumer.start_consumers = lambda: None
    worker_process_init.connect(_on_child_start, weak=False)
    worker_process_shutdown.connect(_on_child_stop, weak=False)


if __name__ == "__main__":
    install(Settings.from_env())
    from cli.main import cli

    sys.argv[0] = "moderation"
    cli()
