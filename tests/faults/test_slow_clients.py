"""Issue #24: clients that send a little and then go quiet must not stop intake."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator

import pytest
import requests

from bench.procs import wait_http
from cli.embedded_redis import free_port
from config import Settings
from domain.infra.collaborators import Runtime
from tests.support.intake import comment_fields
from tests.support.processes import ManagedProcess, settings_env

READ_TIMEOUT = 2  # seconds a read from a client may wait, shortened for the test
GENEROUS = 30  # seconds: far more than a served request needs, far less than a stuck one


@pytest.fixture
def web(runtime: Runtime, settings: Settings) -> Iterator[tuple[int, str]]:
    """The real web server (2 workers, as by default) and a site key."""
    _, key = runtime.store.sites.create("planet")
    port = free_port()
    env = {**settings_env(settings), "MODERATION_WEB_READ_TIMEOUT": str(READ_TIMEOUT)}
    server = ManagedProcess(["web", "--port", str(port), "--workers", "2"], env, "web")
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60, child=server)
        yield port, key
    finally:
        server.stop()


def _stalled(port: int, key: str, headers_only: bool) -> socket.socket:
    """A connection that sent its headers (or part of them) and 10 of 1,000 body bytes."""
    sock = socket.create_connection(("127.0.0.1", port))
    head = f"POST /api/v1/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
    if headers_only:
        sock.sendall(head.encode())
    else:
        body = "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + '{"comment":'
        sock.sendall((head + body).encode()[: len(head) + 61])
    return sock


def _post(port: int, key: str, text: str) -> int:
    """An ordinary intake request; its status, or 0 if it got no answer in time."""
    try:
        response = requests.post(
            f"http://127.0.0.1:{port}/api/v1/comments",
            json=comment_fields(text),
            headers={"Authorization": f"Bearer {key}"},
            timeout=GENEROUS,
        )
    except requests.RequestException:
        return 0
    return response.status_code


def test_stalled_clients_do_not_stop_intake(web: tuple[int, str]) -> None:
    port, key = web
    # More stalled connections than the two workers have threads in all (2 x 8).
    stalled = [_stalled(port, key, headers_only=n % 2 == 0) for n in range(24)]
    try:
        assert [_post(port, key, f"Still served, remark {n}.") for n in range(3)] == [202] * 3
    finally:
        for sock in stalled:
            sock.close()


def test_a_client_silent_mid_body_gets_408_and_mid_headers_is_dropped(
    web: tuple[int, str],
) -> None:
    port, key = web
    body_stall, header_stall = _stalled(port, key, False), _stalled(port, key, True)
    for sock in (body_stall, header_stall):
        sock.settimeout(GENEROUS)
    try:
        assert body_stall.recv(4096).startswith(b"HTTP/1.1 408")
        assert header_stall.recv(4096) in (b"", b"HTTP/1.1 408")  # closed, at most a 408
    finally:
        body_stall.close()
        header_stall.close()


def _chunks(body: bytes, size: int = 4096) -> Iterator[bytes]:
    """The body as a generator, which requests sends with Transfer-Encoding: chunked."""
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_a_chunked_body_over_the_limit_is_refused_not_cut(web: tuple[int, str]) -> None:
    port, key = web
    url = f"http://127.0.0.1:{port}/api/v1/comments"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    small = json.dumps(comment_fields("A chunked remark.")).encode()
    padded = {**comment_fields("A big one."), "user_agent": "x" * 70_000}
    big = json.dumps(padded).encode()
    assert (
        requests.post(url, data=_chunks(small), headers=headers, timeout=GENEROUS).status_code
        == 202
    )
    refused = requests.post(url, data=_chunks(big), headers=headers, timeout=GENEROUS)
    assert refused.status_code == 413, refused.text
