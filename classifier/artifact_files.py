"""Small, careful file operations for model artefacts: digests, atomic writes, JSON of numpy."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
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
