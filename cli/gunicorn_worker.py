"""gunicorn's threaded worker with a bound on how long any read from a client may wait.

A sync worker reads a request from start to end, so one client that sends headers and a few
body bytes, then nothing, holds it until gunicorn kills it (30 s); two such clients stop intake
(issue #24). The threaded worker parks idle connections in its poller, and here every read
from a client's socket waits at most `read_timeout` seconds (SO_RCVTIMEO, which survives the
worker switching the socket between blocking and non-blocking). A client that stalls longer is
dropped (headers) or answered 408 (body). A client dripping a byte every few seconds is what
a buffering reverse proxy in front is for (docker-compose.yml, docs/reliability.md).
"""

from __future__ import annotations

import logging
import socket
import struct
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

DEFAULT_READ_TIMEOUT_SECONDS = 10.0


def bound_reads(sock: socket.socket, seconds: float) -> None:
    """Make every blocking recv() on this socket give up after `seconds` of silence."""
    whole = int(seconds)
    timeval = struct.pack("@ll", whole, int((seconds - whole) * 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, timeval)


class _QuietReadTimeouts(logging.Filter):
    """gunicorn logs a traceback when a read times out mid-headers; one line is enough (a
    traceback per slow client would let anyone flood the log)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Shorten read-timeout records; pass every other record as it is."""
        if record.exc_info and isinstance(record.exc_info[1], BlockingIOError):
            record.msg, record.args = "dropped a client silent past the read timeout", ()
            record.exc_info, record.exc_text = None, None
        return True


class BoundedThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, where a silent client frees its thread after `read_timeout` seconds."""

    def init_process(self) -> None:
        """Install the log filter, then run the worker's loop."""
        self.log.error_log.addFilter(_QuietReadTimeouts())
        super().init_process()

    def enqueue_req(self, conn: Any) -> None:
        """Bound the connection's reads before a thread starts reading it."""
        bound_reads(conn.sock, getattr(self.app, "read_timeout", DEFAULT_READ_TIMEOUT_SECONDS))
        super().enqueue_req(conn)
