"""Everything a process needs to do its work, built once from the settings.

``Runtime`` is the composition root: the web app (service/context.py), the workers
(workers/context.py), the CLI, the benchmarks and the tests build one per process and hand
each domain function the collaborators it uses. No module of ``domain/`` takes a Runtime.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from redis import Redis

from classifier.version_store import LANGUAGE_MODELS
from config import Settings
from domain.infra.model_stores import version_store
from domain.infra.redis_url import redis_client, resolve_redis_url
from domain.intake.admission import AbuseGuard
from domain.intake.pending_queue import PendingQueue
from domain.intake.site_keys import SiteKeys, announce_site_change
from domain.policies.inputs import RuleBook
from domain.publishing.deliver import Publishing
from domain.publishing.publisher import RedisPublisher
from domain.review.informative import Rankings
from domain.scoring.article_context import ArticleContexts
from domain.scoring.assess import Scorer
from domain.scoring.languages import LanguageModelsProvider
from domain.scoring.model_provider import ModelProvider
from domain.store import Store
from domain.store.engine import DEFAULT_POOL_SIZE


@dataclass
class Runtime:
    """The collaborators of the pipeline, created lazily so nothing connects at import."""

    settings: Settings
    _store: Store | None = field(default=None, repr=False)

    @cached_property
    def store(self) -> Store:
        """The database; a change to a site is announced through Redis (intake's key cache)."""
        store = self._store or Store(
            self.settings.effective_database_url,
            self.settings.database_busy_timeout_ms,
            # a web worker's threads each hold a connection while they serve a request
            pool_size=max(DEFAULT_POOL_SIZE, self.settings.effective_web_threads),
        )
        store.sites.on_change(announce_site_change(lambda: self.redis))
        return store

    @cached_property
    def redis(self) -> Redis:
        """A Redis client with short timeouts, so callers never hang while Redis is away."""
        timeout = self.settings.redis_timeout_seconds
        return redis_client(
            resolve_redis_url(self.settings),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            health_check_interval=30,
        )

    @cached_property
    def blocking_redis(self) -> Redis:
        """A Redis client for blocking reads (the batching consumer waits on BLPOP)."""
        return redis_client(
            resolve_redis_url(self.settings),
            socket_timeout=30,
            socket_connect_timeout=self.settings.redis_timeout_seconds,
            health_check_interval=30,
        )

    @cached_property
    def publisher(self) -> RedisPublisher:
        """Publishes decisions to the sites' streams and channels."""
        return RedisPublisher(
            self.redis,
            stream_maxlen=self.settings.results_stream_maxlen,
            guard_ttl_seconds=self.settings.publish_guard_ttl_seconds,
        )

    @property
    def publishing(self) -> Publishing:
        """What publishing decisions needs: the store, the publisher and the Redis client above."""
        return Publishing(self.store, self.publisher, self.redis)

    @cached_property
    def queue(self) -> PendingQueue:
        """The queue intake feeds."""
        return PendingQueue(self.redis)

    @cached_property
    def consumer_queue(self) -> PendingQueue:
        """The same queue, read with a client that may block."""
        return PendingQueue(self.blocking_redis)

    @cached_property
    def site_keys(self) -> SiteKeys:
        """Intake's cache of site keys, confirmed per request through Redis."""
        return SiteKeys(self.store.sites, self.redis)

    @cached_property
    def abuse(self) -> AbuseGuard:
        """Rate limits and duplicate detection at intake."""
        return AbuseGuard(
            self.redis,
            author_limits=self.settings.rate_limit_author,
            site_limits=self.settings.rate_limit_site,
            duplicate_window_seconds=self.settings.duplicate_window_seconds,
            label_limits=self.settings.rate_limit_labels,
        )

    @cached_property
    def models(self) -> ModelProvider:
        """The current model, reloaded when another version is promoted."""
        return ModelProvider.from_settings(self.settings, version_store(self.settings, self.store))

    @cached_property
    def languages(self) -> LanguageModelsProvider:
        """The other languages' models: versions of their own in the same version store."""
        return LanguageModelsProvider.from_settings(
            self.settings, version_store(self.settings, self.store, LANGUAGE_MODELS))

    @cached_property
    def rankings(self) -> Rankings:
        """The review queue's informative order, kept briefly per set of visible sites."""
        return Rankings()

    @cached_property
    def article_contexts(self) -> ArticleContexts | None:
        """The scorer's article context (None when the installation turned it off)."""
        if not self.settings.article_context:
            return None
        return ArticleContexts(self.store, self.settings.article_context_refresh_seconds)

    @cached_property
    def rulebook(self) -> RuleBook:
        """Each site's rules, compiled once per change (domain/policies/rules.py)."""
        return RuleBook(self.store.rules)

    @cached_property
    def scorer(self) -> Scorer:
        """Scores and decides: the same in a worker's batches and a compatibility endpoint."""
        return Scorer(
            self.models, self.languages, self.rulebook, self.store.history,
            self.article_contexts,
        )
