"""Which comments would teach the model most."""

from __future__ import annotations

import numpy as np

from classifier import ModelBundle
from classifier.active_learning import (
    assess,
    hesitation,
    informativeness,
    most_informative,
    novelty,
)
from tests.support.scored_texts import HESITANT, SOMEWHAT, SURE

BORDERLINE = "this is a silly and lazy piece of writing"  # toxicity ~0.77, flag line 0.8
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
    waiting = [BORDERLINE, BORDERLINE + "!", CLEAR, "what a dumb article"]  # the last: ~0.81
    picks = most_informative(bundle, waiting, 2)
    assert len(set(picks)) == 2 and not {0, 1} <= set(picks)




def test_assess_orders_the_hesitant_first_and_a_near_copy_after_a_different_comment(
    bundle: ModelBundle,
) -> None:
    waiting = [SOMEWHAT, HESITANT, HESITANT + "!!", SURE]
    found = assess(bundle, waiting)
    assert found.order[:2] == [1, 0]  # the copy of the first pick waits behind another comment
    assert found.worth[1] > found.worth[0] > found.worth[2]
    assert found.hesitation[2] > found.hesitation[0]  # alone it would have come second
    assert found.alike.tolist() == [0, 1, 1, 0]
    assert found.hesitation[1] > 0.5 > found.hesitation[3]
    assert np.all(found.novelty == 1.0)  # nothing labelled yet


def test_each_comment_is_judged_against_its_own_sites_flag_line(bundle: ModelBundle) -> None:
    toxicity = bundle.predict_heads([SURE])[0, bundle.heads.index("toxicity")]
    on_the_line = hesitation(bundle, [SURE, SURE], "toxicity", lines=[toxicity, 0.5])
    assert on_the_line[0] > 0.99 > 0.5 > on_the_line[1]
    moved = assess(bundle, [HESITANT, SURE], axes=("toxicity",),
                   lines={"toxicity": [0.2, toxicity]})
    assert moved.order == [1, 0]


def test_assess_of_nothing_and_a_limit(bundle: ModelBundle) -> None:
    assert assess(bundle, []).order == []
    assert len(assess(bundle, [SURE, HESITANT, CLEAR], limit=2).order) == 2
