"""Webhooks with real parts: intake, a Celery worker and beat, a receiver that fails once."""

from __future__ import annotations

from collections.abc import Iterator

import orjson
import pytest
import requests

from config import Settings
from domain.infra.collaborators import Runtime
from domain.publishing import webhooks
from service.app import create_app
from tests.support.live_server import serve
from tests.support.processes import ManagedProcess, settings_env, start_worker
from tests.support.receiver import receiving

SECRET = "whsec-integration"


@pytest.fixture
def processes(settings: Settings) -> Iterator[None]:
    """A real worker and a real beat (which moves queued webhooks into delivery tasks)."""
    worker = start_worker(settings)
    beat = ManagedProcess(["beat", "--loglevel", "INFO"], settings_env(settings), "beat")
    try:
        beat.wait_for("beat: Starting")
        yield
    finally:
        beat.stop()
        worker.stop()


def test_a_verdict_reaches_the_webhook_after_the_worker_retries_a_500(
    runtime: Runtime, processes: None
) -> None:
    _, key = runtime.store.sites.create("planet")
    with receiving([500, 200]) as receiver, serve(create_app(runtime=runtime)) as base_url:
        runtime.store.webhooks.set_webhook("planet", receiver.url, SECRET)
        posted = requests.post(
            f"{base_url}/api/v1/comments",
            json={
                "article_id": "a1",
                "sender_name": "Reader",
                "email": "r@example.com",
                "comment": "Interesting comparison of the two spheres of influence.",
            },
            headers={"Authorization": f"Bearer {key}"},
            timeout=10,
        )
        assert posted.status_code == 202
        first, second = receiver.wait_for(2, timeout=60)
    for request in (first, second):
        assert webhooks.verify_webhook(request.body, request.headers, SECRET)
        assert orjson.loads(request.body)["comment_id"] == posted.json()["id"]
    decision_id = int(second.headers[webhooks.DECISION_HEADER])
    log = runtime.store.webhooks.deliveries(decision_id)
    assert [(d.attempt, d.status_code) for d in log] == [(1, 500), (2, 200)]
