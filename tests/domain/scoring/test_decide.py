"""Scores to verdicts with per-site thresholds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from classifier.scoring import WITHOUT_IDENTITY
from domain.scoring.decide import blocked_author_verdict, decide, own_thresholds, thresholds_for
from domain.vocabulary import DecidedBy, Status

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


def test_identity_words_alone_never_reject_and_are_named() -> None:
    """Toxicity carried over the reject line only by identity words is held for a human."""
    thresholds = thresholds_for({}, MODEL)
    held = decide({"spam": 0.0, "toxicity": 0.99, WITHOUT_IDENTITY: 0.1}, thresholds)
    assert held.status is Status.FLAGGED
    assert held.reasons == ("toxicity:above_flag", "toxicity:identity-term")
    still_toxic = decide({"spam": 0.0, "toxicity": 0.99, WITHOUT_IDENTITY: 0.96}, thresholds)
    assert still_toxic.status is Status.REJECTED
    assert still_toxic.reasons == ("toxicity:above_reject",)
    # a comment whose identity words alone flag it is still held (never auto-approved)
    flagged = decide({"spam": 0.0, "toxicity": 0.6, WITHOUT_IDENTITY: 0.2}, thresholds)
    assert flagged.status is Status.FLAGGED and "toxicity:identity-term" in flagged.reasons
    spam = decide({"spam": 0.95, "toxicity": 0.99, WITHOUT_IDENTITY: 0.1}, thresholds)
    assert spam.status is Status.REJECTED
    assert spam.reasons == ("spam:above_reject", "toxicity:identity-term")


unit = st.floats(min_value=0.0, max_value=1.0)


@given(spam=unit, toxicity=unit, without=unit)
def test_the_identity_guard_only_ever_softens_a_rejection(spam: float, toxicity: float,
                                                          without: float) -> None:
    thresholds = thresholds_for({}, MODEL)
    plain = decide({"spam": spam, "toxicity": toxicity}, thresholds)
    guarded = decide({"spam": spam, "toxicity": toxicity, WITHOUT_IDENTITY: without},
                     thresholds)
    if plain.status is not Status.REJECTED:
        assert guarded.status is plain.status  # never approves what the scores flag
    elif guarded.status is not Status.REJECTED:
        assert guarded.status is Status.FLAGGED and without < thresholds.reject["toxicity"]


def test_only_the_lines_a_site_set_itself_are_its_own() -> None:
    policy = {"thresholds": {"spam": {"reject": 0.8, "flag": "high"}, "toxicity": True,
                             "other": {"flag": 0.1}}}
    assert own_thresholds(policy) == {"spam": {"reject": 0.8}}
    assert own_thresholds({"thresholds": ["spam"]}) == {}
    t = thresholds_for(policy, {"spam": {"flag": 0.6, "reject": 0.9}})
    assert (t.flag["spam"], t.reject["spam"]) == (0.6, 0.8)  # malformed flag: the model's
    assert (t.flag["toxicity"], t.reject["toxicity"]) == (0.5, 0.95)  # ours
