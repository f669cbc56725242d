"""Model behaviour on golden sentences, registry round trips, evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from classifier import (
    ArtifactError,
    ModelBundle,
    ModelRegistry,
    evaluate_rows,
    read_labelled_csv,
    train_bundle,
)
from classifier.data import CIVIL

SPAM = [
    "Check out my channel http://bit.ly/xyz subscribe!!! free money",
    "Subscribe to my channel please, I post new videos every day http://www.youtube.com/user/x",
    "WINNER!! You have won a $1000 prize, call 09061701461 now to claim",
]
INSULTS = ["you are a stupid idiot", "y0u 1d10t", "you are an i d i o t", "уоu аrе а stupіd іdіоt"]
ORDINARY = [
    "Interesting analysis of the Yalta agreement, thanks for the history lesson.",
    "I disagree with the author about the budget, but the article is well researched.",
    "The council should publish the full report before the vote next week.",
]


def _verdict(bundle: ModelBundle, score: float, axis: str) -> str:
    """Service policy for one axis."""
    th = bundle.thresholds[axis]
    return "reject" if score >= th["reject"] else "flag" if score >= th["flag"] else "approve"


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_remarks_are_approved(bundle: ModelBundle, text: str) -> None:
    """Ordinary remarks about an article stay below both flag thresholds."""
    s = bundle.score_one(text)
    assert _verdict(bundle, s.spam, "spam") == "approve"
    assert _verdict(bundle, s.toxicity, "toxicity") == "approve"
    assert s.reasons == []


@pytest.mark.parametrize("text", SPAM)
def test_spam_is_caught(bundle: ModelBundle, text: str) -> None:
    """Clear spam is at least flagged, with a spam reason and spans."""
    s = bundle.score_one(text)
    assert _verdict(bundle, s.spam, "spam") != "approve"
    assert any(r.startswith("spam:") for r in s.reasons)
    assert any(sp.axis == "spam" for sp in s.spans)


def test_links_reason(bundle: ModelBundle) -> None:
    """A link-bearing spam comment reports the links reason."""
    s = bundle.score_one(SPAM[0])
    assert "spam:links" in s.reasons
    assert s.attributes["links"] >= 1


@pytest.mark.parametrize("text", INSULTS)
def test_insults_are_caught(bundle: ModelBundle, text: str) -> None:
    """Insults, also obfuscated ones, are rejected or flagged and highlight the original text."""
    s = bundle.score_one(text)
    assert _verdict(bundle, s.toxicity, "toxicity") != "approve"
    spans = [sp for sp in s.spans if sp.axis == "toxicity"]
    assert spans and len(spans) <= 5
    for sp in spans:
        assert 0 <= sp.begin < sp.end <= len(text)
        assert sp.weight > 0


def test_obfuscated_span_points_at_obfuscation(bundle: ModelBundle) -> None:
    """The top toxicity span of ``y0u 1d10t`` covers the leetspeak word in the original."""
    text = "well y0u 1d10t"
    top = max((sp for sp in bundle.score_one(text).spans if sp.axis == "toxicity"),
              key=lambda sp: sp.weight)
    assert text[top.begin:top.end] == "1d10t"


def test_batch_matches_single_and_json(bundle: ModelBundle) -> None:
    """Batch and single scoring agree and serialise to JSON."""
    texts = SPAM + INSULTS + ORDINARY + ["", "   ", "\u200b"]
    batch = bundle.score(texts)
    for text, s in zip(texts, batch, strict=True):
        assert s == bundle.score_one(text)
        assert 0.0 <= s.spam <= 1.0 and 0.0 <= s.toxicity <= 1.0
        json.dumps(s.as_dict())


def test_metadata(bundle: ModelBundle) -> None:
    """Metadata carries version, hashes, thresholds and metrics."""
    meta = bundle.metadata
    for key in ("version", "created_at", "sklearn_version", "data_hash", "metrics", "thresholds"):
        assert key in meta
    assert meta["version"] == bundle.version
    for axis in ("spam", "toxicity"):
        assert 0 < meta["thresholds"][axis]["flag"] < meta["thresholds"][axis]["reject"] <= 1


def test_registry_round_trip_and_tamper(bundle: ModelBundle, registry: ModelRegistry) -> None:
    """Saved bundles load identically; a modified file or sklearn version is refused."""
    folder = registry.save(bundle)
    loaded = registry.load(bundle.version)
    text = "you are a stupid idiot"
    assert loaded.score_one(text).toxicity == pytest.approx(bundle.score_one(text).toxicity,
                                                             abs=1e-5)
    model = folder / "model.skops"
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match="integrity"):
        registry.load(bundle.version)
    with pytest.raises(ArtifactError, match="unknown"):
        registry.load("1999.01.01-deadbeef")


def test_sklearn_version_mismatch(bundle: ModelBundle, registry: ModelRegistry) -> None:
    """A model recorded with another scikit-learn version is refused with a clear message."""
    folder = registry.save(bundle)
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["sklearn_version"] = "0.0.1"
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="scikit-learn"):
        registry.load(bundle.version)


def test_promote_and_rollback(bundle: ModelBundle, registry: ModelRegistry) -> None:
    """Promote two versions, roll back to the first, and no further."""
    assert registry.current_version() is None and registry.load_current() is None
    registry.save(bundle)
    second = ModelBundle(bundle.vectorizer, bundle.coef, bundle.intercept,
                         {**bundle.metadata, "version": bundle.version + "b",
                          "created_at": "9999-01-01T00:00:00+00:00"})
    registry.save(second)
    registry.promote(bundle.version)
    before = registry.current_marker_mtime()
    registry.promote(second.version)
    assert registry.current_version() == second.version
    assert registry.current_marker_mtime() >= before
    assert [v["active"] for v in registry.versions()] == [False, True]
    assert registry.rollback() == bundle.version
    assert registry.current_version() == bundle.version
    with pytest.raises(ArtifactError):
        registry.rollback()


def test_ensure_current_trains_once(bundle: ModelBundle, registry: ModelRegistry) -> None:
    """ensure_current trains only when nothing is promoted."""
    calls: list[int] = []

    def train() -> ModelBundle:
        calls.append(1)
        return bundle

    assert registry.ensure_current(train).version == bundle.version
    assert registry.ensure_current(train).version == bundle.version
    assert calls == [1]


def test_evaluate_rows(bundle: ModelBundle, tmp_path: Path) -> None:
    """evaluate_rows infers the axis and reports metrics; CSV errors name the line."""
    path = tmp_path / "labels.csv"
    path.write_text("text,label\n" + "".join(f'"{t}",spam\n' for t in SPAM)
                    + "".join(f'"{t}",ham\n' for t in ORDINARY), encoding="utf-8")
    result = evaluate_rows(bundle, read_labelled_csv(path))
    assert result["axis"] == "spam" and result["n"] == 6 and result["positives"] == 3
    assert result["roc_auc"] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="mix"):
        evaluate_rows(bundle, [("a", "spam"), ("b", "toxic")])
    assert result["article_context"] is False
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,ok\nworld,maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        read_labelled_csv(bad)


def test_training_is_deterministic() -> None:
    """The same data and random_state give the same vocabulary, weights and thresholds.

    A small recipe (YouTube spam and the Fox News comments for toxicity) keeps this to
    seconds; its spam (logistic) and toxicity (SVM) heads are fitted side by side in threads, as
    in the default recipe, which runs the same code on more rows.
    """
    others = {"sms-spam", "jigsaw-toxic-wikipedia", "davidson-hate-offensive", CIVIL}

    def train() -> ModelBundle:
        return train_bundle(exclude=others, heads_to_fit={"spam", "toxicity"}, random_state=3)

    first, second = train(), train()
    assert first.vectorizer.terms_ == second.vectorizer.terms_
    assert np.array_equal(first.coef, second.coef)
    assert np.array_equal(first.intercept, second.intercept)
    assert first.metadata["thresholds"] == second.metadata["thresholds"]
    assert first.metadata["data_hash"] == second.metadata["data_hash"]
    assert first.score(SPAM + ORDINARY) == second.score(SPAM + ORDINARY)
