"""A Redis Sentinel fail-over while the site keeps posting: every comment still gets its verdict."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from redis.sentinel import Sentinel

from cli.embedded_redis import EmbeddedRedis, free_port, redis_server_binary
from config import Settings
from domain.infra.collaborators import Runtime
from domain.infra.redis_url import redis_client
from service.app import create_app
from tests.support.intake import comment_fields
from tests.support.processes import ManagedProcess, settings_env, start_worker
from tests.support.streams import read_results

MASTER = "moderation"
DURING_FAILOVER = 30


@dataclass
class SentinelSet:
    """A master, its replica and one sentinel watching them, all on 127.0.0.1."""

    master: EmbeddedRedis
    replica: EmbeddedRedis
    sentinel: subprocess.Popen[bytes]
    sentinel_port: int

    @property
    def url(self) -> str:
        """REDIS_URL naming the set."""
        return f"redis+sentinel://127.0.0.1:{self.sentinel_port}/{MASTER}/0"

    def master_port(self) -> int:
        """The port the sentinel currently names as master."""
        sentinel = Sentinel([("127.0.0.1", self.sentinel_port)], socket_timeout=0.5)
        return int(sentinel.discover_master(MASTER)[1])


@pytest.fixture
def sentinel_set(tmp_path: Path) -> Iterator[SentinelSet]:
    """Start master, replica and sentinel; wait until the replica has synchronised."""
    master = EmbeddedRedis(tmp_path / "master").start()
    replica = EmbeddedRedis(tmp_path / "replica").start()
    redis.Redis(port=replica.port).replicaof("127.0.0.1", master.port)
    port = free_port()
    config = tmp_path / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {master.port} 1\n"
        f"sentinel down-after-milliseconds {MASTER} 1000\n"
        f"sentinel failover-timeout {MASTER} 10000\n"
    )
    sentinel = subprocess.Popen([redis_server_binary(), str(config), "--sentinel"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    found = SentinelSet(master, replica, sentinel, port)
    try:
        _wait(lambda: _replica_in_sync(replica) and _master_is(found, master), "the set to form")
        yield found
    finally:
        sentinel.kill()
        sentinel.wait(10)
        replica.stop(kill=True)
        master.stop(kill=True)


def _replica_in_sync(replica: EmbeddedRedis) -> bool:
    """The replica's link to its master is up."""
    return bool(redis.Redis(port=replica.port).info("replication")["master_link_status"] == "up")


def _master_is(found: SentinelSet, server: EmbeddedRedis) -> bool:
    """The sentinel names this server as the master (False while it knows no healthy one)."""
    try:
        return found.master_port() == server.port
    except redis.RedisError:
        return False


def _wait(condition: object, what: str, timeout: float = 60.0) -> None:
    """Poll until the condition holds (a fail-over takes a few seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_comments_posted_across_a_sentinel_failover_all_get_their_verdicts(
    settings: Settings, sentinel_set: SentinelSet
) -> None:
    settings = settings.with_overrides(redis_url=sentinel_set.url, rate_limit_site="")
    runtime = Runtime(settings)
    runtime.store.migrate()
    _, key = runtime.store.sites.create("planet")
    client = create_app(runtime=runtime).test_client()
    auth = {"Authorization": f"Bearer {key}"}
    beat = ManagedProcess(["beat", "--loglevel", "INFO"], settings_env(settings), "beat")
    worker = start_worker(settings)
    reader = redis_client(sentinel_set.url, socket_timeout=2)
    try:
        first = client.post("/api/v1/comments", json=comment_fields("Before."), headers=auth)
        read_results(reader, "planet", 1)
        redis.Redis(port=sentinel_set.master.port).wait(1, 5000)  # the replica has the entry

        sentinel_set.master.stop(kill=True)
        during = [
            client.post("/api/v1/comments", headers=auth, json=comment_fields(
                f"Across the fail-over, remark {n}.", email=f"r{n}@example.com"))
            for n in range(DURING_FAILOVER)
        ]
        assert [response.status_code for response in during] == [202] * DURING_FAILOVER
        _wait(lambda: _master_is(sentinel_set, sentinel_set.replica), "the fail-over")
        entries = read_results(reader, "planet", DURING_FAILOVER + 1, timeout=120)
    finally:
        worker.stop()
        beat.stop()
    published = {entry["comment_id"] for entry in entries}
    expected = {first.get_json()["id"]} | {response.get_json()["id"] for response in during}
    assert published == expected
