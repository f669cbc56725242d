"""Retention: rejected texts go first, then decided comments; labels follow the policy."""

from __future__ import annotations

from datetime import timedelta

from domain.infra.collaborators import Runtime
from domain.newsroom.retention import apply_retention, retention_policy
from domain.records import utcnow
from domain.store.labels import Label
from domain.vocabulary import Status
from tests.support.review import add_comment, models_dir  # noqa: F401


def test_rejected_texts_are_purged_before_the_rest_and_labels_follow(runtime: Runtime) -> None:
    site, _ = runtime.store.sites.create("planet")
    runtime.store.sites.set_policy("planet", {"retention_days": 30, "rejected_text_days": 7})
    rejected = add_comment(runtime, site, Status.REJECTED, body="rude words")
    approved = add_comment(runtime, site, Status.APPROVED, body="kind words")
    pending = add_comment(runtime, site, Status.PENDING, body="waiting")
    runtime.store.labels.add_many([Label("rude words", "toxic", "moderator", rejected.id)])

    assert apply_retention(runtime.store, utcnow() + timedelta(days=1)) == {}
    report = apply_retention(runtime.store, utcnow() + timedelta(days=8))
    assert report == {"planet": {"rejected_texts": 1, "anonymised": 0}}
    assert runtime.store.comments.get(rejected.id).body == ""  # type: ignore[union-attr]
    assert runtime.store.comments.get(approved.id).body == "kind words"  # type: ignore[union-attr]
    assert runtime.store.labels.all() == []  # the label's text went with the comment

    report = apply_retention(runtime.store, utcnow() + timedelta(days=31))
    assert report == {"planet": {"rejected_texts": 0, "anonymised": 2}}
    kept = runtime.store.comments.get(approved.id)
    assert kept is not None and kept.body == "" and kept.email == "" and kept.status.value
    assert runtime.store.comments.get(pending.id).body == "waiting"  # type: ignore[union-attr]
    assert apply_retention(runtime.store, utcnow() + timedelta(days=31)) == {}  # idempotent


def test_malformed_retention_settings_mean_keep() -> None:
    assert retention_policy({"retention_days": "soon"}).retention_days is None
    assert retention_policy({"retention_days": 10}).rejected_text_days == 10
    assert retention_policy({"retention_days": True}).retention_days is None
