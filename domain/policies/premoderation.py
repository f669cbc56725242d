"""Pre-moderation per site and per section, and each section's own policy.

A site's policy may carry ``sections: {"politics": {...}}``; a section's keys replace the
site's (``thresholds`` per axis and line), so a section differs only where it says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from domain.policies.reputation import Standing
from domain.store.policies import AuthorHistory

DEFAULT_NEW_AUTHOR_COMMENTS = 3

FIRST_COMMENT = "rule:first_comment"  # a new author's first comments are held
PREMODERATED = "rule:premoderation"  # the site or section holds every comment
REPUTATION = "rule:reputation"  # the author's rejections crossed the site's line


class Mode(StrEnum):
    """Which comments a site or section holds for a moderator before they appear."""

    NONE = "none"
    NEW_AUTHORS = "new_authors"
    ALL = "all"


def section_policy(site_policy: Mapping[str, Any], section: str | None) -> Mapping[str, Any]:
    """The policy that applies to a comment: the section's settings over the site's."""
    sections = site_policy.get("sections")
    override = sections.get(section) if section and isinstance(sections, Mapping) else None
    if not isinstance(override, Mapping) or not override:
        return site_policy
    merged = {**site_policy, **{k: v for k, v in override.items() if k != "thresholds"}}
    if isinstance(override.get("thresholds"), Mapping):
        site_lines = site_policy.get("thresholds") or {}
        merged["thresholds"] = {
            axis: {**(site_lines.get(axis) or {}), **(override["thresholds"].get(axis) or {})}
            for axis in {*site_lines, *override["thresholds"]}
        }
    return merged


def mode(policy: Mapping[str, Any]) -> Mode:
    """The pre-moderation mode of a (section's) policy; anything unknown means none."""
    try:
        return Mode(str(policy.get("premoderation") or Mode.NONE.value))
    except ValueError:
        return Mode.NONE


def new_author_comments(policy: Mapping[str, Any]) -> int:
    """How many of an author's first comments `new_authors` holds."""
    try:
        return max(0, int(policy.get("new_author_comments", DEFAULT_NEW_AUTHOR_COMMENTS)))
    except (TypeError, ValueError):
        return DEFAULT_NEW_AUTHOR_COMMENTS


def needs_history(policy: Mapping[str, Any]) -> bool:
    """Whether deciding under this policy reads the author's history."""
    return mode(policy) is Mode.NEW_AUTHORS or isinstance(policy.get("reputation"), Mapping)


def hold_reason(
    policy: Mapping[str, Any], history: AuthorHistory, standing: Standing | None
) -> str | None:
    """Why this comment waits for a moderator whatever it says, or None."""
    held = mode(policy)
    if held is Mode.ALL:
        return PREMODERATED
    if held is Mode.NEW_AUTHORS and history.decided < new_author_comments(policy):
        return FIRST_COMMENT
    if standing is Standing.RISKY:
        return REPUTATION
    return None
