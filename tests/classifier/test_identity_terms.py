"""Comments naming a group of people: identity words alone never get a comment rejected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier import ModelBundle
from classifier.lexicon import load_lexicon
from classifier.normalize import normalize
from classifier.scoring import WITHOUT_IDENTITY
from domain.scoring.decide import model_verdict
from domain.vocabulary import Status

NAMING_A_GROUP = [
    "I am a gay man and I read this paper every morning.",
    "Our street has Muslim, Jewish and Christian families who look after each other.",
    "The article should have quoted more black business owners.",
    "As a deaf reader I would like captions on the videos.",
    "My daughter came out as lesbian last year and we are proud of her.",
]
INSULTS_NAMING_A_GROUP = ["you stupid gay idiot, shut up", "muslims are disgusting filthy animals"]


@pytest.mark.parametrize("text", NAMING_A_GROUP)
def test_ordinary_remarks_naming_a_group_are_never_rejected(bundle: ModelBundle,
                                                            text: str) -> None:
    score = bundle.score_one(text)
    assert score.attributes[WITHOUT_IDENTITY] < bundle.thresholds["toxicity"]["flag"]
    verdict = model_verdict({}, score, bundle)
    assert verdict.status is not Status.REJECTED
    if verdict.status is Status.FLAGGED and score.spam < bundle.thresholds["spam"]["flag"]:
        assert "toxicity:identity-term" in verdict.reasons


@pytest.mark.parametrize("text", INSULTS_NAMING_A_GROUP)
def test_insults_naming_a_group_are_never_approved(bundle: ModelBundle, text: str) -> None:
    assert model_verdict({}, bundle.score_one(text), bundle).status is not Status.APPROVED


# "muslims are disgusting filthy animals" was held instead of rejected while Civil Comments' split
# votes counted fully (its "disgusting filthy animals" alone scored 0.78); the agreement weights
# (classifier.data.agreement) mended it: docs/model.md, "Out of the box".
@pytest.mark.parametrize("text", INSULTS_NAMING_A_GROUP)
def test_insults_stay_toxic_without_the_identity_words(bundle: ModelBundle, text: str) -> None:
    score = bundle.score_one(text)
    assert score.attributes[WITHOUT_IDENTITY] >= bundle.thresholds["toxicity"]["flag"]


def test_an_identity_word_drives_the_score_it_is_taken_out_of(bundle: ModelBundle) -> None:
    """The model as trained still ranks 'I am gay' as toxic: this is what the guard is for."""
    score = bundle.score_one("I am gay.")
    assert score.toxicity >= bundle.thresholds["toxicity"]["flag"]
    assert score.attributes[WITHOUT_IDENTITY] < bundle.thresholds["toxicity"]["flag"]


@settings(max_examples=80, deadline=None)
@given(text=st.text(alphabet=st.characters(codec="ascii"), max_size=120))
def test_the_attribute_appears_exactly_when_a_group_is_named(bundle: ModelBundle,
                                                             text: str) -> None:
    score = bundle.score_one(text)
    named = bool(load_lexicon().identity_spans(normalize(text)))
    assert (WITHOUT_IDENTITY in score.attributes) == named
    if named:
        assert 0.0 <= score.attributes[WITHOUT_IDENTITY] <= 1.0
