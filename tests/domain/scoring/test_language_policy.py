"""A site's language policy: which reader a comment gets, and the verdict when none covers it."""

from __future__ import annotations

import numpy as np

from classifier.languages import Detection, LanguageModels
from classifier.languages.spam import SIGNALS, SpamSignals
from domain.scoring.languages import (
    NOT_ACCEPTED,
    UNSUPPORTED,
    LanguagePolicy,
    policy_verdict,
    reader,
)
from domain.vocabulary import Status


def _models(spam_lines: dict[str, float] | None = None) -> LanguageModels:
    """Language models covering nothing, with spam signals whose lines we choose."""
    spam = SpamSignals(np.zeros(len(SIGNALS)), 0.0, spam_lines or {"flag": 0.6, "reject": 0.9})
    return LanguageModels({}, spam)


def test_the_default_policy_flags_and_accepts_everything() -> None:
    policy = LanguagePolicy.of({})
    assert policy.default_language == "en" and policy.action is Status.FLAGGED
    assert policy.accepts("ru")


def test_score_as_english_is_no_action_a_site_can_choose() -> None:
    policy = LanguagePolicy.of({"unsupported_language_action": "score_as_english"})
    assert policy.action is Status.FLAGGED


def test_readers_by_language() -> None:
    models = _models()
    policy = LanguagePolicy.of({"accepted_languages": ["en", "ru"]})
    assert reader(Detection("en", 0.9), policy, models) == "en"
    assert reader(Detection("ru", 0.9), policy, models) == UNSUPPORTED
    assert reader(Detection("und", 0.0), policy, models) == UNSUPPORTED
    assert reader(Detection("de", 0.9), policy, models) == NOT_ACCEPTED


def test_an_unsupported_language_is_flagged_or_rejected_never_approved() -> None:
    models = _models()
    flagged = policy_verdict(LanguagePolicy.of({}), UNSUPPORTED, 0.5, models)
    assert flagged.status is Status.FLAGGED and flagged.reasons == (UNSUPPORTED,)
    rejecting = LanguagePolicy.of({"unsupported_language_action": "reject"})
    assert policy_verdict(rejecting, UNSUPPORTED, 0.0, models).status is Status.REJECTED
    spam = policy_verdict(LanguagePolicy.of({}), UNSUPPORTED, 0.95, models)
    assert spam.status is Status.REJECTED and "spam:above_reject" in spam.reasons
