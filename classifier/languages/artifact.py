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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from classifier.artifact_files import (
    FolderPointer,
    atomic_write,
    json_default,
    sha256_of,
    unpack_atomically,
)
from classifier.languages.bundle import LanguageModels, train_language_models
from classifier.languages.hashing import N_FEATURES
from classifier.languages.model import LanguageModel
from classifier.languages.spam import SIGNALS, SpamSignals
from classifier.version_store import VersionStore

ARRAYS_FILE = "languages.npz"
META_FILE = "metadata.json"


class LanguageArtifactError(RuntimeError):
    """A language artefact is missing, tampered with or incompatible."""


class LanguageRegistry:
    """Saves, loads, promotes and rolls back versions of the language models.

    With a ``store`` (of the ``languages`` kind), the store holds every version and the
    promotion pointer, and the folder is this node's cache: a version missing from it is
    downloaded, verified by its sha256 and unpacked.
    """

    def __init__(self, models_dir: Path | str, store: VersionStore | None = None) -> None:
        self.root = Path(models_dir) / "languages"
        self.store = store
        self._pointer = FolderPointer(self.root)

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
        text = json.dumps(meta, indent=2, ensure_ascii=False, default=json_default)
        atomic_write(folder / META_FILE, text)
        if self.store is not None:
            self.store.publish(models.version, json.loads(text), meta["arrays_sha256"],
                               (folder / ARRAYS_FILE).read_bytes())
        return folder

    def _download(self, version: str) -> None:
        """Fetch a version missing from the folder, verify its digest, unpack it atomically."""
        fetched = self.store.fetch(version) if self.store is not None else None
        if fetched is None:
            return
        meta, digest, arrays = fetched
        actual = hashlib.sha256(arrays).hexdigest()
        if not (actual == digest == meta.get("arrays_sha256")):
            raise LanguageArtifactError(
                f"language models {version!r} failed their integrity check on download: "
                f"sha256 {actual}, the store records {digest}, their metadata "
                f"{meta.get('arrays_sha256')}")
        text = json.dumps(meta, indent=2, ensure_ascii=False)
        unpack_atomically(self.root / version,
                          {ARRAYS_FILE: arrays, META_FILE: text.encode("utf-8")},
                          marker=META_FILE)

    def metadata(self, version: str) -> dict[str, Any]:
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
        meta = self.metadata(version)
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
                        metas.append(self.metadata(folder.name))
        out = [dict(meta, active=meta.get("version") == current) for meta in metas]
        return sorted(out, key=lambda m: (str(m.get("created_at", "")), str(m.get("version"))))

    def current_version(self) -> str | None:
        """The promoted version: the store's pointer, else this folder's ``CURRENT`` (a folder
        from before the store, which ``ensure_current`` hands over on first use)."""
        if self.store is not None:
            promoted = self.store.current()
            if promoted is not None:
                return promoted
        return self._pointer.current()

    def promote(self, version: str) -> None:
        """Make a saved version current (for every node, with a store)."""
        self.metadata(version)  # here, or downloadable: else LanguageArtifactError
        if self.store is not None:
            self._publish_local(version)  # a version saved before the store existed
            self.store.promote(version)
            return
        self._pointer.promote(version)

    def rollback(self) -> str:
        """Go back to the previously promoted version and return it."""
        if self.store is not None:
            previous = self.store.rollback()
            if previous is None:
                raise LanguageArtifactError("no earlier promoted language models to roll back to")
            return previous
        previous = self._pointer.rollback(self.metadata)
        if previous is None:
            raise LanguageArtifactError("no earlier promoted language models to roll back to")
        return previous

    def ensure_current(self, train: Callable[[], LanguageModels] | None = None) -> LanguageModels:
        """The current version, training and promoting one first (once, under a lock).

        With a store, a version another node promoted is downloaded instead, and a folder from
        before the store hands its promoted version to the store.
        """
        unshared = self.store is not None and self.store.current() is None
        version = None if unshared else self.current_version()
        if version:
            return self.load(version)
        shared = self.store.training_lock() if self.store is not None else None
        with shared or self._pointer.lock(".train.lock"):
            self._adopt_local_current()
            version = self.current_version()  # another node may have trained while we waited
            if version:
                return self.load(version)
            models = train() if train is not None else train_language_models()
            self.save(models)
            self.promote(models.version)
            return models

    def _adopt_local_current(self) -> None:
        """A folder from before the store (an upgrade) hands its promoted version to the store."""
        if self.store is None or self.store.current() is not None:
            return
        local = self._pointer.current()
        if local is not None and (self.root / local / ARRAYS_FILE).exists():
            self._publish_local(local)
            self.store.promote(local)

    def _publish_local(self, version: str) -> None:
        """Hand a version from this folder to the store (the store ignores one it has)."""
        path = self.root / version / ARRAYS_FILE
        if self.store is None or not path.exists():
            return
        meta = self.metadata(version)
        arrays = path.read_bytes()
        if hashlib.sha256(arrays).hexdigest() != meta.get("arrays_sha256"):
            raise LanguageArtifactError(
                f"language models {version!r} in {self.root} failed their integrity check")
        self.store.publish(version, meta, str(meta["arrays_sha256"]), arrays)


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
