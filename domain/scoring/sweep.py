"""The sweep: re-enqueue comments pending too long, re-publish results that never reached Redis."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from domain.infra.collaborators import Runtime
from domain.publishing.deliver import publish

log = logging.getLogger(__name__)

# Results the first attempt failed to publish wait this long before the sweep retries them,
# so the sweep never races a worker that is about to publish.
REPUBLISH_AFTER = timedelta(seconds=5)


@dataclass
class SweepReport:
    """What one sweep found and did."""

    requeued: list[str] = field(default_factory=list)
    republished: int = 0


def sweep(runtime: Runtime) -> SweepReport:
    """Re-enqueue comments pending too long and re-publish results that never reached Redis."""
    report = SweepReport()
    grace = timedelta(seconds=runtime.settings.pending_grace_seconds)
    stale = runtime.store.comments.claim_stale_pending(grace)
    if stale and runtime.queue.enqueue(stale):
        report.requeued = stale
    unpublished = runtime.store.comments.unpublished_decisions(REPUBLISH_AFTER)
    if unpublished and publish(unpublished, runtime):
        report.republished = len(unpublished)
    if report.requeued or report.republished:
        log.info("sweep re-enqueued %d, re-published %d", len(report.requeued), report.republished)
    return report
