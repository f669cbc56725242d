"""What the two model registries share: a folder of versions handed to and from a version store.

The English model's registry (classifier/registry.py) and the language models' registry
(classifier/languages/artifact.py) keep versions alike: a sub-folder per version with one
artefact file and ``metadata.json`` (which records the artefact's sha256), promoted by the
folder's ``CURRENT``, or, with a version store (classifier/version_store.py), kept in the store
for every node, the folder then being this node's cache. A subclass gives what differs: the
artefact's file name, the metadata key of its digest, the metadata reader, the error it raises
and the words of its messages.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from classifier.artifact_files import (
    FolderPointer,
    atomic_write,
    json_default,
    unpack_atomically,
)
from classifier.version_store import VersionStore

META_FILE = "metadata.json"


class Versioned(Protocol):
    """What a registry saves and loads: something that knows its version."""

    @property
    def version(self) -> str:
        """The version's name, also its folder's."""
        ...


V = TypeVar("V", bound=Versioned)


class VersionRegistry(ABC, Generic[V]):
    """Saved versions of one kind under ``folder``, promoted there or, with a ``store``, in
    the store for every node (a version missing from the folder is downloaded and verified)."""

    artifact_file: ClassVar[str]  # a version's one file beside metadata.json
    digest_key: ClassVar[str]  # the metadata key holding that file's sha256
    error: ClassVar[type[RuntimeError]]  # what this registry raises
    # how the messages name a version and refer back to it ("model", "its")
    noun: ClassVar[str]
    its: ClassVar[str]
    nothing_to_roll_back: ClassVar[str]  # rollback's message when there is no earlier version
    ensure_ascii: ClassVar[bool]  # whether metadata.json escapes non-ASCII text (json.dumps)

    def __init__(self, folder: Path, store: VersionStore | None) -> None:
        self.folder = folder
        self.store = store
        self._pointer = FolderPointer(folder)

    @abstractmethod
    def save(self, saved: V) -> Path:
        """Write ``saved`` as a new version folder (and hand it to the store) and return it."""

    @abstractmethod
    def load(self, version: str) -> V:
        """Load and verify a version."""

    @abstractmethod
    def _read_meta(self, version: str) -> dict[str, Any]:
        """A version's metadata, downloaded first if this folder lacks it, or ``error``."""

    @abstractmethod
    def _train_default(self) -> V:
        """Train the version ``ensure_current`` promotes when there is none."""

    def metadata(self, version: str) -> dict[str, Any]:
        """A version's metadata (downloaded first if this folder lacks it)."""
        return self._read_meta(version)

    def current_version(self) -> str | None:
        """The promoted version: the store's pointer, else this folder's ``CURRENT`` (a folder
        from before the store, which ``ensure_current`` hands over on first use)."""
        if self.store is not None:
            promoted = self.store.current()
            if promoted is not None:
                return promoted
        return self._pointer.current()

    def promote(self, version: str) -> None:
        """Make a saved version current: for every node with a store, else in this folder's
        ``CURRENT``, appended to its ``HISTORY``."""
        self._read_meta(version)  # here, or downloadable: else ``error``
        if self.store is not None:
            self._publish_local(version)  # a version saved before the store existed
            self.store.promote(version)
            return
        self._pointer.promote(version)

    def rollback(self) -> str:
        """Go back to the previously promoted version and return it."""
        if self.store is not None:
            previous = self.store.rollback()
        else:
            previous = self._pointer.rollback(self._read_meta)
        if previous is None:
            raise self.error(self.nothing_to_roll_back)
        return previous

    def ensure_current(self, train: Callable[[], V] | None = None) -> V:
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
            trained = train() if train is not None else self._train_default()
            self.save(trained)
            self.promote(trained.version)
            return trained

    def _write_metadata(self, version: str, meta: dict[str, Any]) -> None:
        """Finish saving a version whose artefact is written: its ``metadata.json``, then both
        handed to the store, if there is one."""
        folder = self.folder / version
        text = json.dumps(meta, indent=2, ensure_ascii=self.ensure_ascii, default=json_default)
        atomic_write(folder / META_FILE, text)
        if self.store is not None:
            self.store.publish(version, json.loads(text), meta[self.digest_key],
                               (folder / self.artifact_file).read_bytes())

    def _download(self, version: str) -> None:
        """Fetch a version missing from the folder, verify its digest, unpack it atomically."""
        fetched = self.store.fetch(version) if self.store is not None else None
        if fetched is None:
            return
        meta, digest, artifact = fetched
        actual = hashlib.sha256(artifact).hexdigest()
        if not (actual == digest == meta.get(self.digest_key)):
            raise self.error(
                f"{self.noun} {version!r} failed {self.its} integrity check on download: "
                f"sha256 {actual}, the store records {digest}, {self.its} metadata "
                f"{meta.get(self.digest_key)}")
        text = json.dumps(meta, indent=2, ensure_ascii=self.ensure_ascii)
        unpack_atomically(self.folder / version,
                          {self.artifact_file: artifact, META_FILE: text.encode("utf-8")},
                          marker=META_FILE)

    def _adopt_local_current(self) -> None:
        """A folder from before the store (an upgrade) hands its promoted version to the store."""
        if self.store is None or self.store.current() is not None:
            return
        local = self._pointer.current()
        if local is not None and (self.folder / local / self.artifact_file).exists():
            self._publish_local(local)
            self.store.promote(local)

    def _publish_local(self, version: str) -> None:
        """Hand a version from this folder to the store (the store ignores one it has)."""
        path = self.folder / version / self.artifact_file
        if self.store is None or not path.exists():
            return
        meta = self._read_meta(version)
        artifact = path.read_bytes()
        if hashlib.sha256(artifact).hexdigest() != meta.get(self.digest_key):
            raise self.error(f"{self.noun} {version!r} in {self.folder} failed {self.its} "
                             "integrity check")
        self.store.publish(version, meta, str(meta[self.digest_key]), artifact)
