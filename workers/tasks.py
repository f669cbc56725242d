"""Celery tasks: thin shells that hand ids to the plain functions in `domain`."""

from __future__ import annotations

import redis

from domain import pipeline, retraining
from workers.celery_app import app
from workers.runtime import runtime


@app.task(
    name="moderation.score_comments",
    acks_late=True,
    autoretry_for=(redis.RedisError,),
    retry_backoff=True,
    max_retries=10,
)
def score_comments(comment_ids: list[str]) -> int:
    """Score a batch of comments by id; idempotent, so redelivery is harmless."""
    return len(pipeline.score_comments(comment_ids, runtime()))


@app.task(name="moderation.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    """Re-enqueue comments pending too long and re-publish unpublished results."""
    report = pipeline.sweep(runtime())
    return {"requeued": len(report.requeued), "republished": report.republished}


@app.task(name="moderation.retrain_if_needed", acks_late=True)
def retrain_if_needed() -> dict[str, object]:
    """Retrain when enough new labels arrived; the gate decides whether the candidate goes live."""
    rt = runtime()
    if not retraining.needs_retraining(rt):
        return {"skipped": "too few new labels"}
    return retraining.retrain(rt).as_dict()
