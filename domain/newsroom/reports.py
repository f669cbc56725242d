"""Readers' reports (DSA art. 16 notices): validate, store, count, and flag when enough."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from domain.publishing.deliver import Publishing, publish
from domain.records import Decision, Site, utcnow
from domain.store import Store
from domain.vocabulary import Status

REPORT_REASONS = ("spam", "abuse", "off_topic", "illegal", "other")
DEFAULT_THRESHOLD = 3  # readers (one report each) that flag an approved comment
ILLEGAL_THRESHOLD = 1  # a notice of illegal content goes to a moderator at once
DEFAULT_REPORTS_PER_HOUR = 30  # per reporter and site; more is flooding
MAX_REPORTER, MAX_TEXT = 200, 2000


class ReportRejected(Exception):
    """A report is refused: not found, invalid, or rate limited."""


@dataclass(frozen=True)
class Notice:
    """A valid report, ready to store."""

    reason: str
    reporter: str
    message: str | None
    legal_grounds: str | None


def validate_report(body: Mapping[str, object]) -> tuple[Notice | None, dict[str, list[str]]]:
    """Check a report's fields; returns the notice or every problem per field."""
    errors: dict[str, list[str]] = {}
    reason = body.get("reason")
    if reason not in REPORT_REASONS:
        errors["reason"] = [f"Reason must be one of {', '.join(REPORT_REASONS)}"]
    reporter = body.get("reporter")
    if isinstance(reporter, int) and not isinstance(reporter, bool):
        reporter = str(reporter)
    if not isinstance(reporter, str) or not reporter.strip():
        errors["reporter"] = ["Reporter is required (your site's id for the reader)"]
    elif len(reporter.strip()) > MAX_REPORTER:
        errors["reporter"] = [f"Reporter must be at most {MAX_REPORTER} characters"]
    texts = {name: _text(body.get(name), name, errors) for name in ("message", "legal_grounds")}
    if errors:
        return None, errors
    assert isinstance(reason, str) and isinstance(reporter, str)
    return Notice(reason, reporter.strip(), texts["message"], texts["legal_grounds"]), {}


def _text(value: object, name: str, errors: dict[str, list[str]]) -> str | None:
    """An optional bounded text field."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        errors[name] = [f"{name.replace('_', ' ').capitalize()} must be text"]
        return None
    if len(value) > MAX_TEXT:
        errors[name] = [
            f"{name.replace('_', ' ').capitalize()} must be at most {MAX_TEXT} characters"
        ]
        return None
    return value.strip() or None


def thresholds(policy: Mapping[str, Any]) -> tuple[int, int, int]:
    """A site's (report threshold, illegal threshold, reports per reporter per hour)."""

    def whole(name: str, default: int) -> int:
        value = policy.get(name)
        return value if isinstance(value, int) and value >= 1 else default

    return (
        whole("report_threshold", DEFAULT_THRESHOLD),
        whole("illegal_report_threshold", ILLEGAL_THRESHOLD),
        whole("reports_per_hour", DEFAULT_REPORTS_PER_HOUR),
    )


def file_report(
    store: Store, publishing: Publishing, site: Site, comment_id: str, notice: Notice
) -> int:
    """Store a reader's report and flag the comment if enough readers reported it.

    Returns how many readers reported the comment. Raises ReportRejected('rate_limited') when
    this reporter floods the site; the refusal is counted for moderators to see.
    """
    *_, per_hour = thresholds(site.policy)
    since = utcnow() - timedelta(hours=1)
    if store.reader_reports.recent_by_reporter(site.id, notice.reporter, since) >= per_hour:
        store.reader_reports.refuse(site.id, notice.reporter)
        raise ReportRejected("rate_limited")
    store.reader_reports.add(
        site.id, comment_id, notice.reporter, notice.reason, notice.message, notice.legal_grounds
    )
    apply_reports(store, publishing, [comment_id])
    return store.reader_reports.count(comment_id)


def apply_reports(
    store: Store, publishing: Publishing, comment_ids: Sequence[str]
) -> list[Decision]:
    """Flag the approved comments among these whose counting reports reach the threshold.

    Idempotent: a comment already flagged, rejected or still pending is left alone (a
    pending one is evaluated again once the worker approves it).
    """
    reported = store.reader_reports.with_reports(comment_ids)
    if not reported:
        return []
    approved = [
        c for c in store.moderation.comments(reported, None) if c.status is Status.APPROVED
    ]
    counting = store.reader_reports.counting([c.id for c in approved])
    sites = store.sites.cached_by_id()
    flagged = []
    for comment in approved:
        site = sites.get(comment.site_id) or store.sites.by_id(comment.site_id)
        codes = codes_to_flag(counting.get(comment.id, Counter()), site.policy if site else {})
        decision = store.reader_reports.flag(comment.id, codes) if codes else None
        if decision is not None:
            flagged.append(decision)
    publish(flagged, publishing)
    return flagged


def codes_to_flag(reasons: Counter[str], policy: Mapping[str, Any]) -> list[str]:
    """The `reports:<reason>` codes to flag with, or [] while below the thresholds."""
    threshold, illegal_threshold, _ = thresholds(policy)
    if reasons["illegal"] < illegal_threshold and sum(reasons.values()) < threshold:
        return []
    ordered = sorted(reasons, key=lambda r: (r != "illegal", -reasons[r], r))
    return [f"reports:{reason}" for reason in ordered if reasons[reason]]
