"""Runs the Flask app under gunicorn in the foreground."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from config import Settings


class GunicornApplication(BaseApplication):  # type: ignore[misc]
    """gunicorn with our options and our app factory (no config file, no CLI parsing)."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply our options to gunicorn's config."""
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in each worker process, after the fork."""
        from service.app import create_app

        return create_app(self._settings)


def gunicorn_options(host: str, port: int, workers: int, threads: int = 1) -> dict[str, Any]:
    """Sync workers (faster than gthread when requests are CPU-bound), or gthread workers when
    requests wait on the database's commit; graceful stop on SIGTERM."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread" if threads > 1 else "sync",
        "threads": threads,
        "graceful_timeout": 30,
        "timeout": 30,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "child_exit": _child_exit,
    }


def _child_exit(_server: Any, worker: Any) -> None:
    """Drop a finished web worker's live metric samples (Prometheus multiprocess mode)."""
    from domain.infra.metrics import process_exited

    process_exited(worker.pid)
