"""Flood and abuse controls at intake: rate limits, duplicate comments, and form traps.

Every comment counts against rate limits per site key, per author IP and per author email, and
claims its (author, text) pair for the duplicate window. All of that is one Lua script, so
intake pays one Redis round trip for it: the `limits` library (Flask-Limiter's engine) took one
round trip per counter, which measured 2.3 ms of a 5 ms request (docs/performance.md). Windows
are fixed (as Flask-Limiter's default). The guard fails open: while Redis is away no request is
refused for want of a counter, and the breaker stops us paying a timeout on every request.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

import redis
from limits import RateLimitItem, parse_many

from classifier.normalize import fold
from domain.infra import redis_keys
from domain.infra.breaker import Breaker
from domain.intake.identity import canonical_email, canonical_ip
from domain.records import Site, Submission

log = logging.getLogger(__name__)

HONEYPOT_POLICY = "honeypot_field"
MIN_FILL_POLICY = "min_fill_seconds"
FORM_RENDERED_AT_FIELD = "form_rendered_at"

# KEYS: one counter per limit, then the duplicate key, then the sites' generation. ARGV: per
# counter its limit and window (ms), then the comment id, the duplicate window (s; 0 = no
# duplicate check) and the generation the caller's cached site was read under ('' = none). A
# stale generation returns before anything is counted or claimed.
_ADMIT = """
local counters = #KEYS - 2
local expected = ARGV[2 * counters + 3]
if expected ~= '' then
  local current = redis.call('GET', KEYS[#KEYS]) or '0'
  if current ~= expected then return {'stale'} end
end
for i = 1, counters do
  local count = redis.call('INCR', KEYS[i])
  if count == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
  if count > tonumber(ARGV[2 * i - 1]) then
    return {'limited', i, redis.call('PTTL', KEYS[i])}
  end
end
local window = tonumber(ARGV[2 * counters + 2])
if window > 0 then
  local dup = KEYS[#KEYS - 1]
  if not redis.call('SET', dup, ARGV[2 * counters + 1], 'NX', 'EX', window) then
    return {'duplicate', redis.call('GET', dup)}
  end
end
return {'ok'}
"""


@dataclass(frozen=True)
class RateLimited:
    """A refused request and when to retry."""

    scope: str
    retry_after_seconds: int


@dataclass(frozen=True)
class Admission:
    """What the guard decided for one comment: refused, a duplicate, or admitted."""

    limited: RateLimited | None = None
    duplicate_of: str | None = None
    # the caller's cached site could not be confirmed (the sites changed, or Redis did not
    # answer): nothing was counted; read the site afresh and ask again without a generation
    stale: bool = False

    @property
    def admitted(self) -> bool:
        """Whether the comment may be stored (not rate limited, a duplicate, or unconfirmed)."""
        return self.limited is None and self.duplicate_of is None and not self.stale


ADMITTED = Admission()
STALE = Admission(stale=True)


def _limits(spec: str) -> list[RateLimitItem]:
    """Parse "30/minute;600/hour" (empty or "off" means no limit)."""
    spec = spec.strip()
    if not spec or spec.lower() in {"off", "none", "0"}:
        return []
    return list(parse_many(spec))


def fingerprint(*parts: str) -> str:
    """A short, non-reversible key for identities (emails and IPs never appear in Redis keys)."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _text(value: object) -> str:
    """A Redis reply as text."""
    return value.decode() if isinstance(value, bytes) else str(value)


class AbuseGuard:
    """Rate limits and duplicate detection, one Redis round trip per comment."""

    def __init__(
        self,
        client: redis.Redis,
        author_limits: str,
        site_limits: str,
        duplicate_window_seconds: int,
        label_limits: str = "",
    ) -> None:
        self._script = client.register_script(_ADMIT)
        self._client = client
        self._author_limits = _limits(author_limits)
        self._site_limits = _limits(site_limits)
        self._label_limits = _limits(label_limits)
        self._duplicate_window = max(0, duplicate_window_seconds)
        self._breaker = Breaker(1.0)

    def _counters(
        self, site: Site, submission: Submission, anonymous: bool
    ) -> list[tuple[str, RateLimitItem, str]]:
        """Every (scope, limit, counter key) this comment counts against."""
        counters = [("site", item, site.slug) for item in self._site_limits]
        if self._author_limits:
            # each identity once per comment, not once per limit (a quarter of admit's CPU)
            email = None if anonymous else fingerprint(site.slug, canonical_email(submission.email))
            network = (
                fingerprint(site.slug, canonical_ip(submission.author_ip))
                if submission.author_ip
                else None
            )
            for item in self._author_limits:
                if email is not None:
                    counters.append(("email", item, email))
                if network is not None:
                    counters.append(("author_ip", item, network))
        prefix = redis_keys.rate_limit_prefix()
        return [
            (scope, item, f"{prefix}:{scope}:{item.get_expiry()}:{identity}")
            for scope, item, identity in counters
        ]

    def admit(
        self,
        site: Site,
        submission: Submission,
        comment_id: str,
        anonymous: bool = False,
        generation: str | None = None,
    ) -> Admission:
        """Count this comment and claim its text; admitted when Redis is away (fail open).

        ``anonymous``: the email is a placeholder that names no author (a compatibility caller
        sent none), so neither the per-email limit nor the duplicate check can apply to it:
        they would count every anonymous reader of the site as one author.
        ``generation``: ``site`` came from intake's key cache (domain/intake/site_keys.py),
        read under this generation of the sites; the same round trip confirms it is still
        current, or answers ``stale`` (also when Redis is away: a cache is never trusted
        unconfirmed).
        """
        counters = self._counters(site, submission, anonymous)
        duplicate_key = None if anonymous or not self._duplicate_window else (
            _duplicate_key(site, submission)
        )
        if not counters and duplicate_key is None and generation is None:
            return ADMITTED
        return self._run(counters, duplicate_key, comment_id, generation)

    def admit_label(self, site: Site) -> RateLimited | None:
        """Count one training label a site sends (feedback, submit-spam/ham): each site's
        labels shape every site's next model, so one key must not flood them."""
        prefix = redis_keys.rate_limit_prefix()
        counters = [
            ("labels", item, f"{prefix}:labels:{item.get_expiry()}:{site.slug}")
            for item in self._label_limits
        ]
        return self._run(counters).limited if counters else None

    def _run(
        self,
        counters: list[tuple[str, RateLimitItem, str]],
        duplicate_key: str | None = None,
        comment_id: str = "",
        generation: str | None = None,
    ) -> Admission:
        """One round trip: the generation check (if one is given), every counter, then the
        duplicate claim (if a key is given)."""
        unconfirmed = ADMITTED if generation is None else STALE
        if not self._breaker.closed:
            return unconfirmed
        args: list[str | int] = []
        for _, item, _ in counters:
            args += [item.amount, item.get_expiry() * 1000]
        window = self._duplicate_window if duplicate_key else 0
        try:
            reply = self._script(
                keys=[key for _, _, key in counters]
                + [duplicate_key or "-", redis_keys.sites_generation()],
                args=[*args, comment_id, window, generation or ""],
            )
        except (redis.RedisError, OSError) as error:
            self._breaker.trip()
            log.warning("abuse checks skipped, Redis unavailable: %s", type(error).__name__)
            return unconfirmed
        outcome = _text(reply[0])
        if outcome == "stale":
            return STALE
        if outcome == "limited":
            scope = counters[int(reply[1]) - 1][0]
            return Admission(limited=RateLimited(scope, max(1, math.ceil(int(reply[2]) / 1000))))
        if outcome == "duplicate":
            return Admission(duplicate_of=_text(reply[1]))
        return ADMITTED

    def release_text(self, site: Site, submission: Submission) -> None:
        """Forget a claimed text (the comment could not be stored after all)."""
        try:
            self._client.delete(_duplicate_key(site, submission))
        except redis.RedisError:
            pass


def _duplicate_key(site: Site, submission: Submission) -> str:
    """The key marking one author's text; case, spacing, accents, lookalike letters and
    invisible characters do not make a comment new (the classifier's folding)."""
    text = " ".join(fold(submission.comment).split())
    author = canonical_email(submission.email)
    return redis_keys.duplicate_guard(site.slug, fingerprint(author, text))


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
