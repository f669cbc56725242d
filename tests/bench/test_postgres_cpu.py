"""bench.e2e counts the local PostgreSQL server's CPU, backends that ended included."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bench.procs import local_postgres_cpu_seconds
from tests.support.databases import POSTGRES_URL, require_postgres

WORK = "SELECT sum(x::bigint * x) FROM generate_series(1, 4000000) AS x"


@pytest.fixture
def local_server() -> None:
    """A PostgreSQL server that runs on this machine (the figure reads /proc)."""
    require_postgres()
    if local_postgres_cpu_seconds(POSTGRES_URL) is None:
        pytest.skip("the test PostgreSQL's processes are not visible here (another machine?)")


def _work_on_a_connection_that_then_closes() -> None:
    engine = create_engine(POSTGRES_URL)
    with engine.connect() as connection:
        backend = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        connection.execute(text(WORK))
    engine.dispose()  # the backend exits; only its postmaster's reaped-children time keeps it
    _wait_until_reaped(backend)


def _wait_until_reaped(pid: int, timeout: float = 10.0) -> None:
    """Until the exited backend is gone from /proc (its parent has collected its times)."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        assert time.monotonic() < deadline, f"backend {pid} still there after {timeout} s"
        time.sleep(0.01)


def test_the_work_of_a_backend_that_has_exited_is_still_counted(local_server: None) -> None:
    before = local_postgres_cpu_seconds(POSTGRES_URL)
    _work_on_a_connection_that_then_closes()
    after = local_postgres_cpu_seconds(POSTGRES_URL)
    assert before is not None and after is not None
    # the query costs a few tenths of a second of the server's CPU; a count that lost the
    # ended backend would read about zero
    assert after - before >= 0.1
