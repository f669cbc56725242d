"""The narrow interface between the model registry and where versions are kept for every node."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol

# The kinds of version a store keeps apart: each has its own versions, promotion pointer and
# history, so promoting or rolling back one never moves the other.
ENGLISH_MODEL = "english"  # the English model bundles (classifier/registry.py)
LANGUAGE_MODELS = "languages"  # the other languages' models (classifier/languages/artifact.py)
KINDS = (ENGLISH_MODEL, LANGUAGE_MODELS)


class VersionStore(Protocol):
    """Where versions live for every node (the database, an object store); the folder caches.

    The registry verifies what it downloads; the store only keeps bytes, metadata and the
    promotion pointer. One store object serves one kind of version (``KINDS``).
    """

    def publish(self, version: str, metadata: dict[str, Any], digest: str,
                artifact: bytes) -> None:
        """Keep a saved version (idempotent for an equal version)."""

    def fetch(self, version: str) -> tuple[dict[str, Any], str, bytes] | None:
        """A version's metadata, digest and artifact bytes, or None if unknown."""

    def listing(self) -> list[dict[str, Any]]:
        """The metadata of every stored version."""

    def current(self) -> str | None:
        """The promoted version, if any."""

    def promote(self, version: str) -> None:
        """Point every node at ``version``."""

    def rollback(self) -> str | None:
        """Point every node back at the previously promoted version; None if there is none."""

    def training_lock(self) -> AbstractContextManager[object] | None:
        """A lock held across nodes while the first model trains, or None for the file lock."""
