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
from cli.embedded_redis import EmbeddedRedis, die_with_parent, stored_password, write_private
from config import Settings
from domain.infra.redis_url import embedded_url_file

# What stops `moderation run` cleanly: Ctrl-C, `kill`, a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


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
    from cli.model_commands import TrainingProgress

    click.echo("Training the first model from the shipped data"
               + (" with the embedding tier (embedding ~28k texts takes 10-20 minutes the "
                  "first time)" if settings.embeddings else "") + "...")
    bars = TrainingProgress()
    try:
        registry.ensure_current(lambda: registry.train(progress=bars))
    finally:
        bars.close()


def _ensure_language_models(settings: Settings, store: Any) -> None:
    """Train the other languages' models now (or download the version another node promoted),
    so the first comment's verdict does not wait."""
    from classifier.version_store import LANGUAGE_MODELS
    from domain.infra.model_stores import version_store
    from domain.scoring.languages import LanguageModelsProvider

    languages = LanguageModelsProvider.from_settings(
        settings, version_store(settings, store, LANGUAGE_MODELS))
    if languages.registry.current_version() is None:
        click.echo("Training the German, Portuguese, Chinese and Korean models (a minute or two "
                   "the first time)...")
    click.echo(f"Language models {languages.current().version} ready.")


def _bootstrap(settings: Settings) -> None:
    """Create the schema, train the first model, and make a first site and admin if none exist."""
    from domain.infra.model_stores import version_store
    from domain.scoring.model_provider import ModelProvider

    store = open_store(settings)
    provider = ModelProvider.from_settings(settings, version_store(settings, store))
    if provider.registry.current_version() is None:
        _train_first_model(settings, provider.registry)
    bundle = provider.current()
    click.echo(f"Model {bundle.version} ready.")
    _ensure_language_models(settings, store)
    if not store.sites.all():
        site, key = store.sites.create("demo", "Demo site")
        click.echo(f"Created site {site.slug!r}; its API key (shown once): {key}")
    if not store.users.all():
        import secrets

        from domain.vocabulary import Role

        password = secrets.token_urlsafe(12)
        store.users.create("admin@localhost", password, Role.ADMIN)
        click.echo(f"Created admin 'admin@localhost' with password (shown once): {password}")


def _child_env(settings: Settings) -> dict[str, str]:
    """Our environment, with the path settings as the absolute paths this process resolved."""
    env = dict(os.environ, MODERATION_DATA_DIR=str(settings.data_dir))
    if settings.models_dir is not None:
        env["MODERATION_MODELS_DIR"] = str(settings.models_dir)
    if settings.database_url:
        env["DATABASE_URL"] = settings.database_url
    if settings.model_store_url:
        env["MODEL_STORE_URL"] = settings.model_store_url
    if settings.embedding_model:
        env["MODERATION_EMBEDDING_MODEL"] = settings.embedding_model
    return env


def _spawn(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start one of our commands as a child in its own session.

    A terminal's Ctrl-C then reaches only `run`, which stops the children in order (the worker
    while Redis is still there); they still get SIGTERM if `run` is killed outright.
    """
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *command],
        env=env,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=die_with_parent(),
    )


def run_all(settings: Settings, host: str, port: int) -> int:
    """Everything on one machine until Ctrl-C or SIGTERM; returns the exit status.

    Stopping asked for (Ctrl-C, SIGTERM, SIGHUP) is a normal end, status 0; a child that dies
    on its own stops the others and gives 1. The worker stops first, while Redis is still up
    to take what it publishes, then web and beat, then the embedded Redis.
    """
    for signum in STOP_SIGNALS:
        signal.signal(signum, _interrupt)
    env = _child_env(settings)
    embedded: EmbeddedRedis | None = None
    children: dict[str, subprocess.Popen[bytes]] = {}
    status = 0
    try:
        if not settings.redis_url:
            folder = settings.data_dir / "redis"
            embedded = EmbeddedRedis(folder, password=stored_password(folder))
            embedded.start(own_session=True)
            write_private(embedded_url_file(settings), embedded.url)  # it holds the password
            env["REDIS_URL"] = embedded.url
            click.echo(f"Started an embedded Redis at {embedded.display_url} "
                       f"(password in {folder})")
        _bootstrap(settings)
        # One worker process: web and worker share this machine's cores, and a single
        # consumer forms bigger batches (docs/performance.md).
        children["worker"] = _spawn(["worker", "--concurrency", "1"], env)
        children["web"] = _spawn(["web", "--host", host, "--port", str(port)], env)
        children["beat"] = _spawn(["beat", "--loglevel", "WARNING"], env)
        base = _base_url(host, port)
        if _wait_until_answering(f"{base}/healthz", children):
            click.echo(f"Moderation service running at {base}/ (review: {base}/review)")
            click.echo(f"API: POST {base}/api/v1/comments  -  Ctrl-C stops everything.")
            _wait_for_a_child_to_stop(children)
        status = 1
    except KeyboardInterrupt:
        click.echo("\nStopping (the worker first, Redis last) ...")
    finally:
        for signum in STOP_SIGNALS:
            signal.signal(signum, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
        _stop_children(children)
        if embedded is not None:
            embedded_url_file(settings).unlink(missing_ok=True)
            embedded.stop()
    if status == 0:
        click.echo("Stopped.")
    return status


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    """Treat SIGTERM and SIGHUP like Ctrl-C: unwind to run_all's clean stop."""
    raise KeyboardInterrupt


def _base_url(host: str, port: int) -> str:
    """The address to print and probe: a wildcard bind is reached on the loopback."""
    probe = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{probe}]:{port}" if ":" in probe else f"http://{probe}:{port}"


def _wait_until_answering(
    url: str, children: dict[str, subprocess.Popen[bytes]], timeout: float = 120.0
) -> bool:
    """Poll the health check until it answers 200; False if a child died or time ran out."""
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _stopped_child(children):
            return False
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.2)
    click.echo(f"{url} did not answer within {timeout:.0f} s; stopping.", err=True)
    return False


def _stopped_child(children: dict[str, subprocess.Popen[bytes]]) -> bool:
    """Whether a child has exited (and say which)."""
    for name, child in children.items():
        if child.poll() is not None:
            click.echo(f"The {name} stopped (status {child.returncode}); stopping the others.",
                       err=True)
            return True
    return False


def _wait_for_a_child_to_stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """Block until a child dies (Ctrl-C and SIGTERM arrive as KeyboardInterrupt)."""
    while not _stopped_child(children):
        time.sleep(0.5)


def _stop_children(children: dict[str, subprocess.Popen[bytes]]) -> None:
    """Stop the worker first (it finishes its batch and publishes), then web and beat."""
    _stop({name: child for name, child in children.items() if name == "worker"})
    _stop({name: child for name, child in children.items() if name != "worker"})


def _stop(children: dict[str, subprocess.Popen[bytes]], timeout: float = 30.0) -> None:
    """SIGTERM each child and wait; then SIGKILL whatever is left of its session."""
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for name, child in children.items():
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(f"The {name} did not stop within {timeout:.0f} s; killing it.", err=True)
        try:
            os.killpg(child.pid, signal.SIGKILL)  # the child's stragglers (a pool process)
        except ProcessLookupError:
            pass
        child.wait()
