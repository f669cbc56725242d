"""Model versions in the database, so every node reaches them without a shared folder.

Implements classifier.version_store.VersionStore: the registry uploads each saved version,
downloads (and verifies) what its folder lacks, and every process polls the pointer row.
One repository serves one kind of version (the English model, or the other languages'
models): each kind has its own rows, pointer row, history and training lock.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from sqlalchemy import Connection, insert, select, text, update

from classifier.version_store import ENGLISH_MODEL, LANGUAGE_MODELS
from domain.records import utcnow
from domain.store.base import Database
from domain.store.tables import current_model, model_versions

# The pointer row of each kind (the English model's has been row 1 since release 0007).
POINTER_IDS = {ENGLISH_MODEL: 1, LANGUAGE_MODELS: 2}
POINTER_ID = POINTER_IDS[ENGLISH_MODEL]
# pg_advisory_lock takes a bigint: a fixed key per kind derived from a name nothing else uses.
TRAINING_LOCK_KEY = zlib.crc32(b"moderation:first-model-training")
TRAINING_LOCK_KEYS = {
    ENGLISH_MODEL: TRAINING_LOCK_KEY,
    LANGUAGE_MODELS: zlib.crc32(b"moderation:first-language-models-training"),
}


class ModelVersionRepository:
    """All SQL about the model versions of one kind and their promoted-version pointer."""

    def __init__(self, db: Database, kind: str = ENGLISH_MODEL) -> None:
        if kind not in POINTER_IDS:
            raise ValueError(f"unknown kind of model version {kind!r}")
        self._db = db
        self.kind = kind
        self._pointer_id = POINTER_IDS[kind]
        self._select_current = select(current_model.c.version).where(
            current_model.c.id == self._pointer_id)

    def publish(self, version: str, metadata: dict[str, Any], digest: str,
                artifact: bytes) -> None:
        """Keep a version; an equal version already stored is left as it is."""
        with self._db.write() as connection:
            known = connection.execute(
                select(model_versions.c.digest, model_versions.c.kind)
                .where(model_versions.c.version == version)
            ).one_or_none()
            if known is not None:
                if known.kind != self.kind:
                    raise ValueError(f"model version {version} is stored for the {known.kind} "
                                     f"models, not the {self.kind} ones")
                if known.digest != digest:
                    raise ValueError(f"model version {version} is stored with another digest")
                return
            connection.execute(insert(model_versions).values(
                version=version, kind=self.kind, metadata=metadata, digest=digest,
                artifact=artifact, created_at=utcnow()))

    def fetch(self, version: str) -> tuple[dict[str, Any], str, bytes] | None:
        """A version's metadata, digest and artifact, or None if unknown (or of another kind)."""
        query = select(model_versions.c.metadata, model_versions.c.digest,
                       model_versions.c.artifact).where(model_versions.c.version == version,
                                                        model_versions.c.kind == self.kind)
        with self._db.read() as connection:
            row = connection.execute(query).one_or_none()
        if row is None:
            return None
        return dict(row.metadata), str(row.digest), bytes(row.artifact)

    def listing(self) -> list[dict[str, Any]]:
        """The metadata of every stored version of this kind (without the artefacts)."""
        query = select(model_versions.c.metadata).where(model_versions.c.kind == self.kind)
        with self._db.read() as connection:
            rows = connection.execute(query).scalars().all()
        return [dict(meta) for meta in rows]

    def current(self) -> str | None:
        """The promoted version, if any: one primary-key read, cheap enough to poll."""
        with self._db.read() as connection:
            return connection.execute(self._select_current).scalar_one_or_none()

    def promote(self, version: str) -> None:
        """Point every node at ``version`` and append it to the history."""
        with self._db.write() as connection:
            kind = connection.execute(select(model_versions.c.kind).where(
                model_versions.c.version == version)).scalar_one_or_none()
            if kind != self.kind:
                raise ValueError(f"no {self.kind} model version {version} is stored")
            _, history = self._locked_pointer(connection)
            self._set_pointer(connection, version, [*history, version])

    def rollback(self) -> str | None:
        """Point back at the previously promoted version; None if there is none."""
        with self._db.write() as connection:
            current, history = self._locked_pointer(connection)
            while history and history[-1] == current:
                history.pop()
            if not history:
                return None
            self._set_pointer(connection, history[-1], history)
            return history[-1]

    def training_lock(self) -> AbstractContextManager[object] | None:
        """On PostgreSQL a session advisory lock across nodes; SQLite uses the file lock."""
        return None if self._db.is_sqlite else self._advisory_lock()

    @contextmanager
    def _advisory_lock(self) -> Iterator[object]:
        """Hold pg_advisory_lock on a connection of its own while the first version trains."""
        key = TRAINING_LOCK_KEYS[self.kind]
        with self._db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            connection.commit()
            try:
                yield connection
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()

    def _locked_pointer(self, connection: Connection) -> tuple[str | None, list[str]]:
        """The pointer row, locked for update on PostgreSQL (SQLite's write lock is held)."""
        query = select(current_model.c.version, current_model.c.history).where(
            current_model.c.id == self._pointer_id)
        if not self._db.is_sqlite:
            query = query.with_for_update()
        row = connection.execute(query).one_or_none()
        if row is None:
            return None, []
        return row.version, list(row.history)

    def _set_pointer(self, connection: Connection, version: str, history: list[str]) -> None:
        """Write the pointer row (the first promotion of a kind creates it)."""
        values = {"version": version, "history": history, "promoted_at": utcnow()}
        changed = connection.execute(
            update(current_model).where(current_model.c.id == self._pointer_id).values(**values))
        if changed.rowcount == 0:
            connection.execute(insert(current_model).values(
                id=self._pointer_id, kind=self.kind, **values))
