"""Retention: each site keeps decided comments only as long as its policy says.

Policy keys: `retention_days` (decided comments are anonymised after it) and
`rejected_text_days` (the texts of rejected comments go sooner: Coral Talk's users asked for
exactly that). Labels made from a purged comment lose their text too, unless the site's policy
says `labels_outlive_comments: true`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from domain.records import utcnow
from domain.store import Store

BATCH_SIZE = 500


@dataclass(frozen=True)
class RetentionPolicy:
    """How long a site keeps what."""

    retention_days: int | None
    rejected_text_days: int | None
    labels_outlive_comments: bool


def retention_policy(policy: Mapping[str, Any]) -> RetentionPolicy:
    """Read a site's retention settings; anything malformed means 'keep'."""

    def days(name: str) -> int | None:
        value = policy.get(name)
        return (
            value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else None
        )

    retention = days("retention_days")
    rejected = days("rejected_text_days")
    if retention is not None and (rejected is None or rejected > retention):
        rejected = retention  # rejected texts never outlive the rest
    return RetentionPolicy(retention, rejected, bool(policy.get("labels_outlive_comments")))


def apply_retention(store: Store, now: datetime | None = None) -> dict[str, dict[str, int]]:
    """Purge what every site's policy no longer allows to keep; returns counts per site."""
    now = now or utcnow()
    report: dict[str, dict[str, int]] = {}
    for site in store.sites.all():
        wanted = retention_policy(site.policy)
        authors = store.authors
        keep = wanted.labels_outlive_comments
        counts = {"rejected_texts": 0, "anonymised": 0}
        # Rejected texts first: they are the ones sites least want to keep.
        if wanted.rejected_text_days is not None:
            cutoff = now - timedelta(days=wanted.rejected_text_days)
            step = partial(authors.purge_rejected_texts, site.id, cutoff, keep, BATCH_SIZE)
            counts["rejected_texts"] = _drain(step)
        if wanted.retention_days is not None:
            cutoff = now - timedelta(days=wanted.retention_days)
            step = partial(authors.anonymise_decided, site.id, cutoff, keep, BATCH_SIZE)
            counts["anonymised"] = _drain(step)
        if any(counts.values()):
            report[site.slug] = counts
    return report


def _drain(step: Callable[[], int]) -> int:
    """Run a batch step until it finds nothing more; the total it did."""
    total = 0
    while done := step():
        total += done
    return total
