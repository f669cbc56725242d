"""Shared fixtures: the default bundle, trained once and shared with the rest of the suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from classifier import ModelBundle, ModelRegistry
from classifier.embeddings import (
    EmbeddingModelMissing,
    SentenceEncoder,
    locate_model,
    shared_encoder,
)


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


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    """The MiniLM encoder of the optional tier (scripts/test installs its weights).

    Skipped where the weights are not installed, except in CI, where a skip would hide a gap.
    """
    try:
        return shared_encoder(locate_model())
    except EmbeddingModelMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the embedding tier: {missing}")
        pytest.skip(str(missing))
