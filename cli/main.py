"""The `moderation` command: run the service, manage sites, users and models."""

from __future__ import annotations

import logging
import os

import click

from cli import authors, database, labels, model_commands, processes, rules, sites, users
from cli.context import load_settings


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def cli(verbose: bool) -> None:
    """Self-hosted comment moderation for news publishers."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # Alembic names its dialect each time a revision is read; our own line says what changed.
    logging.getLogger("alembic").setLevel(logging.DEBUG if verbose else logging.WARNING)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=int, default=None, help="gunicorn workers (default: setting).")
def web(host: str, port: int, workers: int | None) -> None:
    """Serve the web app with gunicorn, in the foreground."""
    settings = load_settings()
    processes.run_web(settings, host, port, workers or settings.web_workers)


@cli.command()
@click.option("--concurrency", type=int, default=None, help="Worker processes (default: cores).")
@click.option("--pool", default="prefork", show_default=True, help="Celery pool.")
@click.option("--loglevel", default="WARNING", show_default=True, help="Celery's own log level.")
def worker(concurrency: int | None, pool: str, loglevel: str) -> None:
    """Run a Celery worker that scores comments, in the foreground."""
    processes.run_worker(load_settings(), concurrency or os.cpu_count() or 1, pool, loglevel)


@cli.command()
@click.option("--loglevel", default="INFO", show_default=True)
def beat(loglevel: str) -> None:
    """Run the scheduler (sweep of stuck comments, retraining), in the foreground."""
    processes.run_beat(load_settings(), loglevel)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def run(host: str, port: int) -> None:
    """Run everything on this machine: Redis (embedded if REDIS_URL is unset), web, worker, beat."""
    status = processes.run_all(load_settings(), host, port)
    if status:
        raise SystemExit(status)


cli.add_command(sites.sites)
cli.add_command(users.users)
cli.add_command(labels.labels)
cli.add_command(database.db)
cli.add_command(authors.authors)
cli.add_command(rules.rules)
for command in model_commands.COMMANDS:
    cli.add_command(command)
