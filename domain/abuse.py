"""Flood and abuse controls at intake: rate limits, duplicate comments, and form traps.

Rate limits count in Redis (the `limits` library, Flask-Limiter's engine) per site key, per
author IP and per author email. They fail open: while Redis is away a request is never refused
for want of a counter, and the breaker stops us paying a timeout on every request.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

import redis
from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from domain import keys
from domain.breaker import Breaker
from domain.models import Site, Submission

log = logging.getLogger(__name__)

HONEYPOT_POLICY = "honeypot_field"
MIN_FILL_POLICY = "min_fill_seconds"
FORM_RENDERED_AT_FIELD = "form_rendered_at"


@dataclass(frozen=True)
class RateLimited:
    """A refused request and when to retry."""

    scope: str
    retry_after_seconds: int


def _limits(spec: str) -> list[RateLimitItem]:
    """Parse "30/minute;600/hour" (empty or "off" means no limit)."""
    spec = spec.strip()
    if not spec or spec.lower() in {"off", "none", "0"}:
        return []
    return list(parse_many(spec))


def fingerprint(*parts: str) -> str:
    """A short, non-reversible key for identities (emails and IPs never appear in Redis keys)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


class AbuseGuard:
    """Rate limits and duplicate detection for one process, backed by Redis."""

    def __init__(
        self,
        client: redis.Redis,
        author_limits: str,
        site_limits: str,
        duplicate_window_seconds: int,
    ) -> None:
        self._client = client
        storage = RedisStorage(
            "redis://", connection_pool=client.connection_pool, key_prefix=keys.rate_limit_prefix()
        )
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._author_limits = _limits(author_limits)
        self._site_limits = _limits(site_limits)
        self._duplicate_window = duplicate_window_seconds
        self._breaker = Breaker(1.0)

    def _scopes(self, site: Site, submission: Submission) -> list[tuple[str, RateLimitItem, str]]:
        """Every (scope, limit, identity) this comment counts against."""
        scopes = [("site", item, site.slug) for item in self._site_limits]
        for item in self._author_limits:
            scopes.append(("email", item, fingerprint(site.slug, submission.email.lower())))
            if submission.author_ip:
                scopes.append(("author_ip", item, fingerprint(site.slug, submission.author_ip)))
        return scopes

    def rate_limited(self, site: Site, submission: Submission) -> RateLimited | None:
        """Count this comment; return the first limit it exceeds, or None (also without Redis)."""
        if not self._breaker.closed:
            return None
        try:
            for scope, item, identity in self._scopes(site, submission):
                if not self._limiter.hit(item, scope, identity):
                    reset_at = self._limiter.get_window_stats(item, scope, identity).reset_time
                    return RateLimited(scope, max(1, math.ceil(reset_at - time.time())))
        except (redis.RedisError, OSError) as error:
            self._breaker.trip()
            log.warning("rate limiting skipped, Redis unavailable: %s", type(error).__name__)
        return None

    def claim_text(self, site: Site, submission: Submission, comment_id: str) -> str | None:
        """Remember this author's text; return the id of an identical recent comment, if any."""
        if self._duplicate_window <= 0 or not self._breaker.closed:
            return None
        key = _duplicate_key(site, submission)
        try:
            if self._client.set(key, comment_id, nx=True, ex=self._duplicate_window):
                return None
            existing = self._client.get(key)
        except redis.RedisError as error:
            self._breaker.trip()
            log.warning("duplicate check skipped, Redis unavailable: %s", type(error).__name__)
            return None
        return existing.decode() if isinstance(existing, bytes) else existing

    def release_text(self, site: Site, submission: Submission) -> None:
        """Forget a claimed text (the comment could not be stored after all)."""
        try:
            self._client.delete(_duplicate_key(site, submission))
        except redis.RedisError:
            pass


def _duplicate_key(site: Site, submission: Submission) -> str:
    """The key marking one author's text; case and spacing do not make a comment new."""
    text = " ".join(submission.comment.split()).lower()
    return keys.duplicate_guard(site.slug, fingerprint(submission.email.lower(), text))


def form_trap(policy: Mapping[str, object], form: Mapping[str, object], now: float) -> str | None:
    """A rule reason when an opted-in form trap caught a bot: honeypot filled, or too fast."""
    honeypot = policy.get(HONEYPOT_POLICY)
    if isinstance(honeypot, str) and honeypot:
        value = form.get(honeypot)
        if value not in (None, "") and not (isinstance(value, str) and not value.strip()):
            return "rule:honeypot"
    minimum = policy.get(MIN_FILL_POLICY)
    if isinstance(minimum, int | float) and minimum > 0:
        rendered = form.get(FORM_RENDERED_AT_FIELD)
        try:
            rendered_at = float(rendered)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None  # the site did not send it: no opinion
        if math.isfinite(rendered_at) and now - rendered_at < float(minimum):
            return "rule:filled_too_fast"
    return None
