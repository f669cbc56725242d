"""Running published client libraries against the app: a TLS server and the Node clients.

The clients are installed unchanged from npm (tests/service/clients/package.json, by
scripts/test). Where a client hard-codes its host, it is pointed at us the way a user would:
a DNS answer (resolve.js, a wildcard record for `*.moderation.test`) or an HTTPS proxy.
"""

from __future__ import annotations

import json
import os
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from flask import Flask
from werkzeug.serving import make_server

CLIENTS = Path(__file__).resolve().parent.parent / "service" / "clients"
PUBLIC_HOST = "moderation.test"  # our host as the clients' users would name it
PERSPECTIVE_HOST = "commentanalyzer.googleapis.com"


@dataclass(frozen=True)
class TlsServer:
    """The app over HTTPS on 127.0.0.1, and the CA file that trusts its certificate."""

    port: int
    ca_file: Path


@contextmanager
def serve_tls(app: Flask, folder: Path) -> Iterator[TlsServer]:
    """Serve the app over HTTPS with a certificate from a throw-away CA (trustme)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", PUBLIC_HOST, f"*.{PUBLIC_HOST}", PERSPECTIVE_HOST)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TlsServer(server.server_port, ca_file)
    finally:
        server.shutdown()
        thread.join(5)


def require_node_clients() -> None:
    """Skip when Node.js or the npm clients are missing (scripts/test installs them)."""
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    if not (CLIENTS / "node_modules" / "akismet-api").is_dir():
        pytest.skip("npm clients missing: `npm ci` in tests/service/clients (scripts/test runs it)")


def run_node(script: str, *args: str, server: TlsServer, proxy: bool = False) -> dict[str, Any]:
    """Run one driver script under Node with our CA trusted; its last line is JSON."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key.lower() not in ("http_proxy", "https_proxy", "no_proxy", "all_proxy")
    }
    env["NODE_EXTRA_CA_CERTS"] = str(server.ca_file)
    if proxy:
        env["HTTPS_PROXY"] = f"https://127.0.0.1:{server.port}"
    command = ["node", "--require", str(CLIENTS / "resolve.js"), str(CLIENTS / script), *args]
    done = subprocess.run(
        command, cwd=CLIENTS, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
