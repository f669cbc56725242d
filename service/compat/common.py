"""What the compatibility endpoints share: scoring a text for a site, with or without storing it."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from classifier import ModelBundle, Score
from domain.infra.collaborators import Runtime
from domain.intake.validate import validate_submission
from domain.records import Site
from domain.scoring.decide import model_verdict
from domain.scoring.score import score_now
from domain.vocabulary import AXES, Status

log = logging.getLogger(__name__)

# `.example` is reserved (RFC 2606), so these never reach a real mailbox, yet email-validator
# accepts them; `.invalid` it refuses as special-use.
PLACEHOLDER_DOMAIN = "invalid.example"


def placeholder_email(local_part: str) -> str:
    """An address for callers that send none (Perspective) or an unusable one."""
    return f"{local_part}@{PLACEHOLDER_DOMAIN}"


@dataclass(frozen=True)
class Assessment:
    """A text's scores and the site's verdict, with the stored comment's id when it was kept."""

    score: Score
    status: Status
    reasons: list[str] = field(default_factory=list)
    comment_id: str | None = None

    @property
    def stored(self) -> bool:
        """Whether the comment and its verdict were recorded."""
        return self.comment_id is not None

    def axes_above(self, level: str) -> list[str]:
        """The axes (`spam`, `toxicity`) whose score reached the site's `flag` or `reject` line."""
        return [axis for axis in AXES if f"{axis}:above_{level}" in self.reasons]


def assess(
    site: Site, text: str, runtime: Runtime, bundle: ModelBundle | None = None
) -> Assessment:
    """Score a text in this process and decide as the site's policy would; nothing is stored."""
    bundle = bundle or runtime.models.current()
    [score] = bundle.score([text])
    verdict = model_verdict(site.policy, score, bundle)
    reasons = list(dict.fromkeys([*score.reasons, *verdict.reasons]))
    return Assessment(score=score, status=verdict.status, reasons=reasons)


def record(
    site: Site, fields: Mapping[str, object], runtime: Runtime, fallback_email: str
) -> Assessment:
    """Store, score and publish a comment as intake would, or only score one the store refuses."""
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
        return assess(site, str(fields.get("comment") or ""), runtime)
    comment, score = score_now(site, result.submission, runtime)
    return Assessment(
        score=score, status=comment.status, reasons=list(comment.reasons), comment_id=comment.id
    )


def truncate(value: object, limit: int) -> str | None:
    """A string field cut to the column's limit; None for anything empty or not a string."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]
