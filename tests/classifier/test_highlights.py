"""Highlights mark the words that carried a score, never function words."""

from __future__ import annotations

from classifier.function_words import FUNCTION_WORDS
from classifier.scoring import ModelBundle

INSULT = "You are a pathetic idiot and your article is garbage"


def test_function_words_are_never_highlighted(bundle: ModelBundle) -> None:
    score = bundle.score([INSULT])[0]
    marked = [INSULT[s.begin : s.end] for s in score.spans if s.axis == "toxicity"]
    assert marked, "an insult must highlight the words that carried it"
    assert not {word.lower() for word in marked} & FUNCTION_WORDS
    assert not {"You", "are", "is", "a", "and", "your"} & set(marked)
    assert {"pathetic", "idiot"} <= set(marked)


def test_a_contraction_of_function_words_is_not_highlighted(bundle: ModelBundle) -> None:
    text = "You're an idiot, you're a disgrace"
    spans = bundle.score([text])[0].spans
    assert "You're" not in [text[s.begin : s.end] for s in spans]
