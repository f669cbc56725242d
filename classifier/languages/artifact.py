"""The language models: ``<models_dir>/languages/<version>/``, shared through a version store.

Their own versioned artefact beside the English model's, so retraining one never moves the
other. Arrays go in a NumPy ``.npz`` read with ``allow_pickle=False`` (nothing executable),
settings and metrics in ``metadata.json``; a sha256 in the metadata guards the arrays.

With a version store (classifier/version_store.py, kind ``languages``: the database or an
object store) every node reaches the same versions and the same promoted one, exactly as the
English model's registry does; the folder is then this node's cache. Without one the folder
is all there is: a ``CURRENT`` marker and a ``HISTORY`` of promotions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from classifier.artifact_files import sha256_of
from classifier.languages.bundle import LanguageModels, train_language_models
from classifier.languages.hashing import N_FEATURES
from classifier.languages.model import LanguageModel
from classifier.languages.spam import SIGNALS, SpamSignals
from classifier.version_registry import META_FILE, VersionRegistry
from classifier.version_store import VersionStore

ARRAYS_FILE = "languages.npz"


class LanguageArtifactError(RuntimeError):
    """A language artefact is missing, tampered with or incompatible."""


class LanguageRegistry(VersionRegistry[LanguageModels]):
    """Saves, loads, promotes and rolls back versions of the language models.

    With a ``store`` (of the ``languages`` kind), the store holds every version and the
    promotion pointer, and the folder is this node's cache: a version missing from it is
    downloaded, verified by its sha256 and unpacked (classifier/version_registry.py, shared
    with the English model's registry).
    """

    artifact_file = ARRAYS_FILE
    digest_key = "arrays_sha256"
    error = LanguageArtifactError
    noun, its = "language models", "their"
    nothing_to_roll_back = "no earlier promoted language models to roll back to"
    ensure_ascii = False

    def __init__(self, models_dir: Path | str, store: VersionStore | None = None) -> None:
        super().__init__(Path(models_dir) / "languages", store)

    @property
    def root(self) -> Path:
        """The folder of versions, ``<models_dir>/languages`` (this node's cache, with a store)."""
        return self.folder

    def save(self, models: LanguageModels) -> Path:
        """Write a new version folder (sparse arrays: only the n-grams a model kept) and hand
        it to the store, if there is one."""
        folder = self.root / models.version
        if (folder / META_FILE).exists():
            raise LanguageArtifactError(
                f"language models {models.version!r} already exist in {self.root}")
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
        self._write_metadata(models.version, meta)
        return folder

    def _read_meta(self, version: str) -> dict[str, Any]:
        """A version's metadata (downloaded first if this folder lacks it)."""
        if not version or "/" in version or version.startswith("."):
            raise LanguageArtifactError(f"invalid language models version {version!r}")
        path = self.root / version / META_FILE
        if not path.exists():
            self._download(version)
        try:
            meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise LanguageArtifactError(f"unknown language models {version!r}") from exc
        except (OSError, ValueError) as exc:
            raise LanguageArtifactError(f"language models {version!r}: {exc}") from exc
        return meta

    def load(self, version: str) -> LanguageModels:
        """Load and verify a version."""
        meta = self._read_meta(version)
        folder = self.root / version
        try:
            digest = sha256_of(folder / ARRAYS_FILE)
        except OSError as exc:
            raise LanguageArtifactError(f"language models {version!r}: {exc}") from exc
        if digest != meta.get("arrays_sha256"):
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

    def versions(self) -> list[dict[str, Any]]:
        """Metadata of every saved version, oldest first, each with ``active``."""
        current = self.current_version()
        if self.store is not None:
            metas = self.store.listing()
        else:
            metas = []
            folders = sorted(self.root.iterdir()) if self.root.exists() else []
            for folder in folders:
                if folder.is_dir() and (folder / META_FILE).exists():
                    with contextlib.suppress(LanguageArtifactError):
                        metas.append(self._read_meta(folder.name))
        out = [dict(meta, active=meta.get("version") == current) for meta in metas]
        return sorted(out, key=lambda m: (str(m.get("created_at", "")), str(m.get("version"))))

    def _train_default(self) -> LanguageModels:
        """The default language models, trained on the shipped data."""
        return train_language_models()


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
