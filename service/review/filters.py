"""Reading the queue's and the audit log's filters from a query string (pages and API alike)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta

from domain.store.review.listing import SORTS, STATUS_FILTERS, QueueFilter
from domain.store.review.reports import AuditFilter

MAX_PER_PAGE = 100
WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")  # ASCII digits, short enough for int() to take
Errors = dict[str, list[str]]


def _day(args: Mapping[str, str], name: str, errors: Errors, end: bool = False) -> datetime | None:
    """A YYYY-MM-DD date as the UTC midnight that starts it (or, for an end, the day after)."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = ["Use a date like 2025-01-31"]
        return None
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if end and day == date.max:
        return None  # "up to the last day there is" bounds nothing (and the day after overflows)
    return start + timedelta(days=1) if end else start


def _score(args: Mapping[str, str], name: str, errors: Errors) -> float | None:
    """A score bound between 0 and 1."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        errors[name] = ["Use a number between 0 and 1"]
        return None
    return value


def _int(args: Mapping[str, str], name: str, default: int, top: int, errors: Errors) -> int:
    """A whole number between 1 and `top`."""
    text = (args.get(name) or "").strip()
    if not text:
        return default
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if not WHOLE_NUMBER.fullmatch(text) or not 1 <= int(text) <= top:
        errors[name] = [f"Use a whole number between 1 and {top}"]
        return default
    return int(text)


def _text(args: Mapping[str, str], name: str, limit: int = 254) -> str | None:
    """A trimmed, bounded text filter, or None when empty."""
    return (args.get(name) or "").strip()[:limit] or None


def queue_filter(args: Mapping[str, str], per_page: int = 25) -> tuple[QueueFilter, Errors]:
    """The queue filter the arguments ask for; bad fields fall back to defaults and are listed."""
    errors: Errors = {}
    status = args.get("status") or "flagged"
    if status not in STATUS_FILTERS:
        errors["status"] = [f"Status must be one of {', '.join(STATUS_FILTERS)}"]
        status = "flagged"
    sort = args.get("sort") or "oldest"
    if sort not in SORTS:
        errors["sort"] = [f"Sort must be one of {', '.join(SORTS)}"]
        sort = "oldest"
    wanted = QueueFilter(
        status=status,
        sort=sort,
        site=_text(args, "site", 64),
        article_id=_text(args, "article_id", 200),
        language=(_text(args, "language", 8) or "").lower() or None,
        created_from=_day(args, "from", errors),
        created_to=_day(args, "to", errors, end=True),
        score_min=_score(args, "score_min", errors),
        score_max=_score(args, "score_max", errors),
        search=_text(args, "q", 200),
        section=_text(args, "section", 64),
        group="article" if args.get("group") == "article" else None,
        page=_int(args, "page", 1, 1_000_000, errors),
        per_page=_int(args, "per_page", per_page, MAX_PER_PAGE, errors),
    )
    return wanted, errors


def audit_filter(args: Mapping[str, str]) -> tuple[AuditFilter, Errors]:
    """The audit log filter the arguments ask for."""
    errors: Errors = {}
    status = _text(args, "status", 16)
    if status and status not in ("pending", "approved", "rejected", "flagged"):
        errors["status"] = ["Unknown status"]
        status = None
    decided_by = _text(args, "decided_by", 16)
    if decided_by and decided_by not in ("model", "rule", "moderator"):
        errors["decided_by"] = ["Unknown decider"]
        decided_by = None
    wanted = AuditFilter(
        user_email=_text(args, "moderator"),
        site=_text(args, "site", 64),
        status=status,
        comment_id=_text(args, "comment_id", 64),
        decided_by=decided_by,
        created_from=_day(args, "from", errors),
        created_to=_day(args, "to", errors, end=True),
        page=_int(args, "page", 1, 1_000_000, errors),
    )
    return wanted, errors
