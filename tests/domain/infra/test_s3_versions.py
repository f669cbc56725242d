"""Model versions in an S3-compatible object store, tested against a real S3 protocol server.

moto's ThreadedMotoServer answers the S3 REST protocol on a local port; boto3 talks to it as
it would to AWS or MinIO (conditional puts included). Each test has a bucket of its own.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from classifier import ModelBundle
from classifier.languages import LanguageArtifactError, LanguageModels, LanguageRegistry
from classifier.registry import ArtifactError, ModelRegistry
from classifier.version_store import ENGLISH_MODEL, LANGUAGE_MODELS
from config import Settings
from domain.infra import s3_versions
from domain.infra.model_stores import version_store
from domain.infra.s3_versions import S3VersionStore
from domain.store import Store

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing",
               "region_name": "us-east-1"}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3 protocol server on a free local port, for this module's tests."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def new_client(endpoint: str) -> Any:
    """A client of its own (each "node" has one)."""
    return boto3.client("s3", endpoint_url=endpoint, **CREDENTIALS)


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    """An empty bucket of this test's own."""
    name = f"models-{secrets.token_hex(4)}"
    new_client(s3_endpoint).create_bucket(Bucket=name)
    return name


def s3_store(endpoint: str, bucket: str, kind: str = ENGLISH_MODEL) -> S3VersionStore:
    """One node's store of ``kind`` under s3://bucket/moderation."""
    return S3VersionStore.from_url(f"s3://{bucket}/moderation", kind, new_client(endpoint))


def artefact(name: str) -> tuple[dict[str, Any], str, bytes]:
    """Metadata, digest and bytes of a made-up version."""
    data = f"artefact of {name}".encode()
    return {"version": name, "created_at": name}, hashlib.sha256(data).hexdigest(), data


def twin(bundle: ModelBundle, version: str) -> ModelBundle:
    """The same model under another version name (a stand-in for a retrained one)."""
    return ModelBundle(bundle.vectorizer, bundle.coef, bundle.intercept,
                       dict(bundle.metadata, version=version), heads=bundle.heads)


def never_train() -> Any:
    """A node that finds a version in the store must not train its own."""
    raise AssertionError("this node trained a model of its own")


def test_publish_fetch_list_promote_and_rollback(s3_endpoint: str, bucket: str) -> None:
    store = s3_store(s3_endpoint, bucket)
    assert store.current() is None and store.listing() == [] and store.rollback() is None
    for name in ("2099.01.01-a", "languages-2099+labels-3-20991231235959"):
        store.publish(name, *artefact(name))
        store.publish(name, *artefact(name))  # again: an equal version is left as it is
    assert store.fetch("2099.01.01-a") == artefact("2099.01.01-a")
    assert store.fetch("languages-2099+labels-3-20991231235959") == artefact(
        "languages-2099+labels-3-20991231235959")
    assert store.fetch("2099.01.01-missing") is None
    assert sorted(m["version"] for m in store.listing()) == [
        "2099.01.01-a", "languages-2099+labels-3-20991231235959"]

    meta, _, data = artefact("2099.01.01-a")
    with pytest.raises(ValueError, match="another digest"):
        store.publish("2099.01.01-a", meta, "0" * 64, data)
    with pytest.raises(ValueError, match="no english model version"):
        store.promote("2099.01.01-missing")

    store.promote("2099.01.01-a")
    store.promote("languages-2099+labels-3-20991231235959")
    other_node = s3_store(s3_endpoint, bucket)
    assert other_node.current() == "languages-2099+labels-3-20991231235959"
    assert other_node.rollback() == "2099.01.01-a"
    assert store.current() == "2099.01.01-a"
    assert store.rollback() is None

    keys = {o["Key"] for o in new_client(s3_endpoint).list_objects_v2(
        Bucket=bucket)["Contents"]}
    assert {"moderation/english/pointer.json",
            "moderation/english/versions/2099.01.01-a/artifact",
            "moderation/english/versions/2099.01.01-a/metadata.json"} <= keys


def test_the_two_kinds_never_move_each_other(s3_endpoint: str, bucket: str) -> None:
    english = s3_store(s3_endpoint, bucket, ENGLISH_MODEL)
    languages = s3_store(s3_endpoint, bucket, LANGUAGE_MODELS)
    for store, names in ((english, ("e1", "e2")), (languages, ("l1", "l2"))):
        for name in names:
            store.publish(name, *artefact(name))
            store.promote(name)
    assert (english.current(), languages.current()) == ("e2", "l2")
    assert languages.rollback() == "l1"
    assert english.current() == "e2"
    assert english.rollback() == "e1"
    assert languages.current() == "l1"
    assert english.fetch("l1") is None and languages.fetch("e1") is None
    assert [m["version"] for m in languages.listing()] == ["l1", "l2"]


def test_a_promotion_that_lost_the_race_is_applied_on_top_of_the_winner(
    s3_endpoint: str, bucket: str
) -> None:
    """The pointer is written only if nobody wrote it since it was read (a conditional put):
    here another node promotes between our read and our write, and both promotions stay."""
    ours, theirs = s3_store(s3_endpoint, bucket), s3_store(s3_endpoint, bucket)
    for name in ("v1", "v2", "v3"):
        ours.publish(name, *artefact(name))
    ours.promote("v1")
    reads = []

    def promote_v3(current: str | None, history: list[str]) -> tuple[str, list[str]]:
        reads.append(current)
        if len(reads) == 1:
            theirs.promote("v2")  # lands after our read: our first write must fail
        return "v3", [*history, "v3"]

    assert ours._change_pointer(promote_v3) == "v3"
    assert reads == ["v1", "v2"]
    assert theirs.rollback() == "v2" and theirs.rollback() == "v1"


def test_the_training_lock_is_held_across_nodes_and_a_dead_holders_lock_is_broken(
    s3_endpoint: str, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(s3_versions, "LOCK_POLL_SECONDS", 0.05)
    first, second = s3_store(s3_endpoint, bucket), s3_store(s3_endpoint, bucket)
    events: list[str] = []

    def second_node() -> None:
        lock = second.training_lock()
        assert lock is not None
        with lock:
            events.append("second has it")

    lock = first.training_lock()
    assert lock is not None
    with lock:
        waiter = threading.Thread(target=second_node)
        waiter.start()
        time.sleep(0.5)
        events.append("first lets go")
    waiter.join(10)
    assert events == ["first lets go", "second has it"]

    # a process that died while training left its lock behind
    new_client(s3_endpoint).put_object(Bucket=bucket, Key="moderation/english/training.lock",
                                       Body=b'{"owner": "dead"}')
    impatient = S3VersionStore(bucket, "moderation", ENGLISH_MODEL, new_client(s3_endpoint),
                               stale_lock_seconds=0.0)
    lock = impatient.training_lock()
    assert lock is not None
    with lock:
        pass
    assert "Contents" not in new_client(s3_endpoint).list_objects_v2(
        Bucket=bucket, Prefix="moderation/english/training.lock")


def test_two_nodes_share_model_versions_through_one_bucket(
    s3_endpoint: str, bucket: str, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = ModelRegistry(tmp_path / "a", store=s3_store(s3_endpoint, bucket))
    shutil.copytree(trained_models_dir, first.models_dir)
    old = first.ensure_current()  # a folder from before the store hands its version over
    second = ModelRegistry(tmp_path / "b", store=s3_store(s3_endpoint, bucket))
    assert second.ensure_current(train=never_train).version == old.version

    first.save(twin(old, "2099.02.01-twin"))
    first.promote("2099.02.01-twin")
    assert second.current_version() == "2099.02.01-twin"
    loaded = second.load_current()
    assert loaded is not None and loaded.version == "2099.02.01-twin"
    assert (second.models_dir / "2099.02.01-twin" / "model.skops").read_bytes() == (
        first.models_dir / "2099.02.01-twin" / "model.skops").read_bytes()
    assert loaded.score_one("you are an idiot").toxicity == old.score_one(
        "you are an idiot").toxicity
    assert second.rollback() == old.version
    assert first.current_version() == old.version
    assert [m["version"] for m in first.versions() if m["active"]] == [old.version]


def test_a_tampered_object_is_refused_on_download(
    s3_endpoint: str, bucket: str, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = ModelRegistry(tmp_path / "a", store=s3_store(s3_endpoint, bucket))
    shutil.copytree(trained_models_dir, first.models_dir)
    version = first.ensure_current().version
    languages = LanguageRegistry(first.models_dir, s3_store(s3_endpoint, bucket, LANGUAGE_MODELS))
    language_version = languages.ensure_current().version
    client = new_client(s3_endpoint)
    for kind, name in ((ENGLISH_MODEL, version), (LANGUAGE_MODELS, language_version)):
        client.put_object(Bucket=bucket, Key=f"moderation/{kind}/versions/{name}/artifact",
                          Body=b"not what was published")

    second = ModelRegistry(tmp_path / "b", store=s3_store(s3_endpoint, bucket))
    with pytest.raises(ArtifactError, match="integrity check"):
        second.load(version)
    assert not (second.models_dir / version).exists()
    other = LanguageRegistry(tmp_path / "b", s3_store(s3_endpoint, bucket, LANGUAGE_MODELS))
    with pytest.raises(LanguageArtifactError, match="integrity check"):
        other.ensure_current(train=never_train)
    assert not (other.root / language_version).exists()


def test_two_nodes_share_language_models_through_one_bucket(
    s3_endpoint: str, bucket: str, trained_models_dir: Path, tmp_path: Path
) -> None:
    first = LanguageRegistry(tmp_path / "a", s3_store(s3_endpoint, bucket, LANGUAGE_MODELS))
    shutil.copytree(trained_models_dir / "languages", first.root)
    old = first.ensure_current()
    second = LanguageRegistry(tmp_path / "b", s3_store(s3_endpoint, bucket, LANGUAGE_MODELS))
    assert second.ensure_current(train=never_train).version == old.version

    retrained = f"{old.version}+labels-2-20991231000000"
    first.save(LanguageModels(old.models, old.spam, dict(old.metadata, version=retrained)))
    first.promote(retrained)
    assert second.current_version() == retrained
    assert second.ensure_current(train=never_train).version == retrained
    assert second.rollback() == old.version
    assert first.current_version() == old.version
    english = s3_store(s3_endpoint, bucket, ENGLISH_MODEL)
    assert english.current() is None and english.listing() == []


def test_model_store_url_selects_the_bucket_through_the_standard_aws_variables(
    s3_endpoint: str, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    settings = Settings.from_env({"MODERATION_DATA_DIR": str(tmp_path / "data"),
                                  "MODEL_STORE_URL": f"s3://{bucket}/site-a/"})
    assert settings.model_store_url == f"s3://{bucket}/site-a"
    database = Store(f"sqlite:///{tmp_path / 'moderation.db'}")
    english = version_store(settings, database)
    languages = version_store(settings, database, LANGUAGE_MODELS)
    assert isinstance(english, S3VersionStore) and isinstance(languages, S3VersionStore)
    english.publish("e1", *artefact("e1"))
    english.promote("e1")
    languages.publish("l1", *artefact("l1"))
    languages.promote("l1")
    keys = {o["Key"] for o in new_client(s3_endpoint).list_objects_v2(
        Bucket=bucket)["Contents"]}
    assert {"site-a/english/pointer.json", "site-a/languages/pointer.json"} <= keys

    default = version_store(settings.with_overrides(model_store_url=""), database)
    assert default is database.model_versions
    assert version_store(Settings.from_env({"MODERATION_DATA_DIR": str(tmp_path / "data")}),
                         database, LANGUAGE_MODELS) is database.language_versions
    database.dispose()
