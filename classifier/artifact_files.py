"""Small, careful file operations for model artefacts: digests, atomic writes, JSON of numpy,
and a folder's promotion pointer."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np


def sha256_of(path: Path) -> str:
    """sha256 hex digest of a file."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def atomic_write(path: Path, text: str) -> None:
    """Write a small text file atomically (tmp file in the same folder + os.replace)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def unpack_atomically(folder: Path, files: Mapping[str, bytes], marker: str) -> None:
    """Create ``folder`` holding ``files`` all at once (a downloaded version in a node's cache).

    The files are written to a staging folder beside it, which is then renamed into place, so
    a reader never sees half a version. If another process unpacked the same folder first
    (its ``marker`` file is there), its copy is kept.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".download-{folder.name}-"))
    try:
        for name, content in files.items():
            (staging / name).write_bytes(content)
        os.rename(staging, folder)
    except OSError:
        if not (folder / marker).exists():
            raise  # not a race with another process unpacking the same version
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def json_default(obj: object) -> Any:
    """Make numpy scalars/arrays JSON-serialisable."""
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, tuple | set):
        return list(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


class FolderPointer:
    """A folder of versions' promotion pointer: ``CURRENT`` (the promoted version) and
    ``HISTORY`` (oldest first), changed under an inter-process file lock. Without a version
    store it is the only pointer; with one, what a folder from before the store hands over."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def current(self) -> str | None:
        """The version in ``CURRENT``, or None."""
        try:
            return (self.root / "CURRENT").read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def mtime(self) -> float:
        """mtime of ``CURRENT`` (0.0 if absent): cheap change detection for polling workers."""
        try:
            return (self.root / "CURRENT").stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def history(self) -> list[str]:
        """Promotion history, oldest first."""
        try:
            lines = (self.root / "HISTORY").read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        return [line.strip() for line in lines if line.strip()]

    def promote(self, version: str) -> None:
        """Make ``version`` current and append it to the history."""
        with self.lock(".promote.lock"):
            self._write(self.history() + [version], version)

    def rollback(self, check: Callable[[str], object]) -> str | None:
        """Point back at the version promoted before the current one (``check`` must accept
        it first); None when there is none."""
        with self.lock(".promote.lock"):
            history = self.history()
            current = self.current()
            while history and history[-1] == current:
                history.pop()
            if not history:
                return None
            previous = history[-1]
            check(previous)
            self._write(history, previous)
        return previous

    def _write(self, history: list[str], current: str) -> None:
        atomic_write(self.root / "HISTORY", "\n".join(history) + "\n")
        atomic_write(self.root / "CURRENT", current + "\n")

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Exclusive inter-process lock on a file in the folder."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / name).open("a+") as fh:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
