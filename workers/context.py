"""The worker process's runtime, built on first use after the process (or pool child) starts."""

from __future__ import annotations

import threading

from config import Settings
from domain.infra.collaborators import Runtime

_runtime: Runtime | None = None
_lock = threading.Lock()


def runtime() -> Runtime:
    """This process's runtime; built from the Celery app's settings or the environment."""
    global _runtime
    if _runtime is None:
        with _lock:
            if _runtime is None:
                from workers.celery_app import app

                settings = getattr(app.conf, "moderation_settings", None) or Settings.from_env()
                _runtime = Runtime(settings)
    return _runtime


def reset_runtime() -> None:
    """Forget the runtime (after a fork, connections must not be shared)."""
    global _runtime
    _runtime = None
