"""Gives every process the current model version, reloading within seconds of a promotion."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from classifier import ModelBundle, ModelRegistry

log = logging.getLogger(__name__)


class ModelProvider:
    """Loads the current model lazily (never at import) and notices when it changes."""

    def __init__(self, models_dir: Path, poll_seconds: float = 2.0) -> None:
        self.registry = ModelRegistry(models_dir)
        self._poll_seconds = poll_seconds
        self._bundle: ModelBundle | None = None
        self._marker_mtime = -1.0
        self._checked_at = 0.0
        self._lock = threading.Lock()

    def current(self) -> ModelBundle:
        """The current model, training the default on first use if there is none."""
        now = time.monotonic()
        if self._bundle is not None and now - self._checked_at < self._poll_seconds:
            return self._bundle
        with self._lock:
            self._checked_at = now
            mtime = self.registry.current_marker_mtime()
            if self._bundle is None or mtime != self._marker_mtime:
                self._load(mtime)
        assert self._bundle is not None
        return self._bundle

    def _load(self, mtime: float) -> None:
        """Load (or train) the current version and remember which marker it matched."""
        bundle = self.registry.ensure_current()
        if self._bundle is None or bundle.version != self._bundle.version:
            log.info("model version %s loaded", bundle.version)
        self._bundle = bundle
        self._marker_mtime = self.registry.current_marker_mtime() if mtime < 0 else mtime
