"""The model providers follow the database's pointers and keep scoring while they cannot read
them."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from classifier.languages import LanguageModels
from domain.scoring.languages import LanguageModelsProvider
from domain.scoring.model_provider import ModelProvider
from domain.store import Store


def test_a_provider_keeps_its_model_while_the_pointer_cannot_be_read(
    trained_models_dir: Path, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'moderation.db'}")
    store.migrate()
    shutil.copytree(trained_models_dir, tmp_path / "models")
    provider = ModelProvider(tmp_path / "models", poll_seconds=0.0, store=store.model_versions)
    languages = LanguageModelsProvider(tmp_path / "models", 0.0, store.language_versions)
    loaded, loaded_languages = provider.current(), languages.current()
    with store.db.write() as connection:  # the pointer's table is gone: every poll fails
        connection.execute(text("DROP TABLE current_model"))
    assert provider.current() is loaded
    assert languages.current() is loaded_languages
    store.dispose()


def test_the_language_models_follow_the_pointer_another_node_moves(
    trained_models_dir: Path, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'moderation.db'}")
    store.migrate()
    shutil.copytree(trained_models_dir / "languages", tmp_path / "a" / "languages")
    node_a = LanguageModelsProvider(tmp_path / "a", 0.0, store.language_versions)
    node_b = LanguageModelsProvider(tmp_path / "b", 0.0, store.language_versions)
    old = node_a.current()
    assert node_b.current().version == old.version  # downloaded, not trained
    retrained = f"{old.version}+labels-1-20991231000000"
    node_a.registry.save(LanguageModels(old.models, old.spam,
                                        dict(old.metadata, version=retrained)))
    node_a.registry.promote(retrained)
    assert node_b.current().version == retrained
    node_b.registry.rollback()
    assert node_a.current().version == old.version
    store.dispose()
