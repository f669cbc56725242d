"""Gives every process the current model version, reloading within seconds of a promotion.

Workers load the model before their first batch. Web processes load it only when a request
needs a score at once (the Akismet, Perspective and Coral endpoints, through the same
``Scorer`` as the workers) or a moderator asks for the queue's informative order
(domain/review/informative.py): lazily, once per process, and they reload it on promotion
exactly as the workers do. A web process that serves only intake and the review pages' other
orders never loads it: they need only the recommended thresholds, read from the metadata file.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from classifier import ModelBundle, ModelRegistry
from classifier.registry import ArtifactError, TrainingOptions
from classifier.version_store import VersionStore
from config import Settings
from domain.infra.metrics import metrics
from domain.scoring.decide import recommended_thresholds

log = logging.getLogger(__name__)


# Older versions a process keeps loaded for Perspective clients that pin one (`TOXICITY@2`).
PINNED_VERSIONS_KEPT = 4


class UnknownVersion(LookupError):
    """A version that names no model we have, or one that cannot be loaded."""


class ModelProvider:
    """Loads the current model lazily (never at import) and notices when another is promoted."""

    def __init__(self, models_dir: Path, poll_seconds: float = 2.0,
                 options: TrainingOptions | None = None,
                 store: VersionStore | None = None) -> None:
        self.registry = ModelRegistry(models_dir, options, store)
        self._poll_seconds = poll_seconds
        self._bundle: ModelBundle | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._thresholds: tuple[float, str | None, dict[str, Any]] = (0.0, None, {})
        self._pinned: OrderedDict[str, ModelBundle] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings, store: VersionStore | None) -> ModelProvider:
        """The provider of an installation: its version store (the database), its cache
        folder, poll period and training tier."""
        options = TrainingOptions(embeddings=settings.embeddings,
                                  embedding_model=settings.embedding_model)
        return cls(settings.effective_models_dir, settings.model_poll_seconds, options, store)

    def current(self) -> ModelBundle:
        """The current model, training the default on first use if there is none."""
        bundle = self._bundle
        if bundle is not None and time.monotonic() - self._checked_at < self._poll_seconds:
            return bundle
        with self._lock:
            self._checked_at = time.monotonic()
            try:
                wanted = self.registry.current_version()
            except Exception:
                if self._bundle is None:
                    raise
                log.warning("cannot read the promoted model version; keeping %s",
                            self._bundle.version, exc_info=True)
                return self._bundle
            if self._bundle is None or wanted != self._bundle.version:
                self._bundle = self._load(wanted)
            return self._bundle

    def current_if_trained(self) -> ModelBundle | None:
        """The current model, or None while none has been trained (this never trains one).

        For a page that can do without a model, such as the review queue's informative
        order, which falls back to another order rather than train inside a request.
        """
        if self._bundle is None and self.registry.current_version() is None:
            return None
        return self.current()

    def _load(self, wanted: str | None) -> ModelBundle:
        """Load the promoted version (training the first once), counting the outcome."""
        try:
            bundle = self.registry.ensure_current()
        except Exception:
            metrics().model_loads.labels(version=wanted or "", outcome="failed").inc()
            raise
        metrics().model_loads.labels(version=bundle.version, outcome="loaded").inc()
        log.info("model version %s loaded", bundle.version)
        return bundle

    def version(self, version: str) -> ModelBundle:
        """A saved version: the current model, or an older one (a few kept loaded)."""
        current = self.current()
        if version == current.version:
            return current
        with self._lock:
            if version in self._pinned:
                self._pinned.move_to_end(version)
                return self._pinned[version]
        try:
            bundle = self.registry.load(version)
        except ArtifactError as error:
            raise UnknownVersion(f"Model version {version!r} cannot be loaded: {error}") from error
        with self._lock:
            self._pinned[version] = bundle
            while len(self._pinned) > PINNED_VERSIONS_KEPT:
                self._pinned.popitem(last=False)
        return bundle

    def recommended_thresholds(self) -> dict[str, Any]:
        """The current model's recommended thresholds, read from its metadata file only.

        The review pages need them for the queue's lines without loading the model;
        {} when no model has been trained yet.
        """
        read_at, version, thresholds = self._thresholds
        if time.monotonic() - read_at < self._poll_seconds:
            return thresholds
        current = self.registry.current_version()
        if current != version:
            try:
                thresholds = dict(recommended_thresholds(self.registry.metadata(current)))
            except ArtifactError:
                thresholds = {}
        self._thresholds = (time.monotonic(), current, thresholds)
        return thresholds
