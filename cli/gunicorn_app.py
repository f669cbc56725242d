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

    @property
    def read_timeout(self) -> float:
        """How long a read from a client may wait (BoundedThreadWorker asks)."""
        return self._settings.web_read_timeout_seconds

    def load_config(self) -> None:
        """Apply our options to gunicorn's config."""
        for key, value in {**self._options, "threads": self._settings.web_threads}.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Build the app in each worker process, after the fork."""
        from service.app import create_app

        return create_app(self._settings)


def gunicorn_options(host: str, port: int, workers: int, threads: int = 8) -> dict[str, Any]:
    """Threaded workers whose reads from a client are bounded (a slow client holds one thread
    for at most the read timeout, never a whole worker), graceful stop on SIGTERM."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,  # the bench's bare app gets the same; ours comes from settings
        "worker_class": "cli.gunicorn_worker.BoundedThreadWorker",
        "graceful_timeout": 30,
        "timeout": 30,  # with threads: how long a worker's main loop may hang, not a request
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
