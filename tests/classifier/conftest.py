"""Shared fixtures: the default bundle is trained once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import ModelBundle, ModelRegistry, train_bundle


@pytest.fixture(scope="session")
def bundle() -> ModelBundle:
    """The default bundle, trained deterministically once for the whole session."""
    return train_bundle(random_state=0)


@pytest.fixture()
def registry(tmp_path: Path) -> ModelRegistry:
    """An empty registry in a temporary folder."""
    return ModelRegistry(tmp_path / "models")
