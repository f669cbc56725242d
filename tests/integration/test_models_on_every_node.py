"""Two nodes share only PostgreSQL and Redis: a version promoted on one is scored on the other."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from config import Settings
from domain import training
from domain.infra.collaborators import Runtime
from domain.store import Label
from tests.integration.test_retraining import CAMPAIGN, PROBE, REMARKS
from tests.support.databases import require_postgres, throwaway_postgres
from tests.support.intake import post_comment
from tests.support.processes import start_worker
from tests.support.streams import read_results


@pytest.fixture
def shared_database() -> Iterator[str]:
    """One PostgreSQL database for both nodes."""
    require_postgres()
    with throwaway_postgres() as url:
        yield url


def node_settings(settings: Settings, root: Path, database_url: str) -> Settings:
    """A node of its own: data folder and model cache; the database and Redis are shared."""
    data_dir = root / "data"
    data_dir.mkdir(parents=True)
    return settings.with_overrides(data_dir=data_dir, models_dir=None, database_url=database_url)


def test_a_version_promoted_on_one_node_is_scored_by_the_other_nodes_worker(
    settings: Settings, trained_models_dir: Path, tmp_path: Path, shared_database: str
) -> None:
    trainer = Runtime(node_settings(settings, tmp_path / "a", shared_database))
    trainer.store.migrate()
    shutil.copytree(trained_models_dir, trainer.settings.effective_models_dir)
    old = trainer.models.current()
    _, key = trainer.store.sites.create("planet")
    scorer = node_settings(settings, tmp_path / "b", shared_database)
    worker = start_worker(scorer)  # an empty data folder: it must not train a model of its own
    client = redis.Redis.from_url(settings.redis_url or "")
    try:
        # The other languages' models are trained from the shipped data on each node (not
        # shared through the database yet): only the English versions are compared here.
        assert [p.name for p in scorer.effective_models_dir.iterdir()
                if not p.name.startswith(".") and p.name != "languages"] == [old.version]
        rows = [Label(t, "spam", "import") for t in CAMPAIGN]
        trainer.store.labels.add_many(rows + [Label(t, "ham", "import") for t in REMARKS])
        report = training.retrain(trainer.store, trainer.models.registry)
        assert report.promoted, report.checks

        time.sleep(settings.model_poll_seconds * 4)  # the worker polls the database's pointer
        post_comment(trainer, key, PROBE)
        # the worker trains its language models before its first batch: give it time
        [verdict] = read_results(client, "planet", 1, timeout=300)
        assert verdict["model_version"] == report.version

        trainer.models.registry.rollback()
        time.sleep(settings.model_poll_seconds * 4)
        post_comment(trainer, key, PROBE, email="another.reader@example.com")
        assert read_results(client, "planet", 2)[1]["model_version"] == old.version
    finally:
        worker.stop()
        trainer.store.dispose()
