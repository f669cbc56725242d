"""Scores to verdicts with per-site thresholds."""

from __future__ import annotations

from domain.models import DecidedBy, Status
from domain.policy import blocked_author_verdict, decide, thresholds_for

MODEL = {"spam": {"flag": 0.6, "reject": 0.9}, "toxicity": {"flag": 0.5, "reject": 0.95}}


def test_low_scores_approve_high_reject_and_between_flags() -> None:
    thresholds = thresholds_for({}, MODEL)
    assert decide({"spam": 0.1, "toxicity": 0.1}, thresholds).status is Status.APPROVED
    assert decide({"spam": 0.7, "toxicity": 0.1}, thresholds).status is Status.FLAGGED
    rejected = decide({"spam": 0.1, "toxicity": 0.97}, thresholds)
    assert rejected.status is Status.REJECTED
    assert rejected.reasons == ("toxicity:above_reject",)
    assert rejected.decided_by is DecidedBy.MODEL


def test_site_thresholds_override_the_models_per_axis() -> None:
    strict = thresholds_for({"thresholds": {"toxicity": {"flag": 0.2}}}, MODEL)
    assert strict.flag == {"spam": 0.6, "toxicity": 0.2}
    assert strict.reject == {"spam": 0.9, "toxicity": 0.95}
    assert decide({"spam": 0.0, "toxicity": 0.3}, strict).status is Status.FLAGGED


def test_fallback_thresholds_apply_without_model_metadata() -> None:
    thresholds = thresholds_for({}, {})
    assert thresholds.flag["spam"] < thresholds.reject["spam"]


def test_blocked_authors_are_rejected_by_rule() -> None:
    verdict = blocked_author_verdict()
    assert verdict.status is Status.REJECTED and verdict.decided_by is DecidedBy.RULE
