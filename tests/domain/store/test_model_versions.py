"""Model versions in the database: every node's registry reaches them through its own cache."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text, update

from classifier import ModelBundle
from classifier.registry import ArtifactError, ModelRegistry
from domain.store import Store
from domain.store.model_versions import TRAINING_LOCK_KEY
from domain.store.tables import model_versions


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
