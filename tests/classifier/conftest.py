"""Shared fixtures: the default bundle, trained once and shared with the rest of the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import ModelBundle, ModelRegistry


@pytest.fixture(scope="session")
def bundle(trained_models_dir: Path) -> ModelBundle:
    """The default bundle (``train_bundle(random_state=0)``), from the suite's model cache."""
    loaded = ModelRegistry(trained_models_dir).load_current()
    assert loaded is not None
    return loaded


@pytest.fixture()
def registry(tmp_path: Path) -> ModelRegistry:
    """An empty registry in a temporary folder."""
    return ModelRegistry(tmp_path / "models")
