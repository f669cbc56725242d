"""What the review pages say about policy reasons: a sentence per code, naming the rule."""

from __future__ import annotations

import re

from flask import g

from domain.policies import premoderation
from domain.policies.reputation import TRUSTED
from service.context import current_runtime

EXPLAIN = {
    premoderation.FIRST_COMMENT: "Held: one of this author's first comments on the site "
    "(pre-moderation of new authors).",
    premoderation.PREMODERATED: "Held: the site or this section reviews every comment before "
    "it appears.",
    premoderation.REPUTATION: "Held: too many of this author's recent comments were rejected.",
    TRUSTED: "Approved although the model would have flagged it: a trusted author (many "
    "approved comments, none rejected, in the reputation window).",
    "rule:blocked_author": "Rejected: the author is blocked on this site.",
    "rule:honeypot": "Rejected: the form's hidden trap field was filled (a bot).",
    "rule:filled_too_fast": "Rejected: the form was sent faster than a person types.",
}
RULE_REASON = re.compile(r"^rule:(\d{1,12})$")


def explain(reason: str) -> str:
    """A moderator-facing sentence for a policy reason code ('' for other codes)."""
    if reason in EXPLAIN:
        return EXPLAIN[reason]
    match = RULE_REASON.match(reason)
    if not match:
        return ""
    rules = g.setdefault("rules_by_id", {})
    rule_id = int(match.group(1))
    if rule_id not in rules:
        rules.update(current_runtime().store.rules.by_ids([rule_id]))
        rules.setdefault(rule_id, None)
    rule = rules[rule_id]
    return rule.describe() + (f" ({rule.note})" if rule.note else "") if rule else (
        f"Rule {rule_id} (since removed)")
