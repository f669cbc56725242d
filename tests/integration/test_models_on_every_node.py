"""Two nodes share only PostgreSQL and Redis: a version promoted on one is scored on the other,
the English model's and the other languages' models' alike."""

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
from domain.training.languages import retrain_languages
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
    languages = trainer.languages.current()  # an upgraded node hands its folder's version over
    _, key = trainer.store.sites.create("planet")
    scorer = node_settings(settings, tmp_path / "b", shared_database)
    worker = start_worker(scorer)  # an empty data folder: it must not train a model of its own
    client = redis.Redis.from_url(settings.redis_url or "")
    try:
        assert [p.name for p in scorer.effective_models_dir.iterdir()
                if not p.name.startswith(".") and p.name != "languages"] == [old.version]
        # the other languages' models too: downloaded from the database, none trained here
        assert versions_in(scorer.effective_models_dir / "languages") == [languages.version]
        rows = [Label(t, "spam", "import") for t in CAMPAIGN]
        trainer.store.labels.add_many(rows + [Label(t, "ham", "import") for t in REMARKS])
        report = training.retrain(trainer.store, trainer.models.registry)
        assert report.promoted, report.checks

        time.sleep(settings.model_poll_seconds * 4)  # the worker polls the database's pointer
        post_comment(trainer, key, PROBE)
        [verdict] = read_results(client, "planet", 1)
        assert verdict["model_version"] == report.version

        trainer.models.registry.rollback()
        time.sleep(settings.model_poll_seconds * 4)
        post_comment(trainer, key, PROBE, email="another.reader@example.com")
        assert read_results(client, "planet", 2)[1]["model_version"] == old.version
    finally:
        worker.stop()
        trainer.store.dispose()


# A moderator's German labels: insults held as toxic, ordinary remarks approved.
GERMAN_TOXIC = [
    "Du bist so ein erbärmlicher Vollidiot, halt einfach die Klappe",
    "Was für ein hirnloser Schwachkopf, geh zurück in dein Loch",
    "Der Autor ist ein dummer Lügner und ein widerlicher Hetzer",
    "Halt dein dreckiges Maul, du asozialer Penner",
    "Ihr seid alle komplett bescheuert, ihr Vollpfosten",
    "So ein Dreckskerl gehört eingesperrt, widerliches Pack",
    "Du bist der dümmste Mensch, den ich je lesen musste, du Trottel",
    "Verpiss dich endlich aus diesem Forum, du elender Idiot",
    "Was für ein Haufen Müll von einem Drecksblatt, ihr Versager",
    "Die Kommentatoren hier sind alle geistig zurückgebliebene Spinner",
    "Halt die Fresse, du Arschloch",
    "Dieser Politiker ist ein korrupter Verbrecher und ein Schwein",
]
GERMAN_OK = [
    "Vielen Dank für den ausführlichen Bericht über die Haushaltsdebatte",
    "Ich sehe das anders, die Zahlen im zweiten Absatz überzeugen mich nicht",
    "Gibt es eine Quelle für die Angaben zur Arbeitslosigkeit?",
    "Sehr gut recherchiert, die Grafiken helfen beim Verständnis",
    "Die Stadt sollte endlich mehr Radwege bauen, das wäre ein Anfang",
    "Ich habe den Artikel mit Interesse gelesen, danke dafür",
    "Mich würde interessieren, wie es mit dem Projekt weitergeht",
    "Das Interview mit der Bürgermeisterin war aufschlussreich",
    "Schade, dass die Opposition im Text kaum zu Wort kommt",
    "Ein ausgewogener Kommentar zu einem schwierigen Thema",
    "Die Bahn war heute wieder verspätet, wie so oft in letzter Zeit",
    "Gute Zusammenfassung der wichtigsten Punkte aus der Sitzung",
]
GERMAN_COMMENT = "Der Artikel ist Unsinn und der Autor ein dummer Idiot"
GERMAN_REPLY = "Danke für die Einordnung, das hilft beim Verständnis der Debatte"


def versions_in(folder: Path) -> list[str]:
    """The version folders in a node's cache."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def test_a_language_retrain_promoted_on_one_node_is_used_by_the_other_nodes_worker(
    settings: Settings, trained_models_dir: Path, tmp_path: Path, shared_database: str
) -> None:
    trainer = Runtime(node_settings(settings, tmp_path / "a", shared_database))
    trainer.store.migrate()
    shutil.copytree(trained_models_dir, trainer.settings.effective_models_dir)
    english = trainer.models.current().version
    before = trainer.languages.current()
    _, key = trainer.store.sites.create("berlin")
    scorer = node_settings(settings, tmp_path / "b", shared_database)
    worker = start_worker(scorer)
    client = redis.Redis.from_url(settings.redis_url or "")
    try:
        # German comments arrive, node B's worker reads them (German), moderators label them
        labelled = [(text, "toxic") for text in GERMAN_TOXIC] + [(t, "ok") for t in GERMAN_OK]
        ids = [post_comment(trainer, key, text, email=f"reader{i}@example.com")
               for i, (text, _) in enumerate(labelled)]
        scored = {e["comment_id"]: e for e in read_results(client, "berlin", len(ids))}
        assert {scored[i]["language"] for i in ids} == {"de"}
        assert {scored[i]["model_version"] for i in ids} == {before.version}
        trainer.store.labels.add_many([Label(text, label, "moderator", comment_id=i)
                                       for i, (text, label) in zip(ids, labelled, strict=True)])
        report = retrain_languages(trainer.store, trainer.languages)
        assert report is not None and report.promoted, report.languages
        assert set(report.languages) == {"de"} and report.version != before.version
        assert trainer.store.language_versions.current() == report.version
        assert trainer.store.model_versions.current() == english  # the English model stays

        time.sleep(settings.model_poll_seconds * 4)  # the worker polls the database's pointer
        post_comment(trainer, key, GERMAN_COMMENT)
        verdict = read_results(client, "berlin", len(ids) + 1)[-1]
        assert verdict["language"] == "de"
        assert verdict["model_version"] == report.version
        assert verdict["status"] in {"flagged", "rejected"}
        # node B downloaded the new version; it trained none of its own
        assert versions_in(scorer.effective_models_dir / "languages") == sorted(
            [before.version, report.version])

        trainer.languages.registry.rollback()
        time.sleep(settings.model_poll_seconds * 4)
        post_comment(trainer, key, GERMAN_REPLY, email="another.reader@example.com")
        second = read_results(client, "berlin", len(ids) + 2)[-1]
        assert second["language"] == "de" and second["model_version"] == before.version
        assert trainer.store.model_versions.current() == english
    finally:
        worker.stop()
        trainer.store.dispose()
