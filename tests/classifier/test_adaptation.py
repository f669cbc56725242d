"""Adapting the model to a publisher's labels: one axis at a time, still one linear model."""

from __future__ import annotations

import numpy as np
import pytest

from classifier import ModelBundle, ModelRegistry
from classifier.adaptation import adapt_to_labels, can_adapt, fit_adapter

# A publisher whose readers insult each other with a word no data set knows.
TOPICS = ["the budget", "the tram line", "the school board", "the harbour plan", "the election",
          "the new library", "the bus fares", "the council tax", "the bridge repairs",
          "the farmers market"]
INSULTS = [f"anyone who supports {t} is a total grommock" for t in TOPICS] + [
    f"only a grommock would write about {t} like this" for t in TOPICS]
REMARKS = [f"I read the piece about {t} and learnt something new" for t in TOPICS] + [
    f"the reporting on {t} was fair and clear" for t in TOPICS]
PROBE = "what a grommock the mayor is"
OTHERS = ["Check out my channel http://bit.ly/xyz subscribe!!!", "Lovely weather for the fair",
          "you are a stupid idiot", PROBE]


def publisher_labels() -> list[tuple[str, str]]:
    """The publisher's labelled comments: their insults toxic, ordinary remarks ok."""
    return [(t, "toxic") for t in INSULTS] + [(t, "ok") for t in REMARKS]


def test_the_adapted_model_learns_the_publishers_insult(bundle: ModelBundle) -> None:
    adapted = adapt_to_labels(bundle, publisher_labels())
    before, after = bundle.score_one(PROBE).toxicity, adapted.score_one(PROBE).toxicity
    assert before < bundle.thresholds["toxicity"]["flag"], "the base must not know the word"
    assert after > before
    assert adapted.metadata["adapters"]["toxicity"]["labels"] == len(publisher_labels())
    assert adapted.version != bundle.version
    assert adapted.metadata["base_version"] == bundle.version


def test_toxicity_labels_never_move_a_spam_score(bundle: ModelBundle) -> None:
    adapted = adapt_to_labels(bundle, publisher_labels())
    spam = bundle.heads.index("spam")
    np.testing.assert_array_equal(adapted.predict_heads(OTHERS)[:, spam],
                                  bundle.predict_heads(OTHERS)[:, spam])
    assert adapted.thresholds["spam"] == bundle.thresholds["spam"]
    assert "spam" not in adapted.metadata["adapters"]


def test_labels_of_one_class_leave_the_model_as_it_was(bundle: ModelBundle) -> None:
    adapted = adapt_to_labels(bundle, [(t, "ok") for t in INSULTS])
    np.testing.assert_array_equal(adapted.predict_heads(OTHERS), bundle.predict_heads(OTHERS))
    assert adapted.metadata["adapters"] == {}
    assert not can_adapt(np.zeros(40, dtype=int))
    with pytest.raises(ValueError, match="at least"):
        fit_adapter(bundle, INSULTS[:3] + REMARKS, np.array([1] * 3 + [0] * 20), "toxicity")


def test_the_adapted_head_folds_into_the_artefact(bundle: ModelBundle,
                                                   registry: ModelRegistry) -> None:
    adapted = adapt_to_labels(bundle, publisher_labels())
    registry.save(adapted)
    loaded = registry.load(adapted.version)
    np.testing.assert_allclose(loaded.predict_heads(OTHERS), adapted.predict_heads(OTHERS),
                               rtol=1e-4, atol=1e-6)
    assert loaded.metadata["adapters"]["toxicity"]["base_weight"] > 0
