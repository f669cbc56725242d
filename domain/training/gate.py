"""The promotion gate and threshold carry-over: a new model goes live when it serves the publisher.

The gate compares the candidate and the current model on the same evaluation sets: a held-out
fifth of the publisher's own labels ("moderators/<axis>", the best evidence about their
comments) and the fixed held-out split of the base data ("base/<axis>": Wikipedia talk pages,
YouTube comments), which guards against a model that forgets what spam or abuse is.

- On the publisher's labels the ROC AUC gain is measured with a paired bootstrap
  (``classifier.comparison``). A candidate whose gain is negative is refused there; one whose
  90 % interval lies above zero is *clearly better*.
- On the base data the candidate may lose at most `AUC_TOLERANCE` (0.005, about two bootstrap
  standard deviations of the Jigsaw split's AUC, 0.0028) - or `COLLAPSE_TOLERANCE` (0.02) on an
  axis where the publisher's labels say it is clearly better. Specialising to one publisher's
  comments costs a little on Wikipedia talk pages (the issue's candidate lost 0.008 there while
  gaining 0.046 on the publisher's own comments); 0.02 is seven standard deviations of the base
  split, beyond anything resampling produces, so a larger drop means the model is unlearning
  the base task, not adapting.
- The false-positive rate at the default threshold must not rise by more than `FPR_TOLERANCE`
  plus the weight of two rows of the set (one row can never flip the decision); on the base
  data of an axis clearly better for the publisher it is reported, not gated: the adapted
  thresholds are set on the publisher's comments, where false positives cost them.
Sets with fewer than `MIN_ROWS_PER_CLASS` examples of either class are reported, not gated on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

AUC_TOLERANCE = 0.005
COLLAPSE_TOLERANCE = 0.02
FPR_TOLERANCE = 0.01
MIN_ROWS_PER_CLASS = 5


@dataclass
class GateResult:
    """Whether to promote, and why."""

    promote: bool
    checks: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The checks that blocked promotion."""
        return [check for check in self.checks if not check["passed"]]


def _publisher_verdict(gain: Mapping[str, float] | None) -> str:
    """'better', 'worse' or 'unclear' from a paired-bootstrap AUC gain on the publisher's labels."""
    if gain is None:
        return "unclear"
    if gain["gain"] < 0:
        return "worse"
    return "better" if gain["low"] > 0 else "unclear"


def _check(name: str, candidate: Mapping[str, Any], current: Mapping[str, Any],
           gain: Mapping[str, float] | None, publisher_verdict: str) -> dict[str, Any]:
    """Compare one evaluation (a set and an axis) of the candidate with the current model."""
    positives = int(candidate.get("positives", 0))
    negatives = int(candidate.get("n", 0)) - positives
    has_auc = candidate.get("roc_auc") is not None and current.get("roc_auc") is not None
    gated = has_auc and min(positives, negatives) >= MIN_ROWS_PER_CLASS
    auc_drop = float(current["roc_auc"]) - float(candidate["roc_auc"]) if has_auc else 0.0
    fpr_rise = float(candidate["false_positive_rate"]) - float(current["false_positive_rate"])
    fpr_allowance = FPR_TOLERANCE + (2.0 / negatives if negatives else 0.0)
    publisher = name.startswith("moderators/")
    adapted_base = not publisher and publisher_verdict == "better"
    tolerance = COLLAPSE_TOLERANCE if adapted_base else AUC_TOLERANCE
    if publisher and gain is not None:
        auc_ok = _publisher_verdict(gain) != "worse"
    else:
        auc_ok = auc_drop <= tolerance
    fpr_ok = adapted_base or fpr_rise <= fpr_allowance
    check = {
        "evaluation": name,
        "gated": gated,
        "passed": not gated or (auc_ok and fpr_ok),
        "roc_auc": {"candidate": candidate["roc_auc"], "current": current["roc_auc"]},
        "false_positive_rate": {
            "candidate": candidate["false_positive_rate"],
            "current": current["false_positive_rate"],
        },
        "auc_drop": round(auc_drop, 6),
        "auc_tolerance": None if publisher and gain is not None else tolerance,
        "fpr_rise": round(fpr_rise, 6),
        "fpr_allowance": None if adapted_base else round(fpr_allowance, 6),
    }
    if gain is not None:
        check["auc_gain"] = dict(gain)
    check["explanation"] = explain(check, auc_ok, fpr_ok, publisher_verdict)
    return check


def gate(
    candidate: Mapping[str, Mapping[str, Any]],
    current: Mapping[str, Mapping[str, Any]],
    gains: Mapping[str, Mapping[str, float]] | None = None,
) -> GateResult:
    """Decide promotion from evaluations keyed by name (e.g. "base/spam", "moderators/toxicity").

    ``gains``: the paired-bootstrap ROC AUC gain (``AucGain.as_dict``) on the publisher's
    held-out labels, keyed like the evaluations; without it those sets are gated like the base.
    """
    gains = gains or {}
    verdicts = {name.split("/", 1)[1]: _publisher_verdict(gains.get(name))
                for name in candidate if name.startswith("moderators/") and name in gains}
    checks = [_check(name, candidate[name], current[name], gains.get(name),
                     verdicts.get(name.split("/", 1)[-1], "unclear"))
              for name in sorted(candidate)]
    promote = all(check["passed"] for check in checks)
    return GateResult(promote=promote, checks=checks, reason=summarise(promote, checks))


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


SET_NAMES = {
    "moderators/toxicity": "your own held-out toxicity labels",
    "moderators/spam": "your own held-out spam labels",
    "base/toxicity": "the Wikipedia talk-page comments kept aside (base data)",
    "base/spam": "the YouTube comments kept aside (base data)",
}


def explain(check: Mapping[str, Any], auc_ok: bool, fpr_ok: bool, publisher_verdict: str) -> str:
    """One sentence a data person can read: what moved, and whether that is acceptable."""
    name = check["evaluation"]
    where = SET_NAMES.get(name, name)
    auc = check["roc_auc"]
    if not check["gated"]:
        return f"On {where}: too few rows of one class to judge; reported only."
    moved = f"ROC AUC {auc['current']:.4f} -> {auc['candidate']:.4f}"
    if "auc_gain" in check:
        gain = check["auc_gain"]
        noise = f"90 % bootstrap range {gain['low']:+.4f} to {gain['high']:+.4f}"
        verdict = {"better": "clearly better", "worse": "worse: refused",
                   "unclear": "within resampling noise"}[_publisher_verdict(gain)]
        sentence = f"On {where}: {moved} ({noise}), {verdict}."
    elif auc_ok:
        allowed = check["auc_tolerance"]
        why = (" (allowed because your own labels are clearly better)"
               if publisher_verdict == "better" else "")
        sentence = (f"On {where}: {moved}, a drop of {max(check['auc_drop'], 0.0):.4f} within "
                    f"the {allowed} allowed{why}.")
    else:
        sentence = (f"On {where}: {moved}, a drop of {check['auc_drop']:.4f}, more than the "
                    f"{check['auc_tolerance']} allowed: refused.")
    if not fpr_ok:
        sentence += (f" False positives at the default threshold rose by "
                     f"{check['fpr_rise']:.3f}, more than {check['fpr_allowance']:.3f}: refused.")
    return sentence


def summarise(promote: bool, checks: list[dict[str, Any]]) -> str:
    """The decision in words: the checks that refused it, or what it gains."""
    if not promote:
        failed = " ".join(c["explanation"] for c in checks if not c["passed"])
        return f"Not promoted. {failed}"
    gains = [c for c in checks if "auc_gain" in c and c["gated"]]
    if not gains:
        return "Promoted: no worse than the current model on every set it was judged on."
    return "Promoted. " + " ".join(c["explanation"] for c in gains)
