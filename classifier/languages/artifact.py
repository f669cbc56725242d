"""The language models on disk: ``<models_dir>/languages/<version>/`` with a ``CURRENT`` marker.

Their own versioned artefact beside the English model's, so retraining one never moves the
other. Arrays go in a NumPy ``.npz`` read with ``allow_pickle=False`` (nothing executable),
settings and metrics in ``metadata.json``; a sha256 in the metadata guards the arrays.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from classifier.artifact_files import atomic_write, json_default, sha256_of
from classifier.languages.bundle import LanguageModels, train_language_models
from classifier.languages.hashing import N_FEATURES
from classifier.languages.model import LanguageModel
from classifier.languages.spam import SIGNALS, SpamSignals

ARRAYS_FILE = "languages.npz"
META_FILE = "metadata.json"


class LanguageArtifactError(RuntimeError):
    """A language artefact is missing, tampered with or incompatible."""


class LanguageRegistry:
    """Saves, loads and promotes versions of the language models."""

    def __init__(self, models_dir: Path | str) -> None:
        self.root = Path(models_dir) / "languages"

    def save(self, models: LanguageModels) -> Path:
        """Write a new version folder (sparse arrays: only the n-grams a model kept)."""
        folder = self.root / models.version
        folder.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"spam_coef": models.spam.coef}
        meta = dict(models.metadata, models={}, spam={
            "intercept": models.spam.intercept, "thresholds": models.spam.thresholds,
            "metrics": models.spam.metrics, "signals": list(SIGNALS)})
        for language, model in models.models.items():
            kept = np.flatnonzero(model.idf).astype(np.int32)
            arrays[f"{language}_index"] = kept
            arrays[f"{language}_idf"] = model.idf[kept]
            arrays[f"{language}_coef"] = model.coef[kept]
            meta["models"][language] = {
                "ngram_range": list(model.ngram_range), "intercept": model.intercept,
                "thresholds": model.thresholds, "metrics": model.metrics}
        np.savez_compressed(folder / ARRAYS_FILE, **arrays)  # type: ignore[arg-type]
        meta["arrays_sha256"] = sha256_of(folder / ARRAYS_FILE)
        atomic_write(folder / META_FILE,
                     json.dumps(meta, indent=2, ensure_ascii=False, default=json_default))
        return folder

    def load(self, version: str) -> LanguageModels:
        """Load and verify a version."""
        folder = self.root / version
        try:
            meta: dict[str, Any] = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LanguageArtifactError(f"language models {version!r}: {exc}") from exc
        if sha256_of(folder / ARRAYS_FILE) != meta.get("arrays_sha256"):
            raise LanguageArtifactError(f"language models {version!r} failed their sha256 check")
        if meta.get("sklearn_version") != sklearn.__version__:
            raise LanguageArtifactError(
                f"language models {version!r} were trained with scikit-learn "
                f"{meta.get('sklearn_version')}, this process runs {sklearn.__version__}")
        with np.load(folder / ARRAYS_FILE, allow_pickle=False) as arrays:
            models = {lang: _model(lang, spec, arrays) for lang, spec in meta["models"].items()}
            spam = SpamSignals(np.array(arrays["spam_coef"]), float(meta["spam"]["intercept"]),
                               meta["spam"]["thresholds"], meta["spam"]["metrics"])
        return LanguageModels(models, spam, meta)

    def current_version(self) -> str | None:
        """The promoted version, if any."""
        try:
            return (self.root / "CURRENT").read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def promote(self, version: str) -> None:
        """Make a saved version current."""
        if not (self.root / version / META_FILE).exists():
            raise LanguageArtifactError(f"unknown language models {version!r}")
        atomic_write(self.root / "CURRENT", version + "\n")

    def ensure_current(self, train: Callable[[], LanguageModels] | None = None) -> LanguageModels:
        """The current version, training and promoting one first (once, under a lock)."""
        version = self.current_version()
        if version:
            return self.load(version)
        with self._lock():
            version = self.current_version()
            if version:
                return self.load(version)
            models = train() if train is not None else train_language_models()
            self.save(models)
            self.promote(models.version)
            return models

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """Exclusive inter-process lock while training the first version."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".train.lock").open("a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def language_recipe_fingerprint() -> str:
    """A hash of all the classifier's code and data (the languages read much of it)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in {".py", ".csv", ".txt", ".json"}:
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cached_language_models(cache_root: Path) -> Path:
    """A models folder under ``cache_root`` whose ``languages/`` holds this recipe's models."""
    folder = cache_root / f"languages-{language_recipe_fingerprint()}"
    LanguageRegistry(folder).ensure_current()
    return folder


def _model(language: str, spec: dict[str, Any], arrays: Any) -> LanguageModel:
    """Rebuild one language's dense arrays from the stored kept n-grams."""
    idf = np.zeros(N_FEATURES, dtype=np.float32)
    coef = np.zeros(N_FEATURES, dtype=np.float32)
    kept = arrays[f"{language}_index"]
    idf[kept] = arrays[f"{language}_idf"]
    coef[kept] = arrays[f"{language}_coef"]
    ngram = (int(spec["ngram_range"][0]), int(spec["ngram_range"][1]))
    return LanguageModel(language, ngram, idf, coef, float(spec["intercept"]),
                         dict(spec["thresholds"]), dict(spec.get("metrics") or {}))
