"""The pre-check (nudge): would this comment be held or rejected, and why, before it is posted.

Nothing is stored: the comment is scored in the calling process and judged by the same
policies as the worker (``judge``), then answered with warnings an author can act on. Only two
counters per site and day are kept in Redis, so the dashboard can say how often authors were
nudged (what became of the comments posted anyway is in the database: ``comments.nudged``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import redis

from classifier import Score
from domain.infra import redis_keys
from domain.intake.validate import validate_submission
from domain.newsroom.statements import explanation
from domain.policies import premoderation
from domain.policies.judge import Judgement
from domain.policies.rules import Action
from domain.records import Site, Submission, utcnow
from domain.scoring.assess import Scorer
from domain.vocabulary import AXES, Status

log = logging.getLogger(__name__)

NUDGE_DAYS_KEPT = 40
LANGUAGE_PREFIX = "language:"  # held or refused for its language (domain/scoring/languages.py)
# Stand-ins for fields a half-filled form lacks, so its comment can still be checked.
PLACEHOLDERS = {"article_id": "-", "sender_name": "-", "email": "unknown@invalid.example"}
HOLD_MESSAGES = {
    premoderation.PREMODERATED: "Comments here are read by a moderator before they appear.",
    premoderation.FIRST_COMMENT: "Your first comments are read by a moderator before they "
    "appear.",
    premoderation.REPUTATION: "Your comments are read by a moderator before they appear.",
}


@dataclass(frozen=True)
class CheckResult:
    """The pre-check's answer: `ok` is False when the words would be held or rejected."""

    ok: bool
    outcome: str  # approved, held or rejected: what posting now would lead to
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        return {"ok": self.ok, "outcome": self.outcome, "warnings": self.warnings,
                "errors": self.errors}


def check(
    site: Site, body: Mapping[str, object], scorer: Scorer, client: redis.Redis
) -> CheckResult:
    """Validate and judge a comment as POST /comments would (in its language), storing nothing."""
    result = validate_submission(body)
    submission = result.submission or _checkable(body, result.errors)
    if submission is None:
        return CheckResult(ok=False, outcome="invalid", errors=result.errors)
    judgement, score, _ = scorer.judge_text(site.id, site.policy, submission)
    policy = premoderation.section_policy(site.policy, submission.section)
    answer = _answer(judgement, score, policy, result.errors)
    count_check(client, site.slug, warned=not answer.ok)
    return answer


def _checkable(body: Mapping[str, object], errors: Mapping[str, list[str]]) -> Submission | None:
    """A half-filled form's comment, checkable when the comment itself passes the form's rules."""
    if "comment" in errors or "nudged" in errors:
        return None
    patched = {k: v for k, v in body.items() if k not in errors}
    patched.update({k: v for k, v in PLACEHOLDERS.items() if k in errors})
    return validate_submission(patched).submission


def _answer(
    judgement: Judgement, score: Score, policy: Mapping[str, Any],
    errors: dict[str, list[str]],
) -> CheckResult:
    """Warnings for what the words earned, then for a hold that does not depend on them."""
    overrides = policy.get("explanations")
    warnings = [
        {"code": m.rule.reason, "message": explanation([m.rule.reason], overrides),
         "spans": [{"begin": b, "end": e} for b, e in m.spans]}
        for m in judgement.matches if m.rule.action is not Action.ALLOW
    ]
    content = judgement.content_status
    if content is not Status.APPROVED and not warnings:
        warnings += _model_warnings(judgement.verdict.reasons, score, overrides)
        warnings += [{"code": r, "message": explanation([r], overrides), "spans": []}
                     for r in judgement.verdict.reasons if r.startswith(LANGUAGE_PREFIX)]
    if judgement.hold:
        warnings.append({"code": judgement.hold, "message": HOLD_MESSAGES[judgement.hold],
                         "spans": []})
    outcome = {Status.APPROVED: "approved", Status.REJECTED: "rejected"}.get(
        judgement.verdict.status, "held")
    return CheckResult(ok=content is Status.APPROVED and not errors, outcome=outcome,
                       warnings=warnings, errors=errors)


def _model_warnings(
    reasons: Sequence[str], score: Score, overrides: Any
) -> list[dict[str, Any]]:
    """One warning per axis over its line, named by its most specific reason, with its spans."""
    warnings = []
    for axis in AXES:
        if not any(r in (f"{axis}:above_flag", f"{axis}:above_reject") for r in reasons):
            continue
        specific = [r for r in score.reasons if r.startswith(f"{axis}:")]
        code = specific[0] if specific else f"{axis}:above_flag"
        spans = [{"begin": s.begin, "end": s.end} for s in score.spans if s.axis == axis]
        warnings.append({"code": code, "message": explanation([code, axis], overrides),
                         "spans": spans})
    return warnings


def count_check(client: redis.Redis, site_slug: str, warned: bool) -> None:
    """Count a pre-check (and a warning) for the dashboard; never fails the check."""
    key = redis_keys.nudges(site_slug, utcnow().date().isoformat())
    try:
        pipe = client.pipeline(transaction=False)
        pipe.hincrby(key, "checks", 1)
        if warned:
            pipe.hincrby(key, "warned", 1)
        pipe.expire(key, int(timedelta(days=NUDGE_DAYS_KEPT).total_seconds()))
        pipe.execute()
    except redis.RedisError as error:
        log.warning("pre-check counters unavailable: %s", error)


def nudge_counts(
    client: redis.Redis, site_slugs: Sequence[str], days: int
) -> dict[str, dict[str, int]]:
    """Per site, pre-checks and warnings over the last days ({} while Redis is away)."""
    today = utcnow().date()
    keys = [(slug, redis_keys.nudges(slug, (today - timedelta(days=d)).isoformat()))
            for slug in site_slugs for d in range(days)]
    try:
        pipe = client.pipeline(transaction=False)
        for _, key in keys:
            pipe.hgetall(key)
        found = pipe.execute()
    except redis.RedisError as error:
        log.warning("pre-check counters unavailable: %s", error)
        return {}
    totals: dict[str, dict[str, int]] = {}
    for (slug, _), counts in zip(keys, found, strict=True):
        entry = totals.setdefault(slug, {"checks": 0, "warned": 0})
        for name, value in counts.items():
            field_name = name.decode() if isinstance(name, bytes) else str(name)
            entry[field_name] = entry.get(field_name, 0) + int(value)
    return {slug: counts for slug, counts in totals.items() if counts["checks"]}
