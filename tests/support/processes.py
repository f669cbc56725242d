"""Start and stop the service's real processes for tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import redis

from bench.procs import Child
from config import Settings
from tests.support.streams import read_results

ROOT = Path(__file__).resolve().parents[2]


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process read exactly these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")}
    env.update(
        {
            "MODERATION_DATA_DIR": str(settings.data_dir),
            "DATABASE_URL": settings.effective_database_url,
            "REDIS_URL": settings.redis_url or "",
            "SECRET_KEY": settings.secret_key,
            "MODERATION_MODELS_DIR": str(settings.effective_models_dir),
            "MODEL_STORE_URL": settings.model_store_url,
            "MODERATION_SWEEP_INTERVAL": str(settings.sweep_interval_seconds),
            "MODERATION_PENDING_GRACE": str(settings.pending_grace_seconds),
            "MODERATION_MODEL_POLL": str(settings.model_poll_seconds),
            "MODERATION_BATCH_SIZE": str(settings.batch_size),
            "MODERATION_RATE_LIMIT_AUTHOR": settings.rate_limit_author,
            "MODERATION_RATE_LIMIT_SITE": settings.rate_limit_site,
            "MODERATION_DUPLICATE_WINDOW": str(settings.duplicate_window_seconds),
            "MODERATION_DB_BUSY_TIMEOUT": str(settings.database_busy_timeout_ms),
            "MODERATION_EMBEDDINGS": "1" if settings.embeddings else "0",
            "MODERATION_EMBEDDING_MODEL": settings.embedding_model,
            "MODERATION_WORKER_METRICS_PORT": str(settings.worker_metrics_port),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class ManagedProcess(Child):
    """One of our `moderation` commands as a child process, its output collected."""

    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        super().__init__(name, [sys.executable, "-m", "cli", *args], env)

    def signal_group(self, signum: int) -> None:
        """Send a signal to the process and its children (e.g. SIGKILL a whole worker)."""
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass


def start_worker(settings: Settings, concurrency: int = 1) -> ManagedProcess:
    """Start a real Celery worker and wait until its consumer has loaded the model."""
    worker = ManagedProcess(
        ["worker", "--concurrency", str(concurrency), "--loglevel", "INFO"],
        settings_env(settings),
        "worker",
    )
    worker.wait_for("batching consumer ready")
    return worker


def run_command(
    settings: Settings, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the `moderation` command once, as an operator would, and return what it did."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=settings_env(settings),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def results_of_a_worker_run(settings: Settings, site: str, count: int) -> list[dict[str, str]]:
    """Start a real worker, wait for ``count`` verdicts on the site's stream, stop the worker."""
    worker = start_worker(settings)
    try:
        return read_results(redis.Redis.from_url(settings.redis_url or ""), site, count)
    finally:
        worker.stop()
