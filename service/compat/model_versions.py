"""Model versions a Perspective client may pin (`TOXICITY@2` or `TOXICITY@<our version>`)."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from pathlib import Path

from classifier import ArtifactError, ModelBundle
from domain.infra.collaborators import Runtime

CACHE_SIZE = 4

_cache: OrderedDict[tuple[Path, str], ModelBundle] = OrderedDict()
_lock = threading.Lock()


class UnknownVersion(LookupError):
    """A pinned version that names no model we have."""


def resolve(runtime: Runtime, pinned: str) -> str:
    """Our version id for a pin: a number counts saved versions from the oldest (1), else an id."""
    versions = [str(meta["version"]) for meta in runtime.models.registry.versions()]
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if re.fullmatch(r"[0-9]{1,9}", pinned) and 1 <= int(pinned) <= len(versions):
        return versions[int(pinned) - 1]
    if pinned in versions:
        return pinned
    raise UnknownVersion(
        f"Unknown model version {pinned!r}: use 1 to {len(versions)} (oldest first) "
        "or a version id from `moderation models list`."
    )


def bundle_for(runtime: Runtime, pinned: str | None) -> ModelBundle:
    """The current model, or a pinned one (loaded once, a few kept in memory)."""
    current = runtime.models.current()
    if pinned is None:
        return current
    version = resolve(runtime, pinned)
    if version == current.version:
        return current
    key = (runtime.models.registry.models_dir, version)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    try:
        bundle = runtime.models.registry.load(version)
    except ArtifactError as error:
        raise UnknownVersion(f"Model version {version!r} cannot be loaded: {error}") from error
    with _lock:
        _cache[key] = bundle
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return bundle
