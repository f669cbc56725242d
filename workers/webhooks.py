"""Celery tasks that deliver results to sites' webhooks (logic: `domain.publishing.webhooks`)."""

from __future__ import annotations

from celery import Task

from domain.publishing import webhooks
from workers.celery_app import app
from workers.context import runtime


@app.task(
    name="moderation.deliver_webhook",
    bind=True,
    acks_late=True,
    autoretry_for=(webhooks.DeliveryFailed,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=8,
)
def deliver_webhook(self: Task, decision_id: int) -> int | None:
    """POST one decision to its site's webhook; a failure retries after 1, 2, 4 ... seconds."""
    delivery = webhooks.deliver(decision_id, runtime().store, attempt=self.request.retries + 1)
    return delivery.status_code if delivery else None


@app.task(name="moderation.dispatch_webhooks", acks_late=True)
def dispatch_webhooks() -> int:
    """Turn the decision ids queued by `publish` into one delivery task each."""
    ids = webhooks.take_queued(runtime().redis)
    for decision_id in ids:
        deliver_webhook.delay(decision_id)
    return len(ids)
