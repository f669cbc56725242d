"""Coral's DSA rejection reasons (`moderationAction.rejectionReason`) for our rejections.

Coral (server/src/core/server/services/comments/pipeline/phases/external.ts) accepts
`moderationAction: {status, rejectionReason: {code, legalGrounds, detailedExplanation,
customReason}}` from an external phase; with DSA features on, a rejection without a code is
recorded as OTHER. We always name the code, and explain it with our statement of reasons.
"""

from __future__ import annotations

from typing import Any

from classifier import Score
from domain.newsroom.statements import statement
from domain.records import Site
from domain.vocabulary import DecidedBy

# The codes Coral's GQLREJECTION_REASON_CODE enum allows.
CODES = (
    "OFFENSIVE", "ABUSIVE", "SPAM", "BANNED_WORD", "AD", "ILLEGAL_CONTENT",
    "HARASSMENT_BULLYING", "MISINFORMATION", "HATE_SPEECH", "IRRELEVANT_CONTENT", "OTHER",
)  # fmt: skip
HATEFUL = 0.5  # the hate_speech head's probability from which an abusive comment is hate speech
BLOCKED_AUTHOR = "rule:blocked_author"


def code(reasons: list[str], score: Score | None) -> str:
    """The Coral code that best names why we rejected: rules first, then what the model saw."""
    if BLOCKED_AUTHOR in reasons:
        return "OTHER"
    if any(r.startswith("rule:") for r in reasons):
        return "BANNED_WORD"
    if any(r.endswith(":illegal") for r in reasons):
        return "ILLEGAL_CONTENT"
    if "toxicity:above_reject" in reasons:
        hateful = score is not None and score.attributes.get("hate_speech", 0) >= HATEFUL
        return "HATE_SPEECH" if hateful else "ABUSIVE"
    if "spam:off-topic" in reasons:
        return "IRRELEVANT_CONTENT"
    if "spam:above_reject" in reasons or "trap" in reasons:
        return "SPAM"
    return "OTHER"


def rejection_reason(site: Site, reasons: list[str], score: Score | None) -> dict[str, Any]:
    """`rejectionReason` for Coral: the code, our statement's explanation and legal grounds."""
    by_rule = any(r.startswith("rule:") for r in reasons)
    said = statement(site.policy, DecidedBy.RULE if by_rule else DecidedBy.MODEL, reasons)
    reason: dict[str, Any] = {"code": code(reasons, score)}
    reason["detailedExplanation"] = said["explanation"]
    if said["legal_grounds"]:
        reason["legalGrounds"] = said["legal_grounds"]
    if reason["code"] == "OTHER":
        reason["customReason"] = (
            "Comments from this author are no longer accepted."
            if BLOCKED_AUTHOR in reasons
            else "Rejected by the site's moderation policy."
        )
    return reason
