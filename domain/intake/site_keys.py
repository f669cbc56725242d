"""Intake's short-lived cache of site keys, kept correct by a generation counter in Redis.

Reading the site's row for every POST cost about a sixth of an intake request's CPU
(docs/performance.md). So intake remembers, per process, which site a key's SHA-256 belongs to,
stamped with the sites' *generation*: a Redis counter that every change to a site (a rotated
key, a new policy) increments after its commit. A cached site is trusted only once Redis has
confirmed, within the same request, that the generation is still the one it was read under;
intake does that inside the admission script it runs anyway (domain/intake/admission.py), so
the check costs no round trip. A rotated key therefore stops working at once, in every process:
the rotation returns after the increment, and every request after it sees a new generation and
reads the database afresh. When Redis cannot confirm (away, or the guard has nothing to count),
intake reads the database as before. Only hashes of keys are kept, never the keys.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from domain.infra import credentials, redis_keys
from domain.infra.redis_url import RedisNotConfigured
from domain.records import Site
from domain.store.accounts.sites import SiteRepository

log = logging.getLogger(__name__)

# A backstop, not the mechanism: a change whose increment could not reach Redis (a CLI on a
# machine that cannot reach it) is seen after this long at most.
MAX_AGE_SECONDS = 10.0
MAX_ENTRIES = 1024


@dataclass(frozen=True)
class CachedSite:
    """A site as read under one generation of the sites; valid only once Redis confirms it."""

    site: Site
    key_hash: str
    generation: str
    read_at: float


class SiteKeys:
    """Which site an API key belongs to, remembered per process until the sites change."""

    def __init__(
        self,
        sites: SiteRepository,
        client: redis.Redis,
        max_age_seconds: float = MAX_AGE_SECONDS,
    ) -> None:
        self._sites = sites
        self._client = client
        self._max_age = max_age_seconds
        self._entries: dict[str, CachedSite] = {}
        self._lock = threading.Lock()

    def cached(self, key: str) -> CachedSite | None:
        """The remembered site for a key, if any (no I/O; the caller must confirm it)."""
        key_hash = credentials.hash_secret(key)
        entry = self._entries.get(key_hash)
        if entry is None or time.monotonic() - entry.read_at > self._max_age:
            return None
        return entry  # found under the key's own hash: nothing left to compare

    def load(self, key: str) -> Site | None:
        """Read the key's site from the database and remember it under the current generation.

        The generation is read *before* the row, so a change committed in between leaves the
        entry stamped with the old generation: the next confirmation fails and it is re-read.
        """
        try:
            generation = current_generation(self._client)
        except (redis.RedisError, OSError):
            return self._sites.by_key(key)  # nothing to stamp an entry with: do not remember
        site = self._sites.by_key(key)
        if site is not None:
            entry = CachedSite(site, credentials.hash_secret(key), generation, time.monotonic())
            with self._lock:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries.clear()
                self._entries[entry.key_hash] = entry
        return site

    def fresh(self, key: str) -> Site | None:
        """The key's site read from the database now (when a cached one was not confirmed)."""
        with self._lock:
            self._entries.pop(credentials.hash_secret(key), None)
        return self.load(key)


def current_generation(client: redis.Redis) -> str:
    """The sites' generation as Redis holds it ("0" before the first change)."""
    value = client.get(redis_keys.sites_generation())
    if value is None:
        return "0"
    return value.decode() if isinstance(value, bytes) else str(value)


def announce_site_change(client: Callable[[], redis.Redis]) -> Callable[[], None]:
    """A listener for SiteRepository.on_change that increments the sites' generation.

    ``client`` is called only when a site changes, so a command that changes none never needs
    Redis. If Redis cannot be told, the change is logged loudly: processes that cached the old
    key may accept it for up to MAX_AGE_SECONDS.
    """

    def announce() -> None:
        try:
            client().incr(redis_keys.sites_generation())
        except RedisNotConfigured:
            pass  # no Redis for this installation yet, so no web process runs to tell
        except Exception as error:  # noqa: BLE001 - the change is committed; say what it means
            log.error(
                "site changed, but Redis could not be told (%s): web processes may accept "
                "the previous key or policy for up to %.0f s",
                type(error).__name__,
                MAX_AGE_SECONDS,
            )

    return announce
