"""Small display helpers for the templates."""

from __future__ import annotations

from datetime import datetime

from domain.records import utcnow


def age(moment: datetime | None) -> str:
    """How long ago a moment was, in the largest sensible unit ('3 min', '2 h', '5 d')."""
    if moment is None:
        return ""
    seconds = max(0, int((utcnow() - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def percent(value: float | None) -> str:
    """A share as a whole percentage, or a dash when unknown."""
    return "–" if value is None else f"{value * 100:.0f}%"
