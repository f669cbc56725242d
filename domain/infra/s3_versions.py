"""Model versions in an S3-compatible object store (``MODEL_STORE_URL=s3://bucket/prefix``).

The same ``classifier.version_store.VersionStore`` as the database's
(domain/store/model_versions.py), for installations that keep artefacts in an object store
instead. Each kind of version has its own folder, ``<prefix>/<kind>/``:

    versions/<version>/artifact        the artefact's bytes
    versions/<version>/metadata.json   {"metadata", "digest", "created_at"}, written after the
                                       artefact: a version exists once this object does
    pointer.json                       {"version", "history", "promoted_at"}: every node polls it
    training.lock                      held while the first version of the kind trains

The pointer changes by compare-and-swap (a put conditional on the ETag just read, or on no
object for the first promotion), so two promotions at once never lose one; the training lock
is a put conditional on no lock object (``If-None-Match: *``). A lock older than
``stale_lock_seconds`` was left by a process that died while training and is broken (two
nodes breaking the same stale lock at once may then both train: the later promotion wins).

Where the server is and who we are come from boto3's standard configuration:
``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_S3``) for a server that is not AWS,
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY``, ``AWS_DEFAULT_REGION``, a profile or an
instance role. The registry verifies every download by its sha256, whatever the store.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.exceptions import ClientError

from classifier.version_store import ENGLISH_MODEL, KINDS

# Error codes: another writer got there first / the object is not there.
CONFLICT = frozenset({"PreconditionFailed", "ConditionalRequestConflict", "409", "412"})
MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
POINTER_ATTEMPTS = 20
LOCK_POLL_SECONDS = 1.0
# Longer than any first training (the embedding tier's first one takes 10-20 minutes).
STALE_LOCK_SECONDS = 3600.0

Pointer = tuple[str, list[str]]


def parse_store_url(url: str) -> tuple[str, str]:
    """(bucket, prefix) of ``s3://bucket/prefix``; ValueError for anything else."""
    parsed = urlparse(url.strip())
    if parsed.scheme != "s3" or not parsed.netloc:
        raise ValueError(f"an object store URL looks like s3://bucket/prefix, got {url!r}")
    return parsed.netloc, parsed.path.strip("/")


def _code(error: ClientError) -> str:
    """The S3 error code of a failed request."""
    return str(error.response.get("Error", {}).get("Code", ""))


def _now() -> str:
    return datetime.now(UTC).isoformat()


class S3VersionStore:
    """One kind of model version in a bucket: artefacts, metadata, pointer, history, lock."""

    def __init__(self, bucket: str, prefix: str = "", kind: str = ENGLISH_MODEL,
                 client: Any = None, stale_lock_seconds: float = STALE_LOCK_SECONDS) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of model version {kind!r}")
        self.bucket = bucket
        self.kind = kind
        self._root = "/".join(part for part in (prefix.strip("/"), kind) if part) + "/"
        self._client = client if client is not None else boto3.client("s3")
        self._stale_lock_seconds = stale_lock_seconds

    @classmethod
    def from_url(cls, url: str, kind: str = ENGLISH_MODEL, client: Any = None) -> S3VersionStore:
        """The store of ``kind`` under ``s3://bucket/prefix``."""
        bucket, prefix = parse_store_url(url)
        return cls(bucket, prefix, kind, client)

    # -- VersionStore -------------------------------------------------------------------------

    def publish(self, version: str, metadata: dict[str, Any], digest: str,
                artifact: bytes) -> None:
        """Keep a version; an equal version already stored is left as it is."""
        meta_key = self._version_key(version, "metadata.json")
        known = self._read_json(meta_key)
        if known is not None:
            self._check_same(version, known[0], digest)
            return
        self._client.put_object(Bucket=self.bucket, Key=self._version_key(version, "artifact"),
                                Body=artifact)
        document = {"metadata": metadata, "digest": digest, "created_at": _now()}
        try:
            self._put_json(meta_key, document, IfNoneMatch="*")
        except ClientError as error:
            if _code(error) not in CONFLICT:
                raise
            raced = self._read_json(meta_key)  # another node published it at the same moment
            if raced is None:
                raise
            self._check_same(version, raced[0], digest)

    def fetch(self, version: str) -> tuple[dict[str, Any], str, bytes] | None:
        """A version's metadata, digest and artefact bytes, or None if unknown."""
        found = self._read_json(self._version_key(version, "metadata.json"))
        if found is None:
            return None
        artifact = self._read(self._version_key(version, "artifact"))
        if artifact is None:
            return None
        document = found[0]
        return dict(document["metadata"]), str(document["digest"]), artifact[0]

    def listing(self) -> list[dict[str, Any]]:
        """The metadata of every stored version, read from the metadata objects."""
        out = []
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self._root + "versions/"):
            for item in page.get("Contents", []):
                if item["Key"].endswith("/metadata.json"):
                    found = self._read_json(item["Key"])
                    if found is not None:
                        out.append(dict(found[0]["metadata"]))
        return out

    def current(self) -> str | None:
        """The promoted version, if any (one small GET: cheap enough to poll)."""
        found = self._read_json(self._pointer_key)
        return None if found is None else str(found[0]["version"])

    def promote(self, version: str) -> None:
        """Point every node at ``version`` and append it to the history."""
        if self._read_json(self._version_key(version, "metadata.json")) is None:
            raise ValueError(f"no {self.kind} model version {version} is stored")

        def promoted(_: str | None, history: list[str]) -> Pointer:
            return version, [*history, version]

        self._change_pointer(promoted)

    def rollback(self) -> str | None:
        """Point back at the previously promoted version; None if there is none."""

        def rolled_back(current: str | None, history: list[str]) -> Pointer | None:
            while history and history[-1] == current:
                history.pop()
            return (history[-1], history) if history else None

        return self._change_pointer(rolled_back)

    def training_lock(self) -> AbstractContextManager[object] | None:
        """A lock object every node sees, taken by a conditional put."""
        return self._training_lock()

    # -- the objects --------------------------------------------------------------------------

    @property
    def _pointer_key(self) -> str:
        return self._root + "pointer.json"

    def _version_key(self, version: str, name: str) -> str:
        if not version or "/" in version or version.startswith("."):
            raise ValueError(f"invalid model version {version!r}")
        return f"{self._root}versions/{version}/{name}"

    def _check_same(self, version: str, document: dict[str, Any], digest: str) -> None:
        if document.get("digest") != digest:
            raise ValueError(f"model version {version} is stored with another digest")

    def _read(self, key: str) -> tuple[bytes, str] | None:
        """An object's bytes and ETag, or None if it is not there."""
        try:
            response = self._client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in MISSING:
                return None
            raise
        return response["Body"].read(), str(response["ETag"])

    def _read_json(self, key: str) -> tuple[dict[str, Any], str] | None:
        found = self._read(key)
        return None if found is None else (json.loads(found[0]), found[1])

    def _put_json(self, key: str, document: dict[str, Any], **condition: str) -> None:
        self._client.put_object(Bucket=self.bucket, Key=key, ContentType="application/json",
                                Body=json.dumps(document).encode("utf-8"), **condition)

    def _change_pointer(
        self, change: Callable[[str | None, list[str]], Pointer | None]
    ) -> str | None:
        """Read the pointer, change it, write it only if nobody wrote it meanwhile (retried)."""
        for _ in range(POINTER_ATTEMPTS):
            found = self._read_json(self._pointer_key)
            current = None if found is None else str(found[0]["version"])
            history = [] if found is None else [str(v) for v in found[0]["history"]]
            changed = change(current, history)
            if changed is None:
                return None
            version, new_history = changed
            condition = {"IfNoneMatch": "*"} if found is None else {"IfMatch": found[1]}
            document = {"version": version, "history": new_history, "promoted_at": _now()}
            try:
                self._put_json(self._pointer_key, document, **condition)
            except ClientError as error:
                if _code(error) not in CONFLICT | MISSING:
                    raise
                continue  # another promotion won: read it and apply ours on top
            return version
        raise RuntimeError(f"the {self.kind} promotion pointer in s3://{self.bucket}/"
                           f"{self._pointer_key} kept changing; try again")

    @contextmanager
    def _training_lock(self) -> Iterator[object]:
        """Hold ``training.lock``: create it only if absent; wait while another node holds it."""
        key = self._root + "training.lock"
        token = secrets.token_hex(16)
        while True:
            try:
                self._put_json(key, {"owner": token, "since": _now()}, IfNoneMatch="*")
                break
            except ClientError as error:
                if _code(error) not in CONFLICT:
                    raise
            self._break_if_stale(key)
            time.sleep(LOCK_POLL_SECONDS)
        try:
            yield token
        finally:
            found = self._read_json(key)
            if found is not None and found[0].get("owner") == token:
                self._client.delete_object(Bucket=self.bucket, Key=key)

    def _break_if_stale(self, key: str) -> None:
        """Delete a lock left by a process that died while training."""
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _code(error) in MISSING:
                return
            raise
        age = (datetime.now(UTC) - head["LastModified"]).total_seconds()
        if age > self._stale_lock_seconds:
            self._client.delete_object(Bucket=self.bucket, Key=key)
