"""Starting the long-running processes: web, worker, beat, and all of them together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

import click

from cli.context import open_store
from cli.embedded_redis import EmbeddedRedis
from config import Settings
from domain.infra.redis_url import embedded_url_file


def run_web(settings: Settings, host: str, port: int, workers: int) -> None:
    """Serve the app with gunicorn sync workers until SIGTERM."""
    from domain.infra.metrics import prepare

    prepare(settings, "web")  # before the app (and any metric) exists
    from cli.gunicorn_app import GunicornApplication, gunicorn_options

    open_store(settings)  # create the schema once, before the workers race to
    options = gunicorn_options(host, port, workers, settings.effective_web_threads)
    GunicornApplication(settings, options).run()


def run_worker(settings: Settings, concurrency: int, pool: str, loglevel: str) -> None:
    """Run a Celery worker; its processes score comments in batches."""
    from domain.infra.metrics import prepare, serve_role

    prepare(settings, "worker")
    if settings.worker_metrics_port:
        serve_role(settings.worker_metrics_port)
    from workers.celery_app import configure

    open_store(settings)
    app = configure(settings)
    app.worker_main(
        [
            "worker",
            f"--loglevel={loglevel}",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
            "--queues=moderation",
            "--without-gossip",
            "--without-mingle",
            "--hostname=moderation@%h",
        ]
    )


def run_beat(settings: Settings, loglevel: str) -> None:
    """Run Celery beat with its schedule file in the data folder."""
    from domain.infra.metrics import prepare

    prepare(settings, "beat")
    from workers.celery_app import configure

    open_store(settings)
    app = configure(settings)
    schedule = settings.data_dir / "celerybeat-schedule"
    app.start(["beat", f"--loglevel={loglevel}", f"--schedule={schedule}"])


def _train_first_model(settings: Settings, registry: Any) -> None:
    """Train and promote the first model, with progress bars (minutes with the tier)."""
    from cli.model_commands import ProgressBars

    click.echo("Training the first model from the shipped data"
               + (" with the embedding tier (embedding ~28k texts takes 10-20 minutes the "
                  "first time)" if settings.embeddings else "") + "...")
    bars = ProgressBars()
    try:
        registry.ensure_current(lambda: registry.train(progress=bars))
    finally:
        bars.close()


def _bootstrap(settings: Settings) -> None:
    """Create the schema, train the first model, and make a first site and admin if none exist."""
    from domain.scoring.model_provider import ModelProvider

    store = open_store(settings)
    provider = ModelProvider.from_settings(settings, store.model_versions)
    if provider.registry.current_version() is None:
        _train_first_model(settings, provider.registry)
    bundle = provider.current()
    click.echo(f"Model {bundle.version} ready.")
    if not store.sites.all():
        site, key = store.sites.create("demo", "Demo site")
        click.echo(f"Created site {site.slug!r}; its API key (shown once): {key}")
    if not store.users.all():
        import secrets

        from domain.vocabulary import Role

        password = secrets.token_urlsafe(12)
        store.users.create("admin@localhost", password, Role.ADMIN)
        click.echo(f"Created admin 'admin@localhost' with password (shown once): {password}")


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start one of our commands as a child process."""
    return subprocess.Popen([sys.executable, "-m", "cli", *command], env=env)


def run_all(settings: Settings, host: str, port: int) -> None:
    """Everything on one machine, stopped together on Ctrl-C or SIGTERM."""
    env = dict(os.environ, MODERATION_DATA_DIR=str(settings.data_dir.resolve()))
    embedded: EmbeddedRedis | None = None
    if not settings.redis_url:
        embedded = EmbeddedRedis(settings.data_dir / "redis").start()
        embedded_url_file(settings).write_text(embedded.url)
        env["REDIS_URL"] = embedded.url
        click.echo(f"Started an embedded Redis at {embedded.url}")
    children: list[subprocess.Popen[bytes]] = []
    try:
        _bootstrap(settings)
        children = [
            _spawn(["web", "--host", host, "--port", str(port)], env),
            # One worker process: web and worker share this machine's cores, and a single
            # consumer forms bigger batches (docs/performance.md).
            _spawn(["worker", "--concurrency", "1"], env),
            _spawn(["beat", "--loglevel", "WARNING"], env),
        ]
        click.echo(f"Moderation service running at http://{host}:{port}/ (review: /review)")
        click.echo(f"API: POST http://{host}:{port}/api/v1/comments  -  Ctrl-C stops everything.")
        _wait_for_signal(children)
    finally:
        _stop_children(children)
        if embedded is not None:
            embedded_url_file(settings).unlink(missing_ok=True)
            embedded.stop()


def _wait_for_signal(children: list[subprocess.Popen[bytes]]) -> None:
    """Block until SIGINT/SIGTERM, or until a child dies (then stop the rest)."""
    stopping = False

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stopping:
        if any(child.poll() is not None for child in children):
            click.echo("A process stopped; stopping the others.", err=True)
            return
        time.sleep(0.5)


def _stop_children(children: list[subprocess.Popen[bytes]], timeout: float = 40.0) -> None:
    """SIGTERM each child (they finish in-flight work), then wait; kill stragglers."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
