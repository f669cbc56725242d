"""Child processes for the benchmark: start, watch output, stop, and read their CPU and memory."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import make_url

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class Child:
    """A child process in its own session whose output is collected line by line."""

    def __init__(
        self, name: str, args: list[str], env: dict[str, str], cwd: Path = ROOT
    ) -> None:
        self.name = name
        self.lines: list[str] = []
        self._new_lines: queue.Queue[str] = queue.Queue()
        self.process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @classmethod
    def python(cls, name: str, module_args: list[str], env: dict[str, str]) -> Child:
        """Run `python -m ...` with this venv's interpreter."""
        return cls(name, [sys.executable, "-m", *module_args], env)

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def _read(self) -> None:
        """Collect output lines as they come."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            self._new_lines.put(line)

    def wait_for(self, text: str, times: int = 1, timeout: float = 300.0) -> None:
        """Wait until `times` lines containing `text` appeared, or fail with the output."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(text in line for line in list(self.lines)) >= times:
                return
            if self.process.poll() is not None:
                break
            try:
                self._new_lines.get(timeout=0.2)
            except queue.Empty:
                continue
        raise RuntimeError(f"{self.name} never printed {text!r} x{times}:\n{self.output()}")

    def output(self) -> str:
        """The end of everything printed so far."""
        return "".join(self.lines)[-4000:]

    def wait(self, timeout: float) -> int:
        """Wait for a normal exit; fail with the output when it takes longer than `timeout`."""
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired as error:
            raise RuntimeError(f"{self.name} still running after {timeout} s") from error

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, wait for a graceful stop, then SIGKILL the whole session."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # orphaned pool children, if any
        except ProcessLookupError:
            pass
        self.process.wait(10)


def process_tree(root: int) -> list[int]:
    """The pid and all live descendants of `root` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _stat_fields(int(entry.name))
        if stat is not None:
            children.setdefault(int(stat[1]), []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (index 0 is the state), or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User plus system CPU seconds used so far by each live pid (utime + stime)."""
    used = {}
    for pid in pids:
        fields = _stat_fields(pid)
        if fields is not None:
            used[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return used


def postgres_server_cpu_seconds() -> float | None:
    """CPU seconds this machine's PostgreSQL server has used so far, or None when none runs here.

    Its live processes (postmaster, backends, WAL writer, checkpointer...) plus every exited
    backend its postmaster has reaped (cutime + cstime): backends come and go with the pools'
    connections, so a per-pid delta alone would miss those that ended during a run. It counts the
    whole server, other databases included: a benchmark's figure assumes a quiet server.
    """
    processes = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _command(int(entry.name)) == "postgres":
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                processes[int(entry.name)] = fields
    if not processes:
        return None
    ticks = 0
    for fields in processes.values():
        ticks += int(fields[11]) + int(fields[12])
        if int(fields[1]) not in processes:  # a postmaster: add its reaped children
            ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def local_postgres_cpu_seconds(database_url: str) -> float | None:
    """The PostgreSQL server's CPU seconds so far when ``database_url`` names one on this
    machine; None for SQLite, a remote server, or none visible here."""
    if not database_url.startswith("postgresql"):
        return None
    if make_url(database_url).host not in (None, "", "127.0.0.1", "localhost", "::1"):
        return None
    return postgres_server_cpu_seconds()


class ServerClock:
    """CPU the local PostgreSQL server spends between two readings (None when unreadable)."""

    def __init__(self, database_url: str) -> None:
        self._url = database_url
        self._started: float | None = None

    def start(self) -> None:
        """Take the first reading."""
        self._started = local_postgres_cpu_seconds(self._url)

    def seconds(self) -> float | None:
        """Server CPU seconds since ``start``."""
        now = local_postgres_cpu_seconds(self._url)
        return None if now is None or self._started is None else now - self._started


def _command(pid: int) -> str:
    """The process's command name (/proc/<pid>/comm), or '' when it is gone."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MB (VmRSS), or None when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def wait_http(url: str, timeout: float = 120.0, child: Child | None = None) -> None:
    """Poll a URL on 127.0.0.1 until it answers 200."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited:\n{child.output()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")
