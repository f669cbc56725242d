"""The model provider follows the database's pointer and keeps scoring while it cannot read it."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import text

from domain.scoring.model_provider import ModelProvider
from domain.store import Store


def test_a_provider_keeps_its_model_while_the_pointer_cannot_be_read(
    trained_models_dir: Path, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'moderation.db'}")
    store.migrate()
    shutil.copytree(trained_models_dir, tmp_path / "models")
    provider = ModelProvider(tmp_path / "models", poll_seconds=0.0, store=store.model_versions)
    loaded = provider.current()
    with store.db.write() as connection:  # the pointer's table is gone: every poll fails
        connection.execute(text("DROP TABLE current_model"))
    assert provider.current() is loaded
    store.dispose()
