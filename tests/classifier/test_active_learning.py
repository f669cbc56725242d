"""Which comments would teach the model most."""

from __future__ import annotations

import numpy as np

from classifier import ModelBundle
from classifier.active_learning import informativeness, most_informative, novelty

BORDERLINE = "this article is rubbish and so is the idiot who wrote it"
CLEAR = "Thank you for the thoughtful and well researched report on the library."


def test_a_comment_like_one_already_labelled_teaches_less(bundle: ModelBundle) -> None:
    waiting = [BORDERLINE, "the match report was a pleasure to read"]
    fresh = informativeness(bundle, waiting)
    after = informativeness(bundle, waiting, labelled=[BORDERLINE])
    assert after[0] < fresh[0] / 10
    assert novelty(bundle, [BORDERLINE], [BORDERLINE])[0] < 1e-6


def test_a_hesitant_score_teaches_more_than_a_confident_one(bundle: ModelBundle) -> None:
    worth = informativeness(bundle, [BORDERLINE, CLEAR], axes=("toxicity",))
    assert worth[0] > worth[1]
    assert np.all((worth >= 0) & (worth <= 1))


def test_a_batch_of_picks_never_holds_two_copies(bundle: ModelBundle) -> None:
    waiting = [BORDERLINE, BORDERLINE + "!", CLEAR, "what a stupid take on the budget"]
    picks = most_informative(bundle, waiting, 2)
    assert len(set(picks)) == 2 and not {0, 1} <= set(picks)
