"""Statements of reasons (DSA art. 17): what every rejection tells its author, in plain words.

A statement is computed once, when the rejection is recorded, and stored with the decision, so
the author, the site and the audit read the same text even after a site edits its templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from domain.records import Comment
from domain.vocabulary import DecidedBy, Status

if TYPE_CHECKING:  # the scoring path imports this module; the store is only a type here
    from domain.store import Store

# One plain sentence per reason code (or per prefix before ':'); a site overrides any of them
# in its policy under "explanations". Codes without a sentence fall back to DEFAULT.
EXPLANATIONS = {
    "spam": "The comment looks like spam: advertising, links to other sites or repeated "
    "messages, which the site's rules for comments do not allow.",
    "toxicity": "The comment contains insults, abuse or hateful language, which the site's "
    "rules for comments do not allow.",
    "spam:off-topic": "The comment is unrelated to the article it was posted under.",
    "rule:blocked_author": "Comments from this author are no longer accepted on this site "
    "because of earlier comments that broke its rules.",
    "rule": "The comment matched a rule the site set for comments it does not accept.",
    "language:unsupported": "The site cannot check comments in this language automatically: "
    "a moderator reads them before they appear, or the site does not take them.",
    "language:not_accepted": "The site does not take comments in this language.",
    "trap": "The comment was sent in a way only automated senders use.",
    "reports": "Readers reported the comment and a moderator found that it breaks the site's "
    "rules.",
    "reports:illegal": "Readers reported the comment as illegal and a moderator agreed that it "
    "is illegal content.",
    "moderator:spam": "A moderator found the comment to be spam.",
    "moderator:toxic": "A moderator found the comment insulting or abusive.",
    "moderator:off_topic": "A moderator found the comment unrelated to the article.",
    "moderator:illegal": "A moderator found the comment to be illegal content.",
}
DEFAULT = "The comment breaks the site's rules for comments."
DEFAULT_REDRESS = (
    "You can appeal this decision through the site where you posted the comment; a person "
    "who did not make the decision will review it."
)
# Scoring details that say nothing to an author (the line crossed) are left out of the text.
SILENT_SUFFIXES = (":above_reject", ":above_flag")


def explanation(reasons: Iterable[str], overrides: Mapping[str, str] | None = None) -> str:
    """Plain sentences for reason codes: each code's own template, else its prefix's."""
    templates = {**EXPLANATIONS, **(overrides or {})}
    sentences: list[str] = []
    for code in reasons:
        text = templates.get(code) or templates.get(code.split(":", 1)[0])
        if text and text not in sentences:
            sentences.append(text)
    return " ".join(sentences) or templates.get("default", DEFAULT)


def author_reasons(reasons: Iterable[str]) -> list[str]:
    """The codes that mean something to an author, most specific first."""
    codes = list(dict.fromkeys(reasons))
    specific = [c for c in codes if not c.endswith(SILENT_SUFFIXES)]
    # 'spam:above_reject' alone still says "spam": keep the axis when nothing else does.
    axes = [c.split(":", 1)[0] for c in codes if c.endswith(SILENT_SUFFIXES)]
    covered = {c.split(":", 1)[0] for c in specific}
    return specific + [a for a in dict.fromkeys(axes) if a not in covered]


def statement(
    policy: Mapping[str, Any],
    decided_by: DecidedBy,
    reasons: Iterable[str],
    legal_grounds: str | None = None,
) -> dict[str, Any]:
    """The statement of reasons of one rejection, ready to store and publish."""
    codes = author_reasons(reasons)
    illegal = legal_grounds is not None or any(c.endswith(":illegal") for c in codes)
    return {
        "ground": "illegal" if illegal else "terms",
        "legal_grounds": (legal_grounds or None) if illegal else None,
        "explanation": explanation(codes, policy.get("explanations")),
        "automated": decided_by is not DecidedBy.MODERATOR,
        "redress": str(policy.get("redress") or policy.get("appeal_url") or DEFAULT_REDRESS),
    }


def moderator_reasons(reason: str | None, report_reasons: Iterable[str]) -> list[str]:
    """The codes behind a moderator's rejection: their reason, then what readers reported."""
    codes = [f"moderator:{reason}"] if reason and reason != "other" else []
    return codes + [f"reports:{r}" for r in dict.fromkeys(report_reasons)]


def rejection_statements(
    store: Store,
    comments: Mapping[str, Comment],
    comment_ids: Iterable[str],
    new_status: Status,
    reason: str | None,
) -> dict[str, dict[str, Any]]:
    """The statements of a moderator's rejections, with what readers reported and the legal
    grounds they gave; {} for anything but a rejection."""
    ids = [cid for cid in comment_ids if cid in comments]
    if new_status is not Status.REJECTED or not ids:
        return {}
    reported = store.reader_reports.open_reasons(ids)
    sites = store.sites.cached_by_id()
    found = {}
    for cid in ids:
        site = sites.get(comments[cid].site_id)
        report_reasons, grounds = reported.get(cid, ([], None))
        codes = moderator_reasons(reason, report_reasons)
        found[cid] = statement(site.policy if site else {}, DecidedBy.MODERATOR, codes, grounds)
    return found
