"""The database locked or unreachable: intake answers 503 with Retry-After, never 500."""

from __future__ import annotations

import sqlite3

from sqlalchemy import func, select

from config import Settings
from domain.infra.collaborators import Runtime
from domain.store.engine import make_engine
from domain.store.tables import comments
from service.app import create_app
from tests.support.intake import comment_fields


def count_comments(runtime: Runtime) -> int:
    """How many comments are stored."""
    with runtime.store.db.read() as connection:
        return int(connection.execute(select(func.count()).select_from(comments)).scalar_one())


def test_a_locked_sqlite_database_gives_503_and_stores_nothing_half_written(
    settings: Settings,
) -> None:
    runtime = Runtime(settings.with_overrides(database_busy_timeout_ms=300))
    runtime.store.migrate()
    _, key = runtime.store.sites.create("planet")
    client = create_app(runtime=runtime).test_client()
    auth = {"Authorization": f"Bearer {key}"}
    blocker = sqlite3.connect(settings.effective_database_url.removeprefix("sqlite:///"))
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = client.post("/api/v1/comments", json=comment_fields("Locked out?"), headers=auth)
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    assert response.get_json()["error"]["code"] == "database_unavailable"
    assert count_comments(runtime) == 0
    retried = client.post("/api/v1/comments", json=comment_fields("Locked out?"), headers=auth)
    assert retried.status_code == 202
    assert count_comments(runtime) == 1


def test_an_unreachable_database_gives_503_not_500(runtime: Runtime) -> None:
    _, key = runtime.store.sites.create("planet")
    app = create_app(runtime=runtime)
    runtime.store.db.engine = make_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/test", busy_timeout_ms=500
    )  # as if PostgreSQL were restarting: connections are refused
    response = app.test_client().post(
        "/api/v1/comments",
        json=comment_fields("Anyone there?"),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 503
    assert response.headers["Retry-After"]
