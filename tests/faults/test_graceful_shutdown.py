"""SIGTERM lets the web server and the worker finish what they started."""

from __future__ import annotations

import signal
import threading
import time

import redis
import requests

from bench.procs import wait_http
from cli.embedded_redis import free_port
from config import Settings
from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from domain.vocabulary import Status
from tests.support.intake import comment_fields, post_comment
from tests.support.processes import ManagedProcess, settings_env, start_worker
from tests.support.streams import read_results


def test_a_worker_stopped_with_sigterm_drops_no_comment_it_took(
    runtime: Runtime, settings: Settings
) -> None:
    settings = settings.with_overrides(batch_size=16)
    _, key = runtime.store.sites.create("planet")
    ids = [post_comment(runtime, key, f"Remark {n} about the budget.") for n in range(400)]
    client = redis.Redis.from_url(settings.redis_url or "")
    worker = start_worker(settings)
    read_results(client, "planet", 5)
    worker.process.send_signal(signal.SIGTERM)
    assert worker.process.wait(60) == 0
    queued = {item.decode() for item in client.lrange(redis_keys.pending_queue(), 0, -1)}
    for comment_id in ids:
        comment = runtime.store.comments.get(comment_id)
        assert comment is not None
        assert comment.status is not Status.PENDING or comment_id in queued, comment_id


def test_the_web_server_answers_every_request_it_accepted_before_sigterm(
    runtime: Runtime, settings: Settings
) -> None:
    _, key = runtime.store.sites.create("planet")
    port = free_port()
    web = ManagedProcess(
        ["web", "--port", str(port), "--workers", "2"], settings_env(settings), "web"
    )
    try:
        results = _post_while_stopping(web, port, key)
        assert web.process.wait(40) == 0
    finally:
        web.stop()
    assert results and set(results) == {202}
    with runtime.store.db.read() as connection:
        stored = connection.exec_driver_sql("SELECT count(*) FROM comments").scalar_one()
    assert stored >= len(results)


def _post_while_stopping(web: ManagedProcess, port: int, key: str) -> list[int]:
    """Post from four clients, SIGTERM the server mid-stream; the statuses that came back."""
    wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
    url = f"http://127.0.0.1:{port}/api/v1/comments"
    results: list[int] = []

    def post_many(offset: int) -> None:
        session = requests.Session()
        for n in range(offset, offset + 200):
            try:
                response = session.post(
                    url,
                    json=comment_fields(f"Comment {n}.", email=f"r{n}@example.com"),
                    headers={"Authorization": f"Bearer {key}"},
                    timeout=10,
                )
            except requests.ConnectionError:
                return  # the server stopped accepting: fine, nothing was half-answered
            results.append(response.status_code)

    threads = [threading.Thread(target=post_many, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60
    while len(results) < 40 and time.monotonic() < deadline:
        time.sleep(0.05)
    web.process.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(30)
    return results
