"""The one place that builds every Redis key and channel name."""

from __future__ import annotations

PREFIX = "moderation"


def results(site_slug: str) -> str:
    """Stream and pub/sub channel where a site's verdicts and moderator changes appear."""
    return f"{PREFIX}:results:{site_slug}"


def pending_queue() -> str:
    """List of comment ids waiting to be scored, fed by intake and the sweep."""
    return f"{PREFIX}:queue:pending"


def published_guard(decision_id: int) -> str:
    """Marker proving a decision's result was published once (makes publishing idempotent)."""
    return f"{PREFIX}:published:{decision_id}"


def webhook_queue() -> str:
    """List of decision ids waiting to be delivered to their sites' webhooks."""
    return f"{PREFIX}:webhooks:pending"


def rate_limit_prefix() -> str:
    """Prefix of the rate limiter's counters."""
    return f"{PREFIX}:ratelimit"


def sites_generation() -> str:
    """Counter incremented after every change to a site (intake's key cache checks it)."""
    return f"{PREFIX}:sites:generation"


def duplicate_guard(site_slug: str, fingerprint: str) -> str:
    """Marker of a recent comment with the same author and text."""
    return f"{PREFIX}:duplicate:{site_slug}:{fingerprint}"


def nudges(site_slug: str, day: str) -> str:
    """Hash of a site's pre-check figures for one UTC day (checks, warned)."""
    return f"{PREFIX}:nudges:{site_slug}:{day}"


def site_reader_acl(site_slug: str) -> list[str]:
    """ACL rules for a Redis user that may read only one site's results stream and channel."""
    stream = results(site_slug)
    return [
        "resetkeys",
        f"~{stream}",
        "resetchannels",
        f"&{stream}",
        "-@all",
        "+ping",
        "+xread",
        "+xreadgroup",
        "+xack",
        "+xautoclaim",
        "+xclaim",
        "+xpending",
        "+xrange",
        "+xlen",
        "+xinfo",
        "+xgroup",
        "+subscribe",
    ]
