"""Issue #24: the embedded Redis that `moderation run` starts answers only with its password."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from cli.embedded_redis import EmbeddedRedis, stored_password


def test_a_passworded_embedded_redis_refuses_clients_without_the_password(tmp_path: Path) -> None:
    folder = tmp_path / "redis"
    password = stored_password(folder)
    server = EmbeddedRedis(folder, password=password).start()
    try:
        with pytest.raises(redis.AuthenticationError):
            redis.Redis(host="127.0.0.1", port=server.port).xadd("moderation:results:x", {"a": 1})
        client = redis.Redis.from_url(server.url)
        assert client.ping()
        assert not any("nopass" in str(rule) for rule in client.acl_list())
        assert server.process is not None
        command_line = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert password.encode() not in command_line  # readable by every local user
    finally:
        server.stop()


def test_the_password_is_kept_private_and_reused(tmp_path: Path) -> None:
    folder = tmp_path / "redis"
    first = stored_password(folder)
    assert stored_password(folder) == first and len(first) >= 32
    assert (folder / "password").stat().st_mode & 0o077 == 0
