"""Gives every process the current model version, reloading within seconds of a promotion."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from classifier import ModelBundle, ModelRegistry
from classifier.registry import ArtifactError, TrainingOptions
from classifier.version_store import VersionStore
from config import Settings
from domain.infra.metrics import metrics

log = logging.getLogger(__name__)


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

    def recommended_thresholds(self) -> dict[str, Any]:
        """The current model's recommended thresholds, read from its metadata file only.

        The web process needs them for the review queue's lines and never loads the model;
        {} when no model has been trained yet.
        """
        read_at, version, thresholds = self._thresholds
        if time.monotonic() - read_at < self._poll_seconds:
            return thresholds
        current = self.registry.current_version()
        if current != version:
            try:
                thresholds = dict(self.registry.metadata(current).get("thresholds") or {})
            except ArtifactError:
                thresholds = {}
        self._thresholds = (time.monotonic(), current, thresholds)
        return thresholds
