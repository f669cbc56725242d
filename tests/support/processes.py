"""Start and stop the service's real processes for tests."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from config import Settings

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
            "MODERATION_SWEEP_INTERVAL": str(settings.sweep_interval_seconds),
            "MODERATION_PENDING_GRACE": str(settings.pending_grace_seconds),
            "MODERATION_MODEL_POLL": str(settings.model_poll_seconds),
            "MODERATION_BATCH_SIZE": str(settings.batch_size),
            "MODERATION_RATE_LIMIT_AUTHOR": settings.rate_limit_author,
            "MODERATION_RATE_LIMIT_SITE": settings.rate_limit_site,
            "MODERATION_DUPLICATE_WINDOW": str(settings.duplicate_window_seconds),
            "MODERATION_DB_BUSY_TIMEOUT": str(settings.database_busy_timeout_ms),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


class ManagedProcess:
    """A child process whose output is collected, so tests can wait for a line."""

    def __init__(self, args: list[str], env: dict[str, str], name: str) -> None:
        self.name = name
        self.lines: list[str] = []
        self._new_lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Collect output lines as they come."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            self._new_lines.put(line)

    def wait_for(self, text: str, timeout: float = 180.0) -> None:
        """Wait until a line containing `text` appears (or fail with the output so far)."""
        deadline = time.monotonic() + timeout
        if any(text in line for line in self.lines):
            return
        while time.monotonic() < deadline:
            try:
                line = self._new_lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            if text in line:
                return
        raise AssertionError(f"{self.name} never printed {text!r}:\n{self.output()}")

    def count(self, text: str) -> int:
        """How many output lines contain `text`."""
        return sum(text in line for line in self.lines)

    def output(self) -> str:
        """Everything printed so far (the end of it)."""
        return "".join(self.lines)[-6000:]

    def signal_group(self, signum: int) -> None:
        """Send a signal to the process and its children (e.g. SIGKILL a whole worker)."""
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM, wait for a graceful stop, kill if it hangs; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.process.wait(10)
        self.signal_group(signal.SIGKILL)  # any orphaned pool children
        return self.process.returncode


@contextmanager
def running(args: list[str], settings: Settings, ready: str, name: str) -> Iterator[ManagedProcess]:
    """Run one of our commands for the duration of a test."""
    managed = ManagedProcess(args, settings_env(settings), name)
    try:
        managed.wait_for(ready)
        yield managed
    finally:
        managed.stop()


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
