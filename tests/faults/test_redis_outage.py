"""Redis killed while the site keeps posting: intake answers 202, and the sweep catches up."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from cli.embedded_redis import EmbeddedRedis
from config import Settings
from domain.infra.collaborators import Runtime
from service.app import create_app
from tests.support.intake import comment_fields
from tests.support.processes import ManagedProcess, settings_env, start_worker
from tests.support.streams import read_results

DURING_OUTAGE = 60


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server this test may kill and restart."""
    server = EmbeddedRedis(tmp_path / "redis").start()
    yield server
    server.stop(kill=True)


def test_comments_posted_while_redis_is_down_are_scored_when_it_returns_empty(
    settings: Settings, own_redis: EmbeddedRedis
) -> None:
    settings = settings.with_overrides(
        redis_url=own_redis.url, rate_limit_author="1000/minute", rate_limit_site="100000/minute"
    )
    runtime = Runtime(settings)
    runtime.store.migrate()
    _, key = runtime.store.sites.create("planet")
    client = create_app(runtime=runtime).test_client()
    auth = {"Authorization": f"Bearer {key}"}
    beat = ManagedProcess(["beat", "--loglevel", "INFO"], settings_env(settings), "beat")
    worker = start_worker(settings)
    try:
        first = client.post("/api/v1/comments", json=comment_fields("Before."), headers=auth)
        read_results(redis.Redis.from_url(own_redis.url), "planet", 1)

        assert own_redis.process is not None
        own_redis.process.send_signal(signal.SIGKILL)
        own_redis.process.wait(5)
        during = [
            client.post(
                "/api/v1/comments",
                json=comment_fields(f"During the outage, remark {n}.", email=f"r{n}@example.com"),
                headers=auth,
            )
            for n in range(DURING_OUTAGE)
        ]
        assert [response.status_code for response in during] == [202] * DURING_OUTAGE
        ids = {response.get_json()["id"] for response in during}
        assert len(runtime.store.comments.pending(list(ids))) == DURING_OUTAGE

        own_redis.start()  # the same port, and empty: the queue and the stream are gone
        entries = read_results(
            redis.Redis.from_url(own_redis.url), "planet", DURING_OUTAGE, timeout=90
        )
    finally:
        worker.stop()
        beat.stop()
    published = [entry["comment_id"] for entry in entries]
    assert sorted(published) == sorted(ids)
    assert first.status_code == 202
