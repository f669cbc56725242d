"""The embedded redis-server: starts from a relative folder, and says why when it cannot start."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from cli import embedded_redis
from cli.embedded_redis import EmbeddedRedis


def test_it_starts_in_a_relative_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    server = EmbeddedRedis(Path("data") / "redis").start()
    try:
        assert redis.Redis.from_url(server.url).ping()
        assert (tmp_path / "data" / "redis" / "redis.log").exists()
    finally:
        server.stop()


def test_a_server_that_cannot_start_shows_what_it_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrapper = tmp_path / "redis-server"
    real = embedded_redis.redis_server_binary()
    wrapper.write_text(f'#!/bin/sh\nexec "{real}" "$@" --no-such-directive yes\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(embedded_redis, "redis_server_binary", lambda: str(wrapper))
    with pytest.raises(RuntimeError) as raised:
        EmbeddedRedis(tmp_path / "redis").start()
    message = str(raised.value)
    assert "redis-server exited with status 1" in message
    assert "no-such-directive" in message, message


def test_its_own_session_keeps_a_terminals_ctrl_c_away(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path / "redis").start(own_session=True)
    try:
        assert server.process is not None
        assert os.getpgid(server.process.pid) != os.getpgid(0)
    finally:
        server.stop()
    assert server.process.returncode is not None
