"""The promotion gate and threshold carry-over: a new model goes live only if it is no worse.

The gate compares the candidate and the current model on the same evaluation sets (the fixed
held-out split of the base data, and a held-out slice of the moderators' labels). For each set
and axis the candidate must keep its ROC AUC within `AUC_TOLERANCE` of the current model's and
must not raise the false-positive rate at the default threshold by more than `FPR_TOLERANCE`
plus the weight of two rows of that set, so that a single row can never flip the decision.
Sets with fewer than `MIN_ROWS_PER_CLASS` examples of either class are reported, not gated on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

AUC_TOLERANCE = 0.005
FPR_TOLERANCE = 0.01
MIN_ROWS_PER_CLASS = 5


@dataclass
class GateResult:
    """Whether to promote, and why."""

    promote: bool
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The checks that blocked promotion."""
        return [check for check in self.checks if not check["passed"]]


def _check(name: str, candidate: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Compare one evaluation (a set and an axis) of the candidate with the current model."""
    positives = int(candidate.get("positives", 0))
    negatives = int(candidate.get("n", 0)) - positives
    has_auc = candidate.get("roc_auc") is not None and current.get("roc_auc") is not None
    gated = has_auc and min(positives, negatives) >= MIN_ROWS_PER_CLASS
    auc_drop = float(current["roc_auc"]) - float(candidate["roc_auc"]) if has_auc else 0.0
    fpr_rise = float(candidate["false_positive_rate"]) - float(current["false_positive_rate"])
    fpr_allowance = FPR_TOLERANCE + (2.0 / negatives if negatives else 0.0)
    passed = not gated or (auc_drop <= AUC_TOLERANCE and fpr_rise <= fpr_allowance)
    return {
        "evaluation": name,
        "gated": gated,
        "passed": passed,
        "roc_auc": {"candidate": candidate["roc_auc"], "current": current["roc_auc"]},
        "false_positive_rate": {
            "candidate": candidate["false_positive_rate"],
            "current": current["false_positive_rate"],
        },
        "auc_drop": round(auc_drop, 6),
        "fpr_rise": round(fpr_rise, 6),
        "fpr_allowance": round(fpr_allowance, 6),
    }


def gate(
    candidate: Mapping[str, Mapping[str, Any]], current: Mapping[str, Mapping[str, Any]]
) -> GateResult:
    """Decide promotion from evaluations keyed by name (e.g. "base/spam", "moderators/toxicity")."""
    checks = [_check(name, candidate[name], current[name]) for name in sorted(candidate)]
    return GateResult(promote=all(check["passed"] for check in checks), checks=checks)


def carry_threshold(value: float, old_scores: np.ndarray, new_scores: np.ndarray) -> float:
    """Move a threshold so it cuts the same share of held-out comments under the new model."""
    if len(old_scores) == 0 or len(new_scores) == 0:
        return value
    share_below = float(np.mean(np.asarray(old_scores) < value))
    return float(np.clip(np.quantile(np.asarray(new_scores), share_below), 0.0, 1.0))


def carry_thresholds(
    thresholds: Mapping[str, Mapping[str, float]],
    old_scores: Mapping[str, np.ndarray],
    new_scores: Mapping[str, np.ndarray],
) -> dict[str, dict[str, float]]:
    """Carry a site's per-axis flag/reject thresholds over to a new model by score quantiles."""
    carried: dict[str, dict[str, float]] = {}
    for axis, lines in thresholds.items():
        carried[axis] = {
            name: round(carry_threshold(float(value), old_scores[axis], new_scores[axis]), 6)
            for name, value in lines.items()
        }
    return carried
