"""Celery tasks run by beat: the sweep and retraining (thin shells over `domain`).

Scoring is not a task: intake pushes ids onto a Redis list and the batching consumer inside
each worker process scores them (workers/consumer.py, docs/architecture.md).
"""

from __future__ import annotations

from domain import training
from domain.scoring.sweep import sweep as sweep_comments
from workers.celery_app import app
from workers.context import runtime


@app.task(name="moderation.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    """Re-enqueue comments pending too long and re-publish unpublished results."""
    report = sweep_comments(runtime())
    return {"requeued": len(report.requeued), "republished": report.republished}


@app.task(name="moderation.retrain_if_needed", acks_late=True)
def retrain_if_needed() -> dict[str, object]:
    """Retrain when enough new labels arrived; the gate decides whether the candidate goes live."""
    rt = runtime()
    if not training.needs_retraining(rt):
        return {"skipped": "too few new labels"}
    return training.retrain(rt).as_dict()
