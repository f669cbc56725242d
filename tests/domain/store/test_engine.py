"""The engines: a PostgreSQL connection that died while pooled is replaced, not handed out."""

from __future__ import annotations

import pytest
from sqlalchemy import text

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

