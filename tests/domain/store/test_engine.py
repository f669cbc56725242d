"""The engines: a PostgreSQL connection that died while pooled is replaced, not handed out, and
the pool keeps a connection for every web thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from config import Settings
from domain.infra.collaborators import Runtime
from domain.store import engine as engines
from tests.support.databases import POSTGRES_URL, require_postgres


def test_a_pooled_postgresql_connection_killed_while_idle_is_replaced(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require_postgres()
    monkeypatch.setattr(engines, "PING_IDLE_SECONDS", 0.0)  # every returned one counts as idle
    engine = engines.make_engine(POSTGRES_URL)
    killer = engines.make_engine(POSTGRES_URL)
    try:
        with engine.connect() as connection:
            pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as connection:  # as a restart or a proxy's idle timeout would
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()
        killer.dispose()



@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_every_web_thread_keeps_its_connection_between_requests(
    database: str, tmp_path: Path
) -> None:
    """Eight threads that each hold a connection at once, twice: the second time they get the
    same eight connections back. A pool smaller than the web's threads closed the extra ones on
    return and opened new ones for the next request (a forked backend each on PostgreSQL)."""
    url = f"sqlite:///{tmp_path / 'pool.db'}" if database == "sqlite" else POSTGRES_URL
    if database == "postgresql":
        require_postgres()
    settings = Settings.from_env({"MODERATION_DATA_DIR": str(tmp_path), "DATABASE_URL": url,
                                  "MODERATION_WEB_THREADS": "8"})
    engine = Runtime(settings).store.db.engine
    try:
        first, second = _connections_held_at_once(engine, 8), _connections_held_at_once(engine, 8)
        assert len(first) == 8
        assert second == first
    finally:
        engine.dispose()


def _connections_held_at_once(engine: Engine, threads: int) -> set[int]:
    """The driver connections that ``threads`` threads hold at the same moment."""
    everyone_holds_one = threading.Barrier(threads)

    def hold() -> int:
        with engine.connect() as connection:
            driver = connection.connection.driver_connection
            everyone_holds_one.wait(timeout=30)
            return id(driver)

    with ThreadPoolExecutor(threads) as pool:
        return set(pool.map(lambda _: hold(), range(threads)))
