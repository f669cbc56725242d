"""The promotion gate and the threshold carry-over."""

from __future__ import annotations

import numpy as np

from domain.training.gate import carry_threshold, carry_thresholds, gate


def evaluation(auc: float, fpr: float, n: int = 1000, positives: int = 500) -> dict:
    """An evaluation result as the classifier reports it."""
    return {"roc_auc": auc, "false_positive_rate": fpr, "n": n, "positives": positives}


def test_an_equal_or_better_candidate_is_promoted() -> None:
    current = {"base/spam": evaluation(0.99, 0.02), "base/toxicity": evaluation(0.97, 0.03)}
    candidate = {"base/spam": evaluation(0.992, 0.02), "base/toxicity": evaluation(0.968, 0.035)}
    assert gate(candidate, current).promote


def test_a_drop_in_auc_beyond_tolerance_blocks_promotion() -> None:
    current = {"base/toxicity": evaluation(0.97, 0.03)}
    result = gate({"base/toxicity": evaluation(0.95, 0.03)}, current)
    assert not result.promote
    assert [f["evaluation"] for f in result.failures] == ["base/toxicity"]


def test_a_rise_in_false_positives_blocks_promotion() -> None:
    current = {"moderators/spam": evaluation(0.99, 0.01)}
    assert not gate({"moderators/spam": evaluation(0.99, 0.05)}, current).promote


def test_one_row_cannot_flip_the_decision_on_a_small_set() -> None:
    current = {"moderators/spam": evaluation(0.95, 0.0, n=40, positives=20)}
    one_more_false_positive = evaluation(0.95, 1 / 20, n=40, positives=20)
    assert gate({"moderators/spam": one_more_false_positive}, current).promote


def test_tiny_sets_are_reported_but_not_gated() -> None:
    current = {"moderators/spam": evaluation(1.0, 0.0, n=4, positives=2)}
    result = gate({"moderators/spam": evaluation(0.5, 0.5, n=4, positives=2)}, current)
    assert result.promote and not result.checks[0]["gated"]


def test_thresholds_keep_cutting_the_same_share_of_comments() -> None:
    rng = np.random.default_rng(0)
    old = rng.uniform(0, 1, 10_000)
    new = old**2  # a recalibrated model: same ranking, lower scores
    carried = carry_threshold(0.9, old, new)
    assert abs(carried - 0.81) < 0.01
    assert abs(np.mean(new >= carried) - np.mean(old >= 0.9)) < 0.005


def test_all_axes_and_lines_are_carried() -> None:
    scores = {"spam": np.linspace(0, 1, 101), "toxicity": np.linspace(0, 1, 101)}
    halved = {axis: values / 2 for axis, values in scores.items()}
    carried = carry_thresholds({"spam": {"flag": 0.5, "reject": 0.9}}, scores, halved)
    assert (
        abs(carried["spam"]["flag"] - 0.25) < 0.01 and abs(carried["spam"]["reject"] - 0.45) < 0.01
    )


def test_a_set_with_one_class_only_is_reported_but_not_gated() -> None:
    one_class = {"roc_auc": None, "false_positive_rate": 0.0, "n": 30, "positives": 30}
    result = gate({"moderators/spam": one_class}, {"moderators/spam": one_class})
    assert result.promote and not result.checks[0]["gated"]


def gain(value: float, low: float, high: float) -> dict:
    """A paired-bootstrap ROC AUC gain as classifier.comparison reports it."""
    return {"gain": value, "low": low, "high": high, "spread": 0.01}


def test_clearly_better_on_the_publishers_labels_is_promoted_despite_a_small_base_drop() -> None:
    """The issue's case: +0.046 on the publisher's comments, -0.008 on Wikipedia."""
    current = {"moderators/toxicity": evaluation(0.836, 0.229, n=790, positives=300),
               "base/toxicity": evaluation(0.975, 0.03), "base/spam": evaluation(0.9975, 0.01)}
    candidate = {"moderators/toxicity": evaluation(0.882, 0.091, n=790, positives=300),
                 "base/toxicity": evaluation(0.967, 0.06), "base/spam": evaluation(0.9975, 0.01)}
    result = gate(candidate, current, {"moderators/toxicity": gain(0.046, 0.03, 0.06)})
    assert result.promote, result.failures
    assert result.reason.startswith("Promoted")
    assert "clearly better" in result.reason and "held-out toxicity labels" in result.reason


def test_worse_on_the_publishers_labels_is_refused_even_if_the_base_gains() -> None:
    current = {"moderators/toxicity": evaluation(0.85, 0.1, n=500, positives=200),
               "base/toxicity": evaluation(0.97, 0.03)}
    candidate = {"moderators/toxicity": evaluation(0.84, 0.1, n=500, positives=200),
                 "base/toxicity": evaluation(0.98, 0.03)}
    result = gate(candidate, current, {"moderators/toxicity": gain(-0.01, -0.03, 0.01)})
    assert not result.promote
    assert [f["evaluation"] for f in result.failures] == ["moderators/toxicity"]
    assert "worse: refused" in result.reason


def test_a_collapse_on_the_base_data_is_refused_however_good_the_publisher_gain() -> None:
    current = {"moderators/toxicity": evaluation(0.80, 0.1, n=500, positives=200),
               "base/toxicity": evaluation(0.975, 0.03)}
    candidate = {"moderators/toxicity": evaluation(0.95, 0.1, n=500, positives=200),
                 "base/toxicity": evaluation(0.94, 0.03)}
    result = gate(candidate, current, {"moderators/toxicity": gain(0.15, 0.12, 0.18)})
    assert not result.promote
    assert [f["evaluation"] for f in result.failures] == ["base/toxicity"]
    assert "more than the 0.02 allowed" in result.reason


def test_without_a_clear_publisher_gain_the_base_keeps_its_tight_tolerance() -> None:
    current = {"moderators/spam": evaluation(0.90, 0.1, n=500, positives=200),
               "base/spam": evaluation(0.995, 0.01)}
    candidate = {"moderators/spam": evaluation(0.905, 0.1, n=500, positives=200),
                 "base/spam": evaluation(0.985, 0.01)}
    result = gate(candidate, current, {"moderators/spam": gain(0.005, -0.01, 0.02)})
    assert not result.promote
    assert [f["evaluation"] for f in result.failures] == ["base/spam"]


def test_a_publisher_gain_on_one_axis_buys_no_slack_on_the_other() -> None:
    current = {"moderators/toxicity": evaluation(0.80, 0.1, n=500, positives=200),
               "base/spam": evaluation(0.995, 0.01)}
    candidate = {"moderators/toxicity": evaluation(0.90, 0.1, n=500, positives=200),
                 "base/spam": evaluation(0.985, 0.01)}
    result = gate(candidate, current, {"moderators/toxicity": gain(0.1, 0.08, 0.12)})
    assert [f["evaluation"] for f in result.failures] == ["base/spam"]
