"""Model versions in the database: every node's registries (the English model's and the other
languages') reach them through their own cache."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text, update

from classifier import ModelBundle
from classifier.languages import LanguageArtifactError, LanguageModels, LanguageRegistry
from classifier.registry import ArtifactError, ModelRegistry
from domain.store import Store
from domain.store.engine import make_engine
from domain.store.migrations import alembic_config
from domain.store.model_versions import TRAINING_LOCK_KEY, TRAINING_LOCK_KEYS
from domain.store.tables import model_versions
from tests.support.databases import require_postgres, throwaway_postgres


def node(store: Store, folder: Path) -> ModelRegistry:
    """A node's registry: its own cache folder, the shared database."""
    return ModelRegistry(folder, store=store.model_versions)


def twin(bundle: ModelBundle, version: str) -> ModelBundle:
    """The same model under another version name (a stand-in for a retrained one)."""
    return ModelBundle(bundle.vectorizer, bundle.coef, bundle.intercept,
                       dict(bundle.metadata, version=version), heads=bundle.heads)


def test_a_node_with_an_empty_folder_loads_the_version_another_node_promoted(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = node(store, tmp_path / "a")
    shutil.copytree(trained_models_dir, first.models_dir)
    bundle = first.ensure_current()  # an upgraded node hands its folder's version to the store
    second = node(store, tmp_path / "b")
    assert second.current_version() == bundle.version
    loaded = second.ensure_current()
    assert loaded.version == bundle.version
    assert (second.models_dir / bundle.version / "model.skops").read_bytes() == (
        first.models_dir / bundle.version / "model.skops").read_bytes()
    assert [m["version"] for m in second.versions() if m["active"]] == [bundle.version]


def test_promotion_and_rollback_are_seen_by_every_node(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = node(store, tmp_path / "a")
    shutil.copytree(trained_models_dir, first.models_dir)
    old = first.ensure_current()
    first.save(twin(old, "2099.01.01-twin"))
    second = node(store, tmp_path / "b")
    second.promote("2099.01.01-twin")
    assert first.current_version() == "2099.01.01-twin"
    assert first.rollback() == old.version
    assert second.current_version() == old.version
    with pytest.raises(ArtifactError, match="no earlier"):
        second.rollback()


def test_a_tampered_artifact_in_the_store_is_refused(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = node(store, tmp_path / "a")
    shutil.copytree(trained_models_dir, first.models_dir)
    version = first.ensure_current().version
    with store.db.write() as connection:
        connection.execute(update(model_versions).values(artifact=b"not a model"))
    second = node(store, tmp_path / "b")
    with pytest.raises(ArtifactError, match="integrity check"):
        second.load(version)
    assert not (second.models_dir / version).exists()


def test_first_training_is_serialised_across_nodes_on_postgresql(store: Store) -> None:
    lock = store.model_versions.training_lock()
    if store.db.is_sqlite:
        assert lock is None  # SQLite lives on one machine: the folder's file lock serves
        return
    assert lock is not None
    probe = "SELECT pg_try_advisory_lock(:key)"
    with lock, store.db.engine.connect() as other:
        assert other.execute(text(probe), {"key": TRAINING_LOCK_KEY}).scalar() is False
    with store.db.engine.connect() as other:
        assert other.execute(text(probe), {"key": TRAINING_LOCK_KEY}).scalar() is True
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": TRAINING_LOCK_KEY})


def test_a_version_saved_in_a_folder_before_the_upgrade_can_be_promoted_for_every_node(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = node(store, tmp_path / "a")
    shutil.copytree(trained_models_dir, first.models_dir)
    old = first.ensure_current()
    # saved by a release without the store
    ModelRegistry(first.models_dir).save(twin(old, "2099.01.02-local"))
    first.promote("2099.01.02-local")
    assert node(store, tmp_path / "b").ensure_current().version == "2099.01.02-local"


# -- the other languages' models: versions of their own kind in the same tables -------------


def test_the_two_kinds_have_their_own_versions_pointer_and_history(store: Store) -> None:
    english, languages = store.model_versions, store.language_versions
    for repository, names in ((english, ("e1", "e2")), (languages, ("l1", "l2"))):
        for name in names:
            repository.publish(name, {"version": name}, f"digest-{name}", name.encode())
    english.promote("e1")
    english.promote("e2")
    languages.promote("l1")
    assert (english.current(), languages.current()) == ("e2", "l1")

    languages.promote("l2")
    assert english.current() == "e2"
    assert english.rollback() == "e1"
    assert languages.current() == "l2"
    assert languages.rollback() == "l1"
    assert english.current() == "e1"
    assert languages.rollback() is None and english.rollback() is None

    assert sorted(m["version"] for m in english.listing()) == ["e1", "e2"]
    assert sorted(m["version"] for m in languages.listing()) == ["l1", "l2"]
    assert languages.fetch("e1") is None and english.fetch("l1") is None
    assert languages.fetch("l2") == ({"version": "l2"}, "digest-l2", b"l2")
    with pytest.raises(ValueError, match="english"):
        languages.publish("e1", {"version": "e1"}, "digest-e1", b"e1")
    with pytest.raises(ValueError, match="no languages model version e2"):
        languages.promote("e2")


def test_a_node_with_an_empty_folder_downloads_the_language_models_another_node_promoted(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = LanguageRegistry(tmp_path / "a", store.language_versions)
    shutil.copytree(trained_models_dir / "languages", first.root)
    models = first.ensure_current()  # an upgraded node hands its folder's version to the store
    assert store.language_versions.current() == models.version
    assert store.model_versions.current() is None  # the English pointer is not touched

    second = LanguageRegistry(tmp_path / "b", store.language_versions)
    loaded = second.ensure_current(train=never_train)
    assert loaded.version == models.version
    assert (second.root / models.version / "languages.npz").read_bytes() == (
        first.root / models.version / "languages.npz").read_bytes()
    texts = ["Du bist ein Idiot", "Danke für den Artikel"]
    assert loaded.models["de"].predict(texts).tolist() == models.models["de"].predict(
        texts).tolist()
    assert [m["version"] for m in second.versions() if m["active"]] == [models.version]


def test_language_promotion_and_rollback_reach_every_node_and_never_move_the_english_model(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    english = node(store, tmp_path / "a")
    shutil.copytree(trained_models_dir, english.models_dir)
    bundle = english.ensure_current()
    first = LanguageRegistry(english.models_dir, store.language_versions)
    old = first.ensure_current()
    first.save(language_twin(old, "languages-2099-twin"))
    second = LanguageRegistry(tmp_path / "b", store.language_versions)
    second.promote("languages-2099-twin")
    assert first.current_version() == "languages-2099-twin"
    assert first.ensure_current().version == "languages-2099-twin"
    assert english.current_version() == bundle.version

    english.save(twin(bundle, "2099.01.03-twin"))
    english.promote("2099.01.03-twin")
    assert second.current_version() == "languages-2099-twin"
    assert first.rollback() == old.version
    assert second.current_version() == old.version
    assert english.current_version() == "2099.01.03-twin"
    with pytest.raises(LanguageArtifactError, match="no earlier"):
        second.rollback()
    with pytest.raises(LanguageArtifactError, match="unknown"):
        second.promote(bundle.version)  # an English version is no language version


def test_a_tampered_language_artifact_in_the_store_is_refused(
    store: Store, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = LanguageRegistry(tmp_path / "a", store.language_versions)
    shutil.copytree(trained_models_dir / "languages", first.root)
    version = first.ensure_current().version
    with store.db.write() as connection:
        connection.execute(update(model_versions).where(model_versions.c.kind == "languages")
                           .values(artifact=b"not the arrays"))
    second = LanguageRegistry(tmp_path / "b", store.language_versions)
    with pytest.raises(LanguageArtifactError, match="integrity check"):
        second.ensure_current(train=never_train)
    assert not (second.root / version).exists()


def test_each_kind_trains_its_first_version_under_its_own_lock_on_postgresql(
    store: Store,
) -> None:
    lock = store.language_versions.training_lock()
    if store.db.is_sqlite:
        assert lock is None  # SQLite lives on one machine: the folder's file lock serves
        return
    assert lock is not None
    probe = "SELECT pg_try_advisory_lock(:key)"
    key = TRAINING_LOCK_KEYS["languages"]
    assert key != TRAINING_LOCK_KEY
    with lock, store.db.engine.connect() as other:
        assert other.execute(text(probe), {"key": key}).scalar() is False
        # the English model's first training is not held up by the languages'
        assert other.execute(text(probe), {"key": TRAINING_LOCK_KEY}).scalar() is True
        other.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": TRAINING_LOCK_KEY})


def test_versions_stored_before_languages_joined_the_store_stay_the_english_models(
    database_url: str,
) -> None:
    """A database at 0007 holds only English versions: after 0008 they are of that kind."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0007")
        connection.execute(text(
            "INSERT INTO model_versions (version, metadata, digest, artifact, created_at) "
            "VALUES ('2026.12.01-old', '{\"version\": \"2026.12.01-old\"}', 'abc', :bytes, "
            "CURRENT_TIMESTAMP)"), {"bytes": b"model"})
        connection.execute(text(
            "INSERT INTO current_model (id, version, history, promoted_at) "
            "VALUES (1, '2026.12.01-old', '[\"2026.12.01-old\"]', CURRENT_TIMESTAMP)"))
    engine.dispose()
    store = Store(database_url)
    store.migrate()
    try:
        assert store.model_versions.current() == "2026.12.01-old"
        assert store.model_versions.fetch("2026.12.01-old") == (
            {"version": "2026.12.01-old"}, "abc", b"model")
        assert store.language_versions.current() is None
        assert store.language_versions.listing() == []
    finally:
        store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a throwaway PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'moderation.db'}"
        return
    require_postgres()
    with throwaway_postgres() as url:
        yield url


def language_twin(models: LanguageModels, version: str) -> LanguageModels:
    """The same language models under another version name (a stand-in for a retrained one)."""
    return LanguageModels(models.models, models.spam, dict(models.metadata, version=version))


def never_train() -> LanguageModels:
    """A node that finds a version in the store must not train its own."""
    raise AssertionError("this node trained language models of its own")
