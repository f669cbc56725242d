"""Where an installation keeps its model versions for every node: the database, or S3.

``MODEL_STORE_URL`` empty (the default) or ``database``: the database's ``model_versions`` and
``current_model`` tables (domain/store/model_versions.py). ``s3://bucket/prefix``: an
S3-compatible object store (domain/infra/s3_versions.py; needs the ``[s3]`` extra). Either way
each kind of version (the English model, the other languages' models) has its own versions,
pointer and history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from classifier.version_store import ENGLISH_MODEL, LANGUAGE_MODELS, VersionStore
from config import Settings

if TYPE_CHECKING:
    from domain.store import Store


def uses_object_store(settings: Settings) -> bool:
    """Whether model versions live in an object store rather than the database."""
    return settings.model_store_url.startswith("s3://")


def version_store(settings: Settings, store: Store, kind: str = ENGLISH_MODEL) -> VersionStore:
    """The version store of ``kind`` this installation's settings name."""
    if kind not in (ENGLISH_MODEL, LANGUAGE_MODELS):
        raise ValueError(f"unknown kind of model version {kind!r}")
    if not uses_object_store(settings):
        return store.model_versions if kind == ENGLISH_MODEL else store.language_versions
    try:
        from domain.infra.s3_versions import S3VersionStore
    except ImportError as error:
        raise RuntimeError(
            "MODEL_STORE_URL names an S3 bucket, which needs boto3: "
            "pip install 'comment-moderation[s3]'") from error
    return S3VersionStore.from_url(settings.model_store_url, kind)
