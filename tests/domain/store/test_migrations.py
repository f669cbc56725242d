"""Alembic migrations: old databases catch up, new ones match tables.py, starts race safely."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from pathlib import Path
from pprint import pformat
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from domain.store import Store
from domain.store.engine import make_engine
from domain.store.migrations import head_revision
from domain.store.tables import metadata
from tests.support.databases import migrate_when_all_are_ready, require_postgres, throwaway_postgres

SCHEMA_V1 = Path(__file__).parent / "schema_v1"
HOW_TO_MIGRATE = (
    "tables.py and the migrations disagree (above: what the migrations lack).\n"
    "Write the migration and commit it with your change:\n"
    '    .venv/bin/moderation db revision "what changed"\n'
    "then read the new file in domain/store/migrations/versions/ and fix what autogenerate "
    "cannot know (renames, data to fill in, server defaults). See docs/architecture.md."
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database: a SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'moderation.db'}"
        return
    require_postgres()
    with throwaway_postgres() as url:
        yield url


def test_a_new_database_matches_tables_py(empty_database: str) -> None:
    """Fails when someone changes tables.py without a migration: the message says what to run."""
    store = Store(empty_database)
    store.migrate()
    assert store.schema_version() == head_revision()
    store.dispose()
    differences = schema_differences(empty_database)
    assert differences == [], pformat(differences) + "\n\n" + HOW_TO_MIGRATE


def test_a_version_1_database_upgrades_and_keeps_its_rows(empty_database: str) -> None:
    """The oldest schema a user may have, as release 1 created it, reaches head intact."""
    site_id = make_version_1_database(empty_database)
    store = Store(empty_database)
    assert store.schema_version() is None
    store.migrate()
    assert store.schema_version() == head_revision()
    differences = schema_differences(empty_database)
    assert differences == [], pformat(differences)
    comment = store.comments.get("c1")
    assert comment is not None and comment.body == "Good article." and comment.site_id == site_id
    store.webhooks.set_coral_secrets("planet", ["ssc_1"])  # a column version 2 added
    assert store.webhooks.coral_secrets(site_id) == ["ssc_1"]
    store.dispose()


def test_migrate_is_repeatable(empty_database: str) -> None:
    store = Store(empty_database)
    store.migrate()
    store.sites.create("planet")
    store.migrate()
    assert store.sites.by_slug("planet") is not None
    assert store.schema_version() == head_revision()
    store.dispose()


def test_processes_starting_together_both_migrate(empty_database: str) -> None:
    """Web, worker and beat start at once on an empty database: one migrates, the other waits."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    processes = [
        context.Process(target=migrate_when_all_are_ready, args=(empty_database, barrier))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    assert [process.exitcode for process in processes] == [0, 0]
    store = Store(empty_database)
    assert store.schema_version() == head_revision()
    store.dispose()
    assert schema_differences(empty_database) == []


def schema_differences(url: str) -> list[Any]:
    """What Alembic's autogenerate would add to make the database equal tables.py."""
    engine = make_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = list(compare_metadata(context, metadata))
    engine.dispose()
    return differences


def make_version_1_database(url: str) -> int:
    """Replay release 1's DDL and store a site and a comment the old way; return the site id."""
    engine = make_engine(url)
    script = (SCHEMA_V1 / f"{engine.dialect.name}.sql").read_text()
    lines = [line for line in script.splitlines() if not line.startswith("--")]
    created = "'2024-05-01 10:00:00'"
    with engine.begin() as connection:
        for statement in "\n".join(lines).split(";"):
            if statement.strip():
                connection.exec_driver_sql(statement)
        connection.execute(
            text(
                "INSERT INTO sites (slug, name, api_key_hash, api_key_prefix, policy, created_at)"
                f" VALUES ('planet', 'Planet', '{'a' * 64}', 'cmk_x', '{{}}', {created})"
            )
        )
        site_id = int(connection.execute(text("SELECT id FROM sites")).scalar_one())
        connection.execute(
            text(
                "INSERT INTO comments (id, site_id, article_id, sender_name, email, body, status,"
                " created_at, enqueued_at) VALUES ('c1', :site, 'a1', 'Jt', 'jt@example.com',"
                f" 'Good article.', 'approved', {created}, {created})"
            ),
            {"site": site_id},
        )
    engine.dispose()
    return site_id
