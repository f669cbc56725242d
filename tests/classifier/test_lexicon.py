"""Word-list features: evasion-proof matching, sane values, learnt weights, artefact checks."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import ArtifactError, ModelBundle, ModelRegistry
from classifier.lexicon import LEXICON_NAMES, lexicon_digest, load_lexicon
from classifier.normalize import normalize

LEXICON = load_lexicon()
PLAIN_WORDS = sorted(w for w in LEXICON.profane_words if w.isalpha() and len(w) >= 4)
ZERO_WIDTH = "\u200b"


def features(text: str) -> dict[str, float]:
    """The named lexicon features of a raw comment."""
    return dict(zip(LEXICON_NAMES, LEXICON.row(normalize(text)), strict=True))


def test_the_lists_are_loaded_in_normalised_form() -> None:
    assert len(LEXICON.profane_words) > 800
    assert LEXICON.profane_phrases  # multi-word entries ("blow job") match as phrases
    assert LEXICON.valence["idiot"] < 0 < LEXICON.valence["thanks"]
    assert LEXICON.digest == lexicon_digest()


@settings(max_examples=60, deadline=None)
@given(word=st.sampled_from(PLAIN_WORDS), before=st.sampled_from(["", "you ", "what the "]))
def test_evasions_hit_the_same_entry(word: str, before: str) -> None:
    """Capitals, zero-width characters and spaced letters do not hide a listed word."""
    plain = features(before + word)
    assert plain["profane_any"] == 1.0
    assert features(before + word.upper())["profane_any"] == 1.0
    assert features(before + ZERO_WIDTH.join(word))["profane_any"] == 1.0
    assert features(before + " ".join(word))["profane_any"] == 1.0


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=300))
def test_features_are_finite_and_bounded(text: str) -> None:
    values = features(text)
    assert all(math.isfinite(v) and v >= 0 for v in values.values())
    assert values["profane_any"] in (0.0, 1.0)
    assert 0.0 <= values["profane_share"] <= 1.0
    assert (values["profane_log"] > 0) == (values["profane_any"] == 1.0)


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="ascii"), max_size=200),
       word=st.sampled_from(PLAIN_WORDS))
def test_adding_a_listed_word_raises_the_count(text: str, word: str) -> None:
    before, after = features(text), features(f"{text} {word}")
    assert after["profane_any"] == 1.0
    assert after["profane_log"] > before["profane_log"]


def test_spans_cover_the_listed_words_and_phrases() -> None:
    norm = normalize("Well, what a blow job of an article, you sh1t")
    found = [norm[b:e] for b, e in LEXICON.profane_spans(norm)]
    assert "blow job" in found and "shit" in found
    assert LEXICON.profane_spans(normalize("A careful, well sourced report.")) == []


def test_toxicity_calibration_learnt_to_raise_listed_words(bundle: ModelBundle) -> None:
    """Trained weights: a listed word adds to the toxicity logit, and only there."""
    recorded = bundle.metadata["lexicon"]
    assert recorded["sha256"] == LEXICON.digest and set(recorded["weights"]) == {"toxicity"}
    coef = np.asarray(recorded["weights"]["toxicity"])
    clean = np.asarray(LEXICON.row(normalize("the council met on tuesday")))
    listed = np.asarray(LEXICON.row(normalize("the council met on tuesday, bastard")))
    assert float((listed - clean) @ coef) > 0.5


def test_explanations_name_the_listed_word(bundle: ModelBundle) -> None:
    text = "The mayor is a total wanker"
    score = bundle.score_one(text)
    assert score.toxicity >= bundle.thresholds["toxicity"]["flag"]
    assert "toxicity:profanity" in score.reasons
    top = max((s for s in score.spans if s.axis == "toxicity"), key=lambda s: s.weight)
    assert text[top.begin:top.end] == "wanker"


def test_a_model_trained_with_other_lists_is_refused(bundle: ModelBundle,
                                                      registry: ModelRegistry) -> None:
    folder = registry.save(bundle)
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text())
    meta["lexicon"]["sha256"] = "0" * 64
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ArtifactError, match="word lists"):
        registry.load(bundle.version)


def test_a_model_from_before_the_lists_still_loads(bundle: ModelBundle,
                                                   registry: ModelRegistry) -> None:
    """Older models (no lexicon weights) score on their linear heads alone."""
    folder = registry.save(bundle)
    meta_path = folder / "metadata.json"
    meta = json.loads(meta_path.read_text())
    del meta["lexicon"]
    meta_path.write_text(json.dumps(meta))
    older = registry.load(bundle.version)
    assert older.lexicon_coef is None
    text = "the council met on tuesday, bastard"
    assert older.score_one(text).toxicity < bundle.score_one(text).toxicity
