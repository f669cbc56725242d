"""Model versions a Perspective client may pin (`TOXICITY@2` or `TOXICITY@<our version>`)."""

from __future__ import annotations

import re

from classifier import ModelBundle
from domain.scoring.model_provider import ModelProvider, UnknownVersion

__all__ = ["UnknownVersion", "bundle_for", "resolve"]


def resolve(models: ModelProvider, pinned: str) -> str:
    """Our version id for a pin: a number counts saved versions from the oldest (1), else an id."""
    versions = [str(meta["version"]) for meta in models.registry.versions()]
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,9}", pinned) and 1 <= int(pinned) <= len(versions):
        return versions[int(pinned) - 1]
    if pinned in versions:
        return pinned
    raise UnknownVersion(
        f"Unknown model version {pinned!r}: use 1 to {len(versions)} (oldest first) "
        "or a version id from `moderation models list`."
    )


def bundle_for(models: ModelProvider, pinned: str | None) -> ModelBundle:
    """The current model, or a pinned one (the provider keeps a few loaded)."""
    if pinned is None:
        return models.current()
    return models.version(resolve(models, pinned))
