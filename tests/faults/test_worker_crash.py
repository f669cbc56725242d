"""A worker killed with SIGKILL mid-stream: every comment still gets exactly one verdict."""

from __future__ import annotations

import signal
import time

import redis

from config import Settings
from domain.infra.collaborators import Runtime
from tests.support.intake import post_comment
from tests.support.processes import ManagedProcess, settings_env, start_worker
from tests.support.streams import read_results

COMMENTS = 600


def test_a_worker_killed_mid_stream_loses_and_duplicates_nothing(
    runtime: Runtime, settings: Settings
) -> None:
    settings = settings.with_overrides(batch_size=8)
    _, key = runtime.store.sites.create("planet")
    ids = [post_comment(runtime, key, f"Remark {n} on the floods report.") for n in range(COMMENTS)]
    client = redis.Redis.from_url(settings.redis_url or "")
    beat = ManagedProcess(["beat", "--loglevel", "INFO"], settings_env(settings), "beat")
    worker = start_worker(settings)
    try:
        read_results(client, "planet", 10)  # mid-stream: some verdicts out, most still queued
        worker.signal_group(signal.SIGKILL)
        worker.process.wait(10)
        killed_at = client.xlen("moderation:results:planet")
        assert killed_at < COMMENTS, "the worker finished before it could be killed"
        worker = start_worker(settings)
        entries = read_results(client, "planet", COMMENTS, timeout=180)
        # Let the sweep run a few more times: nothing may be published twice.
        time.sleep(settings.pending_grace_seconds + 3 * settings.sweep_interval_seconds + 5)
        entries = read_results(client, "planet", COMMENTS)
    finally:
        worker.stop()
        beat.stop()
    comment_ids = [entry["comment_id"] for entry in entries]
    assert len(comment_ids) == COMMENTS, f"{len(comment_ids) - COMMENTS} duplicate verdict(s)"
    assert sorted(comment_ids) == sorted(ids)
    assert {entry["event"] for entry in entries} == {"verdict"}
    assert runtime.store.comments.pending(ids) == []
