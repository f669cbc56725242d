"""The README's quick start, as a newcomer runs it: `scripts/run` in a fresh clone, nothing set.

The clone is of the committed HEAD (a clone carries no uncommitted change). To keep the suite
fast the clone uses this test run's virtualenv (MODERATION_VENV, honoured by scripts/lib.sh,
instead of installing a new .venv) and finds the session's trained model in its default data
folder, as a second start would; everything else is the newcomer's path: the default relative
data folder, the embedded Redis, SQLite, the key and password printed on the first start.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bench.procs import Child, process_tree
from cli.embedded_redis import free_port
from tests.support.processes import ROOT

READY = "Moderation service running at"


@pytest.fixture
def clone(tmp_path: Path, trained_models_dir: Path) -> Path:
    """A fresh clone of this repository, its default data folder holding the trained model."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True, timeout=120)
    shutil.copytree(
        trained_models_dir,
        target / "moderation-data" / "models",
        ignore=shutil.ignore_patterns(".*.lock"),
    )
    return target


def test_the_readme_quick_start_works_in_a_fresh_clone(clone: Path) -> None:
    readme = (clone / "README.md").read_text()
    curl_body = re.search(r"-d '(\{.*?\})'", readme, re.DOTALL)
    assert curl_body, "the README's curl example has no body"
    body = json.loads(curl_body.group(1))
    port = free_port()

    first = _start(clone, port)
    try:
        output = "".join(first.lines)
        key = _printed(r"its API key \(shown once\): (\S+)", output)
        password = _printed(r"with password \(shown once\): (\S+)", output)
        base = _printed(rf"{READY} (http://\S+)/ ", output)
        auth = {"Authorization": f"Bearer {key}"}
        # no retry: the URL is printed only once the service answers
        posted = requests.post(f"{base}/api/v1/comments", json=body, headers=auth, timeout=30)
        assert posted.status_code == 202, posted.text
        verdict = _wait_for_verdict(f"{base}{posted.json()['url']}", auth)
        assert verdict["status"] == "approved", verdict
        _log_in(base, "admin@localhost", password)
        processes = _started_processes(first)
        _interrupt_and_check(first, processes)
    finally:
        first.stop()
    data = clone / "moderation-data"
    assert (data / "moderation.db").exists() and (data / "redis" / "redis.log").exists()
    assert not (data / "embedded-redis.url").exists()

    second = _start(clone, port)
    try:
        output = "".join(second.lines)
        assert "shown once" not in output and "Training" not in output, output
        again = dict(body, comment="A second remark on the same piece.")
        posted = requests.post(f"{base}/api/v1/comments", json=again, headers=auth, timeout=30)
        assert posted.status_code == 202, posted.text  # the key printed on the first start
        assert _wait_for_verdict(f"{base}{posted.json()['url']}", auth)["status"] == "approved"
        _interrupt_and_check(second, _started_processes(second))
    finally:
        second.stop()


def _start(clone: Path, port: int) -> Child:
    """Run `scripts/run` in the clone with none of the service's settings in the environment."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith("MODERATION_")
        and name not in {"REDIS_URL", "DATABASE_URL", "SECRET_KEY", "VIRTUAL_ENV"}
    }
    env.update(MODERATION_VENV=sys.prefix, PYTHONUNBUFFERED="1")
    run = Child("scripts/run", [str(clone / "scripts" / "run"), "--port", str(port)], env, clone)
    run.wait_for(READY, timeout=180)
    return run


def _printed(pattern: str, output: str) -> str:
    """What the run printed after a label."""
    found = re.search(pattern, output)
    assert found, output
    return found.group(1)


def _wait_for_verdict(url: str, auth: dict[str, str], timeout: float = 60.0) -> dict:
    """Poll GET until the comment is no longer pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = requests.get(url, headers=auth, timeout=30).json()
        if body["status"] != "pending":
            return dict(body)
        time.sleep(0.3)
    raise AssertionError("no verdict arrived")


def _log_in(base: str, email: str, password: str) -> None:
    """Log in to the review pages through the plain form, as a browser would."""
    session = requests.Session()
    page = session.get(f"{base}/review/login", timeout=30).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page
    form = {"email": email, "password": password, "csrf_token": token.group(1)}
    answer = session.post(f"{base}/review/login", data=form, timeout=30)
    assert answer.status_code == 200 and answer.url == f"{base}/review", answer.text[:500]


def _started_processes(run: Child) -> dict[int, str]:
    """Every process the run started (pid: command line), checked to hold all four kinds."""
    processes = {}
    for pid in process_tree(run.pid):
        try:
            processes[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
    started = " | ".join(processes.values())
    for kind in ("redis-server", "cli worker", "cli web", "cli beat"):
        assert kind in started, started
    return processes


def _interrupt_and_check(run: Child, processes: dict[int, str]) -> None:
    """Ctrl-C as a terminal sends it (SIGINT to the process group): all gone, status 0."""
    started = time.monotonic()
    os.killpg(run.pid, signal.SIGINT)
    assert run.wait(20) == 0, run.output()
    elapsed = time.monotonic() - started
    output = "".join(run.lines)
    assert "Stopped." in output and "pending queue unavailable" not in output, run.output()
    assert elapsed < 15, f"stopping took {elapsed:.1f} s"
    time.sleep(0.5)  # the worker's pool process is reaped by its parent, which is gone
    left = {pid: command for pid, command in processes.items() if _alive(pid)}
    assert not left, left


def _alive(pid: int) -> bool:
    """Whether a process still runs (a zombie does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"
