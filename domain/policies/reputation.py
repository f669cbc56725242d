"""Authors' reputation on a site, from what became of their comments in a window.

Trusted authors (by default 10 approved and none rejected in 90 days) are approved when the
model would only flag them; authors whose rejection rate crosses the site's line are held.
Sites opt in with a ``reputation`` object in their policy (README "Newsroom policies").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.store.policies import AuthorHistory

TRUSTED = "rule:trusted_author"


class Standing(StrEnum):
    """Where an author stands on a site."""

    NEW = "new"  # too little history to judge
    ORDINARY = "ordinary"
    TRUSTED = "trusted"
    RISKY = "risky"  # rejected too often: held for a moderator


@dataclass(frozen=True)
class ReputationPolicy:
    """A site's lines for trust and for holding; the defaults are the issue's example."""

    enabled: bool = False
    window_days: float = 90.0
    trusted_min_approved: int = 10
    trusted_max_rejected: int = 0
    risky_rejection_rate: float = 0.5
    risky_min_decided: int = 4

    @classmethod
    def of(cls, policy: Mapping[str, Any]) -> ReputationPolicy:
        """Read a policy's ``reputation`` object; unusable values keep their default."""
        raw = policy.get("reputation")
        if not isinstance(raw, Mapping):
            return cls()
        values: dict[str, Any] = {"enabled": bool(raw.get("enabled", True))}
        for name, kind in (("window_days", float), ("trusted_min_approved", int),
                           ("trusted_max_rejected", int), ("risky_rejection_rate", float),
                           ("risky_min_decided", int)):
            try:
                if name in raw:
                    values[name] = kind(raw[name])
            except (TypeError, ValueError):
                continue
        return cls(**values)


def standing(history: AuthorHistory, lines: ReputationPolicy) -> Standing:
    """Classify an author by their approved and rejected comments in the window."""
    decided = history.approved + history.rejected
    if (history.approved >= lines.trusted_min_approved
            and history.rejected <= lines.trusted_max_rejected):
        return Standing.TRUSTED
    if decided >= lines.risky_min_decided and rejection_rate(history) >= lines.risky_rejection_rate:
        return Standing.RISKY
    if decided < lines.risky_min_decided:
        return Standing.NEW
    return Standing.ORDINARY


def rejection_rate(history: AuthorHistory) -> float:
    """Rejected among approved and rejected comments (0 without any)."""
    decided = history.approved + history.rejected
    return history.rejected / decided if decided else 0.0
