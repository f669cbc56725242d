"""The sweep: re-enqueue comments pending too long, re-publish results that never reached Redis."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from domain.intake.pending_queue import PendingQueue
from domain.publishing.deliver import Publishing, publish
from domain.store import Store

log = logging.getLogger(__name__)

# Results the first attempt failed to publish wait this long before the sweep retries them,
# so the sweep never races a worker that is about to publish.
REPUBLISH_AFTER = timedelta(seconds=5)


@dataclass
class SweepReport:
    """What one sweep found and did."""

    requeued: list[str] = field(default_factory=list)
    republished: int = 0


def sweep(
    store: Store, queue: PendingQueue, publishing: Publishing, pending_grace_seconds: float
) -> SweepReport:
    """Re-enqueue comments pending too long and re-publish results that never reached Redis."""
    report = SweepReport()
    stale = store.comments.claim_stale_pending(timedelta(seconds=pending_grace_seconds))
    if stale and queue.enqueue(stale):
        report.requeued = stale
    unpublished = store.comments.unpublished_decisions(REPUBLISH_AFTER)
    if unpublished and publish(unpublished, publishing):
        report.republished = len(unpublished)
    if report.requeued or report.republished:
        log.info("sweep re-enqueued %d, re-published %d", len(report.requeued), report.republished)
    return report
