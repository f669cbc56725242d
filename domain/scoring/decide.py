"""Turns scores into a verdict with a site's thresholds: approve, reject, or flag for a human."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from classifier import ModelBundle, Score
from classifier.scoring import WITHOUT_IDENTITY
from domain.newsroom.statements import statement
from domain.records import Comment, Verdict
from domain.store import ScoredVerdict
from domain.vocabulary import AXES, DecidedBy, Status

LINES = ("flag", "reject")
# Used only when neither the site nor the model's metadata says otherwise.
FALLBACK_THRESHOLDS = {
    "spam": {"flag": 0.5, "reject": 0.95},
    "toxicity": {"flag": 0.5, "reject": 0.95},
}


@dataclass(frozen=True)
class Thresholds:
    """Per-axis scores at and above which a comment is flagged, and rejected."""

    flag: Mapping[str, float]
    reject: Mapping[str, float]

    def as_dict(self) -> dict[str, dict[str, float]]:
        """The thresholds as stored in a site's policy."""
        return {axis: {"flag": self.flag[axis], "reject": self.reject[axis]} for axis in AXES}


def own_thresholds(site_policy: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    """The lines a site set itself, by axis; lines not set (or set badly) follow the model."""
    raw = site_policy.get("thresholds")
    if not isinstance(raw, Mapping):
        return {}
    own: dict[str, dict[str, float]] = {}
    for axis in AXES:
        lines = raw.get(axis)
        if not isinstance(lines, Mapping):
            continue
        kept = {line: float(lines[line]) for line in LINES if _is_number(lines.get(line))}
        if kept:
            own[axis] = kept
    return own


def recommended_thresholds(model_metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    """The thresholds a model recommends, from its metadata ({} for a model without them)."""
    return model_metadata.get("thresholds") or {}


def thresholds_for(site_policy: Mapping[str, Any], model_defaults: Mapping[str, Any]) -> Thresholds:
    """A site's thresholds, each falling back to the model's recommendation, then to ours.

    The one place thresholds are assembled: the worker and the compatibility endpoints decide
    with it (``Scorer``), the review pages show its lines, and retraining carries over only
    ``own_thresholds``, the lines a site set itself.
    """
    own = own_thresholds(site_policy)
    flag: dict[str, float] = {}
    reject: dict[str, float] = {}
    for axis in AXES:
        merged = {
            **FALLBACK_THRESHOLDS[axis],
            **(model_defaults.get(axis) or {}),
            **own.get(axis, {}),
        }
        flag[axis] = float(merged["flag"])
        reject[axis] = float(merged["reject"])
    return Thresholds(flag=flag, reject=reject)


def _is_number(value: object) -> bool:
    """A real number, not a bool (JSON ``true`` is not a threshold)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _identity_driven(scores: Mapping[str, float], thresholds: Thresholds) -> bool:
    """Whether words naming a group of people alone carry toxicity over a line.

    ``toxicity_without_identity_terms`` (set by the classifier when a comment names a group)
    is the score with those words' share taken out. "I am gay" must not be rejected because
    toxic training comments often name groups; "all muslims should leave" must not be
    approved either: such comments go to a moderator.
    """
    without = scores.get(WITHOUT_IDENTITY)
    if without is None:
        return False
    toxicity = scores["toxicity"]
    return any(toxicity >= line > without
               for line in (thresholds.flag["toxicity"], thresholds.reject["toxicity"]))


def decide(scores: Mapping[str, float], thresholds: Thresholds) -> Verdict:
    """Reject when any score reaches its reject line, flag when any reaches its flag line.

    Toxicity that only identity words carry over the reject line is flagged instead, with the
    reason ``toxicity:identity-term``.
    """
    identity = _identity_driven(scores, thresholds)
    extra = ("toxicity:identity-term",) if identity else ()
    rejected = [axis for axis in AXES if scores[axis] >= thresholds.reject[axis]
                and not (axis == "toxicity" and identity)]
    if rejected:
        return Verdict(
            Status.REJECTED, DecidedBy.MODEL, tuple(f"{a}:above_reject" for a in rejected) + extra
        )
    flagged = [axis for axis in AXES if scores[axis] >= thresholds.flag[axis]]
    if flagged:
        return Verdict(Status.FLAGGED, DecidedBy.MODEL,
                       tuple(f"{a}:above_flag" for a in flagged) + extra)
    return Verdict(Status.APPROVED, DecidedBy.MODEL)


def rule_verdict(reason: str) -> Verdict:
    """A rejection made by a rule (a blocked author, a form trap), without scoring."""
    return Verdict(Status.REJECTED, DecidedBy.RULE, (reason,))


def blocked_author_verdict() -> Verdict:
    """Comments by a blocked author are rejected by rule, without scoring."""
    return rule_verdict("rule:blocked_author")


def model_verdict(site_policy: Mapping[str, Any], score: Score, bundle: ModelBundle) -> Verdict:
    """The site's verdict on a score: its own thresholds, else the model's recommended ones."""
    thresholds = thresholds_for(site_policy, recommended_thresholds(bundle.metadata))
    scores = {"spam": score.spam, "toxicity": score.toxicity}
    if WITHOUT_IDENTITY in score.attributes:
        scores[WITHOUT_IDENTITY] = score.attributes[WITHOUT_IDENTITY]
    return decide(scores, thresholds)


def rule_decision(
    comment: Comment, reason: str, policy: Mapping[str, Any] | None = None
) -> ScoredVerdict:
    """A rule's rejection of a comment, ready to record."""
    return to_record(comment, rule_verdict(reason), None, None, policy)


def to_record(
    comment: Comment,
    verdict: Verdict,
    score: Score | None,
    model_version: str | None,
    policy: Mapping[str, Any] | None = None,
) -> ScoredVerdict:
    """Combine a comment, its verdict and its score into what the store records.

    A rejection carries its statement of reasons, worded by the site's policy.
    """
    as_dict = score.as_dict() if score is not None else {}
    reasons = list(dict.fromkeys([*as_dict.get("reasons", []), *verdict.reasons]))
    told = (
        statement(policy or {}, verdict.decided_by, reasons)
        if verdict.status is Status.REJECTED
        else None
    )
    return ScoredVerdict(
        comment_id=comment.id,
        site_id=comment.site_id,
        status=verdict.status,
        decided_by=verdict.decided_by,
        spam=as_dict.get("spam"),
        toxicity=as_dict.get("toxicity"),
        attributes=as_dict.get("attributes", {}),
        reasons=reasons,
        spans=as_dict.get("spans", []),
        model_version=model_version,
        statement=told,
    )
