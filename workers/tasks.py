"""Celery tasks run by beat: the sweep and retraining (thin shells over `domain`).

Scoring is not a task: intake pushes ids onto a Redis list and the batching consumer inside
each worker process scores them (workers/consumer.py, docs/architecture.md).
"""

from __future__ import annotations

from domain import training
from domain.infra.metrics import metrics
from domain.newsroom.authors import resume_erasures
from domain.newsroom.retention import apply_retention
from domain.policies.alerts import check_alerts
from domain.scoring.sweep import sweep as sweep_comments
from workers.celery_app import app
from workers.context import runtime


@app.task(name="moderation.sweep", acks_late=True)
def sweep() -> dict[str, int]:
    """Re-enqueue comments pending too long and re-publish unpublished results."""
    rt = runtime()
    report = sweep_comments(rt.store, rt.queue, rt.publishing, rt.settings.pending_grace_seconds)
    return {"requeued": len(report.requeued), "republished": report.republished}


@app.task(name="moderation.retrain_if_needed", acks_late=True)
def retrain_if_needed() -> dict[str, object]:
    """Retrain when enough new labels arrived; the gate decides whether the candidate goes live."""
    rt = runtime()
    registry = rt.models.registry
    if not training.needs_retraining(rt.store, registry, rt.settings.retrain_min_new_labels):
        metrics().retrains.labels(outcome="skipped").inc()
        return {"skipped": "too few new labels"}
    try:
        report = training.retrain(rt.store, registry)
    except Exception:
        metrics().retrains.labels(outcome="failed").inc()
        raise
    metrics().retrains.labels(outcome="promoted" if report.promoted else "rejected").inc()
    return report.as_dict()


@app.task(name="moderation.resume_erasures", acks_late=True)
def resume_unfinished_erasures() -> dict[str, int]:
    """Finish authors' erasures that an interrupted process left running."""
    return {str(job.id): job.comments_erased for job in resume_erasures(runtime().store)}


@app.task(name="moderation.apply_retention", acks_late=True)
def retention() -> dict[str, dict[str, int]]:
    """Purge what each site's retention policy no longer allows to keep."""
    return apply_retention(runtime().store)


@app.task(name="moderation.check_alerts", acks_late=True)
def alerts() -> list[str]:
    """Raise and deliver the alerts of sites whose queue, rejections or copies crossed a line."""
    rt = runtime()
    raised = check_alerts(rt.store.sites.all(), rt.store.alerts, rt.settings)
    return [f"{site.slug}:{finding.kind}" for site, finding, _ in raised]
