"""Comparing two models on the same labelled rows: the ROC AUC gain and its bootstrap noise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

RESAMPLES = 1000
INTERVAL = 0.90  # a two-sided 90 % interval: "clearly better" is a one-sided 95 % call


@dataclass(frozen=True)
class AucGain:
    """Candidate minus current ROC AUC on the same rows, with a paired bootstrap interval."""

    gain: float
    low: float
    high: float
    spread: float  # standard deviation of the current model's AUC over the resamples

    def as_dict(self) -> dict[str, float]:
        """JSON-ready, rounded."""
        return {"gain": round(self.gain, 5), "low": round(self.low, 5),
                "high": round(self.high, 5), "spread": round(self.spread, 5)}


def paired_auc_gain(y: np.ndarray, candidate: np.ndarray, current: np.ndarray,
                    resamples: int = RESAMPLES, seed: int = 0) -> AucGain:
    """Resample the rows with replacement and score both models on each resample.

    Pairing (the same resampled rows for both) cancels the noise the two share: what is left
    is the uncertainty of the difference, which is what a promotion decision needs.
    """
    y = np.asarray(y, dtype=int)
    rng = np.random.default_rng(seed)
    gains, base = [], []
    for _ in range(resamples):
        pick = rng.integers(0, len(y), len(y))
        if 0 < y[pick].sum() < len(pick):
            old = roc_auc_score(y[pick], current[pick])
            gains.append(roc_auc_score(y[pick], candidate[pick]) - old)
            base.append(old)
    tail = (1.0 - INTERVAL) / 2
    return AucGain(gain=float(roc_auc_score(y, candidate) - roc_auc_score(y, current)),
                   low=float(np.quantile(gains, tail)), high=float(np.quantile(gains, 1 - tail)),
                   spread=float(np.std(base)))
