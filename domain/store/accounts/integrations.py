"""Signed HTTP integrations: sites' outgoing webhooks, their delivery log, Coral's secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select, update

from domain.records import Decision, utcnow
from domain.store.accounts.sites import SiteError
from domain.store.base import Database, as_utc
from domain.store.rows import decision_from_row, decisions_query
from domain.store.tables import decisions, sites, webhook_deliveries


@dataclass(frozen=True)
class WebhookTarget:
    """Where and how to deliver a site's results: its URL and its signing secret."""

    site_id: int
    url: str
    secret: str | None


@dataclass(frozen=True)
class Delivery:
    """One attempt to deliver one decision."""

    decision_id: int
    site_id: int
    url: str
    attempt: int
    status_code: int | None = None
    error: str | None = None
    created_at: datetime | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver answered 2xx."""
        return self.status_code is not None and 200 <= self.status_code < 300


def _delivery(row: Row[Any]) -> Delivery:
    """Build a Delivery from a row."""
    return Delivery(
        decision_id=row.decision_id,
        site_id=row.site_id,
        url=row.url,
        attempt=row.attempt,
        status_code=row.status_code,
        error=row.error,
        created_at=as_utc(row.created_at),
    )


class WebhookRepository:
    """All SQL about webhooks and the secrets that sign them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def set_webhook(self, slug: str, url: str | None, secret: str | None) -> None:
        """Set (or with None, clear) a site's webhook URL and its signing secret."""
        self._update_site(slug, webhook_url=url, webhook_secret=secret)

    def target(self, site_id: int) -> WebhookTarget | None:
        """A site's webhook, if it has one."""
        with self._db.read() as connection:
            row = connection.execute(
                select(sites.c.webhook_url, sites.c.webhook_secret).where(sites.c.id == site_id)
            ).first()
        if row is None or not row.webhook_url:
            return None
        return WebhookTarget(site_id, row.webhook_url, row.webhook_secret)

    def decision(self, decision_id: int) -> Decision | None:
        """One decision, joined with what its published result needs."""
        with self._db.read() as connection:
            row = connection.execute(decisions_query().where(decisions.c.id == decision_id)).first()
        return decision_from_row(row) if row else None

    def record(self, delivery: Delivery) -> None:
        """Log one delivery attempt."""
        with self._db.write() as connection:
            connection.execute(
                insert(webhook_deliveries).values(
                    decision_id=delivery.decision_id,
                    site_id=delivery.site_id,
                    url=delivery.url[:2048],
                    status_code=delivery.status_code,
                    attempt=delivery.attempt,
                    error=(delivery.error or None) and delivery.error[:500],
                    created_at=delivery.created_at or utcnow(),
                )
            )

    def deliveries(self, decision_id: int) -> list[Delivery]:
        """Every attempt for one decision, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(
                select(webhook_deliveries)
                .where(webhook_deliveries.c.decision_id == decision_id)
                .order_by(webhook_deliveries.c.id)
            ).all()
        return [_delivery(row) for row in rows]

    def delivered(self, decision_id: int) -> bool:
        """Whether some attempt already succeeded (a re-published decision is not sent twice)."""
        with self._db.read() as connection:
            row = connection.execute(
                select(webhook_deliveries.c.id)
                .where(
                    webhook_deliveries.c.decision_id == decision_id,
                    webhook_deliveries.c.status_code >= 200,
                    webhook_deliveries.c.status_code < 300,
                )
                .limit(1)
            ).first()
        return row is not None

    def coral_secrets(self, site_id: int) -> list[str]:
        """The Coral Talk signing secrets a site accepts (several while Coral rotates them)."""
        with self._db.read() as connection:
            value = connection.execute(
                select(sites.c.coral_secrets).where(sites.c.id == site_id)
            ).scalar()
        return [secret for secret in (value or []) if isinstance(secret, str) and secret]

    def set_coral_secrets(self, slug: str, secrets: list[str]) -> None:
        """Replace the Coral signing secrets a site accepts (an empty list turns Coral off)."""
        self._update_site(slug, coral_secrets=secrets or None)

    def _update_site(self, slug: str, **values: Any) -> None:
        """Change columns of one site, or raise SiteError if there is no such site."""
        with self._db.write() as connection:
            changed = connection.execute(
                update(sites).where(sites.c.slug == slug).values(**values)
            ).rowcount
        if not changed:
            raise SiteError(f"no site named {slug!r}")
