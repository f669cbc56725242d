"""Publishing sites and their API keys."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from domain.infra import credentials
from domain.records import Site, utcnow
from domain.store.base import Database, as_utc
from domain.store.tables import sites

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
SITES_CACHE_SECONDS = 5.0


class SiteError(ValueError):
    """A site cannot be created or changed as asked."""


def _site(row: Row[Any]) -> Site:
    """Build a Site from a database row."""
    return Site(
        id=row.id,
        slug=row.slug,
        name=row.name,
        policy=dict(row.policy or {}),
        api_key_prefix=row.api_key_prefix,
        created_at=as_utc(row.created_at) or utcnow(),
        webhook_url=row.webhook_url,
    )


class SiteRepository:
    """All SQL about sites."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._by_id: tuple[float, dict[int, Site]] = (-SITES_CACHE_SECONDS, {})
        self._cache_lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every committed change to a site (key, policy)."""
        self._listeners.append(listener)

    def create(self, slug: str, name: str | None = None) -> tuple[Site, str]:
        """Register a site; returns it with its API key, which is stored only as a hash."""
        if not SLUG_PATTERN.match(slug):
            raise SiteError(
                "site name must be a slug: lower-case letters, digits, '-' or '_', "
                "starting with a letter or digit, at most 64 characters"
            )
        key = credentials.new_site_key()
        try:
            with self._db.write() as connection:
                site_id = connection.execute(
                    insert(sites).values(
                        slug=slug,
                        name=name or slug,
                        api_key_hash=credentials.hash_secret(key),
                        api_key_prefix=credentials.display_prefix(key),
                        policy={},
                        created_at=utcnow(),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
        except IntegrityError as error:
            raise SiteError(f"a site named {slug!r} already exists") from error
        site = self.by_id(site_id)
        assert site is not None
        return site, key

    def rotate_key(self, slug: str) -> str:
        """Give a site a new API key; the old one stops working at once."""
        key = credentials.new_site_key()
        with self._db.write() as connection:
            changed = connection.execute(
                update(sites)
                .where(sites.c.slug == slug)
                .values(
                    api_key_hash=credentials.hash_secret(key),
                    api_key_prefix=credentials.display_prefix(key),
                )
            ).rowcount
        if not changed:
            raise SiteError(f"no site named {slug!r}")
        self._forget_cached_keys()
        return key

    def by_key(self, key: str) -> Site | None:
        """The site an API key belongs to, read afresh on every call: a rotated key must stop
        working at once in every process, not when a cache expires (one indexed look-up)."""
        key_hash = credentials.hash_secret(key)
        with self._db.read() as connection:
            row = connection.execute(select(sites).where(sites.c.api_key_hash == key_hash)).first()
        # The index lookup found the row by hash; compare again in constant time anyway.
        return _site(row) if row and credentials.secret_matches(key, row.api_key_hash) else None

    def _forget_cached_keys(self) -> None:
        """Drop cached look-ups after a site changes and tell the listeners (intake's key cache
        in every process, through Redis); the workers' cache by id sees it within seconds."""
        with self._cache_lock:
            self._by_id = (-SITES_CACHE_SECONDS, {})
        for listener in self._listeners:
            listener()

    def cached_by_id(self) -> dict[int, Site]:
        """Every site by id, re-read at most every few seconds (the workers ask per batch)."""
        read_at, by_id = self._by_id
        if time.monotonic() - read_at < SITES_CACHE_SECONDS:
            return by_id
        by_id = {site.id: site for site in self.all()}
        self._by_id = (time.monotonic(), by_id)
        return by_id

    def by_id(self, site_id: int) -> Site | None:
        """A site by its numeric id."""
        with self._db.read() as connection:
            row = connection.execute(select(sites).where(sites.c.id == site_id)).first()
        return _site(row) if row else None

    def by_slug(self, slug: str) -> Site | None:
        """A site by its slug."""
        with self._db.read() as connection:
            row = connection.execute(select(sites).where(sites.c.slug == slug)).first()
        return _site(row) if row else None

    def all(self) -> list[Site]:
        """Every site, by slug."""
        with self._db.read() as connection:
            rows = connection.execute(select(sites).order_by(sites.c.slug)).all()
        return [_site(row) for row in rows]

    def set_policy(self, slug: str, policy: dict[str, Any]) -> None:
        """Replace a site's policy (thresholds and opt-in checks)."""
        with self._db.write() as connection:
            changed = connection.execute(
                update(sites).where(sites.c.slug == slug).values(policy=policy)
            ).rowcount
        if not changed:
            raise SiteError(f"no site named {slug!r}")
        self._forget_cached_keys()


def visible_to(visible_sites: Sequence[str] | None) -> ColumnElement[bool]:
    """Restrict a query joined with ``sites`` to the sites a user may see (None: every site)."""
    if visible_sites is None:
        return literal(True)
    return sites.c.slug.in_(list(visible_sites))
