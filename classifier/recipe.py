"""A model recipe's fingerprint: a hash of the classifier's code and shipped data."""

from __future__ import annotations

import hashlib
from pathlib import Path


def recipe_fingerprint() -> str:
    """A hash of the classifier's code and shipped data: equal hashes train equal models."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*")):
        if (path.is_file() and path.suffix in {".py", ".csv", ".txt", ".json"}
                and not _other_languages(path.relative_to(package))):
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _other_languages(relative: Path) -> bool:
    """Files only the other languages' models read (they have their own recipe hash)."""
    from classifier.languages.data import LANGUAGE_SETS

    parts = relative.parts
    return parts[0] == "languages" or (
        parts[0] == "datasets" and len(parts) > 1 and parts[1] in LANGUAGE_SETS.values())
