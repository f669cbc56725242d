"""Publishing recorded decisions: the site's stream and channel, then its webhooks."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from domain.infra.metrics import metrics
from domain.publishing import webhooks
from domain.publishing.publisher import Publisher
from domain.records import Decision
from domain.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Publishing:
    """What publishing recorded decisions needs: the publisher that writes the sites' streams,
    the Redis client whose list the webhook deliveries wait on, and the store that notes them
    published (and knows which sites have a webhook)."""

    store: Store
    publisher: Publisher
    redis: redis.Redis


def publish(decisions: Sequence[Decision], publishing: Publishing) -> bool:
    """Publish decisions and mark them published; on a Redis error leave them to the sweep."""
    if not decisions:
        return True
    published = deliver(decisions, publishing)
    publishing.store.comments.mark_published(published)
    return len(published) == len(decisions)


def deliver(decisions: Sequence[Decision], publishing: Publishing) -> list[int]:
    """Publish decisions to the sites' streams and queue their webhooks, without marking them.

    Returns the ids now published ([] on a Redis error: the sweep retries them later).
    """
    if not decisions:
        return []
    try:
        published = publishing.publisher.publish(decisions)
    except redis.RedisError as error:
        log.warning(
            "publishing %d result(s) failed, the sweep will retry: %s", len(decisions), error
        )
        return []
    webhooks.hand_over(decisions, publishing.store, publishing.redis)
    count_decisions(decisions)
    return published


def count_decisions(decisions: Sequence[Decision]) -> None:
    """Count published decisions by status, who decided, model version and site."""
    counter = metrics().decisions
    for d in decisions:
        counter.labels(status=d.new_status.value, decided_by=d.decided_by.value,
                       model_version=d.model_version or "", site=d.site_slug).inc()
