"""The Celery app: Redis as broker, settings applied by whoever starts the process."""

from __future__ import annotations

from datetime import timedelta

from celery import Celery

from config import Settings
from domain.infra.redis_url import celery_broker, resolve_redis_url

app = Celery("moderation", include=["workers.tasks", "workers.consumer", "workers.webhooks"])


def configure(settings: Settings) -> Celery:
    """Point the app at Redis and set the beat schedule; called once per process."""
    url, sentinel_options = celery_broker(resolve_redis_url(settings))
    app.conf.update(
        broker_url=url,
        result_backend=None,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue="moderation",
        broker_connection_retry_on_startup=True,
        broker_transport_options={"visibility_timeout": 3600, "socket_timeout": 5,
                                  **sentinel_options},
        worker_hijack_root_logger=False,
        beat_schedule={
            "sweep": {
                "task": "moderation.sweep",
                "schedule": timedelta(seconds=settings.sweep_interval_seconds),
                "options": {"expires": settings.sweep_interval_seconds * 2},
            },
            "retrain": {
                "task": "moderation.retrain_if_needed",
                "schedule": timedelta(seconds=settings.retrain_interval_seconds),
                "options": {"expires": 3600},
            },
            # Authors' erasures left half done by a killed process, and sites' retention.
            "resume-erasures": {
                "task": "moderation.resume_erasures",
                "schedule": timedelta(minutes=1),
                "options": {"expires": 60},
            },
            "retention": {
                "task": "moderation.apply_retention",
                "schedule": timedelta(hours=1),
                "options": {"expires": 3600},
            },
            "alerts": {
                "task": "moderation.check_alerts",
                "schedule": timedelta(seconds=settings.alert_interval_seconds),
                "options": {"expires": settings.alert_interval_seconds},
            },
            "dispatch-webhooks": {
                "task": "moderation.dispatch_webhooks",
                "schedule": timedelta(seconds=1),
                "options": {"expires": 2},
            },
        },
    )
    app.conf.moderation_settings = settings
    return app
