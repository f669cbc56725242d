"""Where Redis is: REDIS_URL, or the embedded Redis that `moderation run` started."""

from __future__ import annotations

from pathlib import Path

from config import Settings

EMBEDDED_URL_FILE = "embedded-redis.url"


class RedisNotConfigured(RuntimeError):
    """Neither REDIS_URL nor a running embedded Redis is available."""


def embedded_url_file(settings: Settings) -> Path:
    """The file where a running embedded Redis leaves its URL for the other processes."""
    return settings.data_dir / EMBEDDED_URL_FILE


def resolve_redis_url(settings: Settings) -> str:
    """The Redis URL this process should use."""
    if settings.redis_url:
        return settings.redis_url
    marker = embedded_url_file(settings)
    if marker.exists():
        return marker.read_text().strip()
    raise RedisNotConfigured(
        "REDIS_URL is not set and no embedded Redis is running: "
        "start everything with `moderation run`, or set REDIS_URL=redis://host:6379/0"
    )
