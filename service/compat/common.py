"""What the compatibility endpoints share: one text scored for a site, stored like any comment.

Every stored comment goes through intake's admission (rate limits, duplicates) and the workers'
``Scorer``; the only difference from `POST /api/v1/comments` is that the caller waits, so the
comment is scored in this process at once (``score_now``) instead of being enqueued.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from classifier import Score
from domain.intake.accept import admit_and_store
from domain.intake.admission import AbuseGuard, Admission, RateLimited
from domain.intake.validate import validate_submission
from domain.publishing.deliver import Publishing
from domain.records import Site, Submission
from domain.scoring.assess import Scorer
from domain.scoring.score import score_now
from domain.store import Store
from domain.vocabulary import AXES, Status

log = logging.getLogger(__name__)

# `.example` is reserved (RFC 2606), so these never reach a real mailbox, yet email-validator
# accepts them; `.invalid` it refuses as special-use.
PLACEHOLDER_DOMAIN = "invalid.example"


def placeholder_email(local_part: str) -> str:
    """An address for callers that send none (Perspective) or an unusable one."""
    return f"{local_part}@{PLACEHOLDER_DOMAIN}"


@dataclass(frozen=True)
class Checked:
    """The answer for one text: scores and the site's verdict, or the rate limit that refused it.

    ``comment_id`` is the stored comment (or, for a duplicate, the original one); a text
    refused by a rate limit was neither scored nor stored (``score`` None).
    """

    status: Status
    score: Score | None = None
    reasons: list[str] = field(default_factory=list)
    comment_id: str | None = None
    limited: RateLimited | None = None

    def axes_above(self, level: str) -> list[str]:
        """The axes (`spam`, `toxicity`) whose score reached the site's `flag` or `reject` line."""
        return [axis for axis in AXES if f"{axis}:above_{level}" in self.reasons]


@dataclass(frozen=True)
class Recorder:
    """What recording a caller's comment needs: intake's admission (rate limits, duplicates),
    the store, the scorer, and publishing for its verdict."""

    abuse: AbuseGuard
    store: Store
    scorer: Scorer
    publishing: Publishing


def assess(site: Site, text: str, scorer: Scorer) -> Checked:
    """Score a text in this process and decide as the site's policy would; nothing is stored."""
    assessment = scorer.assess_text(text, site.policy)
    return Checked(assessment.verdict.status, assessment.score, assessment.reasons)


def record(
    site: Site, fields: Mapping[str, object], recorder: Recorder, fallback_email: str
) -> Checked:
    """Admit, store, score and publish a comment as intake would, or only score one the store
    refuses. ``fallback_email`` is the placeholder this caller uses for an author without an
    address: such comments count against the IP and site limits only."""
    store, scorer = recorder.store, recorder.scorer
    submission = _submission(site, fields, fallback_email)
    if submission is None:
        return assess(site, str(fields.get("comment") or ""), scorer)
    accepted = admit_and_store(
        site,
        submission,
        recorder.abuse,
        lambda comment_id: store.comments.add(site, submission, comment_id),
        anonymous=submission.email == fallback_email,
    )
    if accepted.comment is None:
        return _refused(site, submission.comment, accepted.admission, store, scorer)
    assessment = score_now(accepted.comment, store, scorer, recorder.publishing)
    if assessment is None:  # a worker decided it first (the sweep): answer its verdict
        return _answered_by(site, submission.comment, accepted.comment.id, store, scorer)
    return Checked(
        assessment.verdict.status, assessment.score, assessment.reasons, accepted.comment.id
    )


def _submission(
    site: Site, fields: Mapping[str, object], fallback_email: str
) -> Submission | None:
    """The fields as a submission intake would accept, or None if the store cannot keep them."""
    cleaned = dict(fields)
    result = validate_submission(cleaned)
    # A bad optional field (an IP that is not one, an odd email) is dropped, not fatal: these
    # clients never promised our form's rules.
    fixable = set(result.errors) - {"article_id", "sender_name", "comment"}
    if fixable:
        for name in fixable:
            cleaned.pop(name, None)
        cleaned.setdefault("email", fallback_email)
        result = validate_submission(cleaned)
    if result.submission is None:
        # The store keeps only comments that pass the form's rules (at most 500 characters,
        # not empty); the rest are scored and answered. Log which rules failed, never the text.
        log.info("compat comment for %s not stored: %s", site.slug, sorted(result.errors))
    return result.submission


def _refused(
    site: Site, text: str, admission: Admission, store: Store, scorer: Scorer
) -> Checked:
    """A rate-limited text is held unscored; a duplicate gets its original's verdict."""
    if admission.limited is not None:
        scope = admission.limited.scope
        return Checked(Status.FLAGGED, reasons=[f"rate_limited:{scope}"], limited=admission.limited)
    return _answered_by(site, text, admission.duplicate_of or "", store, scorer)


def _answered_by(
    site: Site, text: str, comment_id: str, store: Store, scorer: Scorer
) -> Checked:
    """The verdict already recorded for a stored comment, with the text's scores (not stored)."""
    scored = assess(site, text, scorer)
    original = store.comments.get(comment_id, site_id=site.id)
    if original is None or original.status is Status.PENDING:
        return Checked(scored.status, scored.score, scored.reasons, comment_id)
    return Checked(original.status, scored.score, list(original.reasons), comment_id)


def truncate(value: object, limit: int) -> str | None:
    """A string field cut to the column's limit; None for anything empty or not a string."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]
