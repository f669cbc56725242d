"""The operator's path: `moderation run` on an empty data folder, the CLI, the example consumer."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import redis
import requests

from cli.embedded_redis import free_port
from config import Settings
from domain.publishing.publisher import RedisPublisher
from domain.records import Decision
from domain.store import Store
from domain.vocabulary import DecidedBy, Event, Status
from tests.support.intake import comment_fields
from tests.support.processes import ROOT, ManagedProcess, run_command


def test_moderation_run_starts_everything_with_embedded_defaults(
    tmp_path: Path, models_dir: Path
) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        MODERATION_DATA_DIR=str(tmp_path / "data"),
        MODERATION_MODELS_DIR=str(models_dir),
        MODERATION_WEB_WORKERS="1",
        PYTHONUNBUFFERED="1",
    )
    run = ManagedProcess(["run", "--port", str(port)], env, "run")
    try:
        run.wait_for("Moderation service running at", timeout=180)
        key = re.search(r"its API key \(shown once\): (\S+)", run.output())
        assert key, run.output()
        auth = {"Authorization": f"Bearer {key.group(1)}"}
        base = f"http://127.0.0.1:{port}"
        posted = _post_when_ready(f"{base}/api/v1/comments", auth)
        status = _wait_for_verdict(f"{base}/api/v1/comments/{posted['id']}", auth)
        assert status["status"] == "approved" and status["model_version"]
        _assert_redis_needs_the_password(tmp_path / "data" / "embedded-redis.url")
    finally:
        run.process.send_signal(signal.SIGTERM)
        assert run.process.wait(60) == 0, run.output()
    assert not (tmp_path / "data" / "embedded-redis.url").exists()


def _assert_redis_needs_the_password(url_file: Path) -> None:
    """The embedded Redis refuses clients without the password kept in the data folder."""
    assert url_file.stat().st_mode & 0o077 == 0
    with_password = redis.Redis.from_url(url_file.read_text().strip())
    assert with_password.ping()
    port = with_password.connection_pool.connection_kwargs["port"]
    try:
        redis.Redis(host="127.0.0.1", port=port).ping()
    except redis.AuthenticationError:
        return
    raise AssertionError("the embedded Redis answered a client without its password")


def _post_when_ready(url: str, auth: dict[str, str], timeout: float = 60.0) -> dict:
    """Post a comment as soon as the web server accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = requests.post(
                url,
                json=comment_fields("Thanks, a clear explanation of the treaty."),
                headers=auth,
                timeout=60,  # the first request may meet a web worker still booting
            )
            assert response.status_code == 202, response.text
            return dict(response.json())
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def _wait_for_verdict(url: str, auth: dict[str, str], timeout: float = 90.0) -> dict:
    """Poll GET until the comment is no longer pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(url, headers=auth, timeout=30).json()
        if body["status"] != "pending":
            return dict(body)
        time.sleep(0.3)
    raise AssertionError("no verdict arrived")


def test_sites_create_prints_the_key_on_its_last_line(settings: Settings) -> None:
    created = run_command(settings, "sites", "create", "daily-planet")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip().splitlines()[-1]
    site = Store(settings.effective_database_url).sites.by_key(key)
    assert site is not None and site.slug == "daily-planet"
    again = run_command(settings, "sites", "create", "daily-planet")
    assert again.returncode != 0 and "already exists" in again.stderr


def test_the_example_consumer_reads_and_acknowledges_results(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    decisions = [
        Decision(
            id=n,
            comment_id=f"c{n}",
            site_id=1,
            site_slug="planet",
            article_id="a1",
            event=Event.VERDICT,
            decided_by=DecidedBy.MODEL,
            previous_status=Status.PENDING,
            new_status=Status.APPROVED,
            created_at=datetime.now(UTC),
            model_version="v1",
            spam=0.01,
            toxicity=0.02,
        )
        for n in (1, 2, 3)
    ]
    RedisPublisher(client, 1000, 60).publish(decisions)
    completed = subprocess.run(
        [sys.executable, "examples/consume_results.py", "planet", "--once", "--consumer", "t1"],
        cwd=ROOT,
        env={**os.environ, "REDIS_URL": redis_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "handled 3 result(s)" in completed.stdout
    assert completed.stdout.count("verdict   comment c") == 3
    assert client.xpending("moderation:results:planet", "site-backend")["pending"] == 0
