"""The paired bootstrap of a ROC AUC gain."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.comparison import paired_auc_gain


def _rows(seed: int, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Labels and a noisy score that ranks them somewhat."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    return y, y + rng.normal(0, 1.5, n)


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 10_000))
def test_a_model_compared_with_itself_gains_nothing(seed: int) -> None:
    y, score = _rows(seed)
    gain = paired_auc_gain(y, score, score, resamples=100)
    assert gain.gain == 0 and gain.low == 0 and gain.high == 0
    assert gain.spread > 0


def test_a_clearly_better_model_has_its_whole_interval_above_zero() -> None:
    y, weak = _rows(1)
    strong = y + np.random.default_rng(2).normal(0, 0.5, len(y))
    gain = paired_auc_gain(y, strong, weak, resamples=300)
    assert 0 < gain.low <= gain.gain <= gain.high


def test_a_worse_model_has_a_negative_gain() -> None:
    y, weak = _rows(3)
    noise = np.random.default_rng(4).normal(0, 1, len(y))
    gain = paired_auc_gain(y, noise, weak, resamples=300)
    assert gain.gain < 0 and gain.high < 0.05
