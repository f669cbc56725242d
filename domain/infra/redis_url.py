"""Where Redis is: REDIS_URL, or the embedded Redis that `moderation run` started."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import Sentinel

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


SENTINEL_SCHEME = "redis+sentinel://"


def one_quick_retry() -> Retry:
    """Retry a failed command once, at once: enough for a connection Redis dropped while idle.

    redis-py 6+ retries ten times with backoff by default (about 4 s per command against a
    Redis that is down). Our callers have their own answer to an outage (intake stores and
    answers 202, the sweep enqueues later, the consumer backs off), so a command must fail
    fast instead: a request made two or three such calls and took 12 s while Redis was away.
    """
    return Retry(NoBackoff(), retries=1)


@dataclass(frozen=True)
class SentinelSet:
    """A Redis Sentinel set named by REDIS_URL=redis+sentinel://[:pw@]h1:26379,h2:26379/master/db."""

    sentinels: tuple[tuple[str, int], ...]
    master: str
    db: int = 0
    password: str | None = None


def parse_sentinel_url(url: str) -> SentinelSet | None:
    """The Sentinel set a REDIS_URL names, or None for a plain redis:// URL."""
    if not url.startswith(SENTINEL_SCHEME):
        return None
    rest = url.removeprefix(SENTINEL_SCHEME)
    credentials, _, rest = rest.rpartition("@")
    hosts, _, path = rest.partition("/")
    master, _, db = path.strip("/").partition("/")
    if not hosts or not master:
        raise ValueError("REDIS_URL for Sentinel: redis+sentinel://host:26379[,host:26379]/"
                         "master-name[/db]")
    sentinels = tuple(_host_port(item) for item in hosts.split(","))
    password = unquote(credentials.partition(":")[2]) if credentials else None
    return SentinelSet(sentinels, master, int(db or 0), password or None)


def _host_port(item: str) -> tuple[str, int]:
    """`host:port` (the port defaults to Sentinel's 26379)."""
    host, _, port = item.partition(":")
    return host, int(port or 26379)


def redis_client(url: str, **options: Any) -> Redis:
    """A client for a plain Redis URL, or for the current master of a Sentinel set.

    A Sentinel-managed client asks the sentinels for the master on each new connection, so
    after a fail-over the next command (after one ConnectionError) reaches the new master.
    """
    options.setdefault("retry", one_quick_retry())
    sentinel_set = parse_sentinel_url(url)
    if sentinel_set is None:
        return Redis.from_url(url, **options)
    timeouts = {k: v for k, v in options.items() if k.startswith("socket_")}
    sentinel = Sentinel(list(sentinel_set.sentinels), sentinel_kwargs=timeouts)
    client: Redis = sentinel.master_for(sentinel_set.master, db=sentinel_set.db,
                                        password=sentinel_set.password, **options)
    return client


def celery_broker(url: str) -> tuple[str, dict[str, Any]]:
    """Celery's broker URL and transport options for a REDIS_URL (kombu's sentinel:// form)."""
    sentinel_set = parse_sentinel_url(url)
    if sentinel_set is None:
        return url, {}
    auth = f":{quote(sentinel_set.password)}@" if sentinel_set.password else ""
    broker = ";".join(f"sentinel://{auth}{host}:{port}/{sentinel_set.db}"
                      for host, port in sentinel_set.sentinels)
    return broker, {"master_name": sentinel_set.master}
