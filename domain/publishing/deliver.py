"""Publishing recorded decisions: the site's stream and channel, then its webhooks."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import redis

from domain.infra.collaborators import Runtime
from domain.infra.metrics import metrics
from domain.publishing import webhooks
from domain.records import Decision

log = logging.getLogger(__name__)


def publish(decisions: Sequence[Decision], runtime: Runtime) -> bool:
    """Publish decisions and mark them published; on a Redis error leave them to the sweep."""
    if not decisions:
        return True
    published = deliver(decisions, runtime)
    runtime.store.comments.mark_published(published)
    return len(published) == len(decisions)


def deliver(decisions: Sequence[Decision], runtime: Runtime) -> list[int]:
    """Publish decisions to the sites' streams and queue their webhooks, without marking them.

    Returns the ids now published ([] on a Redis error: the sweep retries them later).
    """
    if not decisions:
        return []
    try:
        published = runtime.publisher.publish(decisions)
    except redis.RedisError as error:
        log.warning(
            "publishing %d result(s) failed, the sweep will retry: %s", len(decisions), error
        )
        return []
    webhooks.hand_over(decisions, runtime)
    count_decisions(decisions)
    return published


def count_decisions(decisions: Sequence[Decision]) -> None:
    """Count published decisions by status, who decided, model version and site."""
    counter = metrics().decisions
    for d in decisions:
        counter.labels(status=d.new_status.value, decided_by=d.decided_by.value,
                       model_version=d.model_version or "", site=d.site_slug).inc()
