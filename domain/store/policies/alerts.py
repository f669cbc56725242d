"""The SQL behind alerts (what they watch, what was raised) and the nudge figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update

from domain.records import utcnow
from domain.store.accounts.sites import visible_to
from domain.store.base import Database, as_utc
from domain.store.tables import alerts, comments, decisions, sites
from domain.vocabulary import Event, Status


@dataclass(frozen=True)
class StoredAlert:
    """An alert raised for a site."""

    id: int
    site_slug: str
    kind: str
    message: str
    value: float | None
    created_at: datetime
    delivery: dict[str, Any]


class AlertRepository:
    """Alerts raised, and the figures the alert checks read."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def raise_alert(self, site_id: int, kind: str, message: str, value: float) -> int:
        """Record a new alert; returns its id."""
        with self._db.write() as connection:
            alert_id = connection.execute(
                insert(alerts).values(site_id=site_id, kind=kind, message=message, value=value,
                                      created_at=utcnow(), delivery={})
            ).inserted_primary_key[0]  # type: ignore[index]
        return int(alert_id)

    def set_delivery(self, alert_id: int, delivery: dict[str, str]) -> None:
        """Note how an alert was delivered, per channel ("ok" or the error)."""
        with self._db.write() as connection:
            connection.execute(update(alerts).where(alerts.c.id == alert_id).values(
                delivery=delivery))

    def last_raised(self, site_id: int, kind: str) -> datetime | None:
        """When this kind of alert was last raised for the site."""
        query = select(func.max(alerts.c.created_at)).where(
            alerts.c.site_id == site_id, alerts.c.kind == kind)
        with self._db.read() as connection:
            return as_utc(connection.execute(query).scalar())

    def recent(self, visible_sites: Sequence[str] | None, limit: int = 20) -> list[StoredAlert]:
        """The latest alerts of the sites a moderator sees, newest first."""
        query = (
            select(alerts, sites.c.slug).join(sites, sites.c.id == alerts.c.site_id)
            .where(visible_to(visible_sites)).order_by(alerts.c.id.desc()).limit(limit)
        )
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        return [StoredAlert(r.id, r.slug, r.kind, r.message, r.value,
                            as_utc(r.created_at) or utcnow(), dict(r.delivery or {}))
                for r in rows]

    def flagged_count(self, site_id: int) -> int:
        """Comments of the site waiting in the flagged queue."""
        query = select(func.count()).select_from(comments).where(
            comments.c.site_id == site_id, comments.c.status == Status.FLAGGED.value)
        with self._db.read() as connection:
            return int(connection.execute(query).scalar() or 0)

    def rejections_since(self, site_id: int, since: datetime, until: datetime) -> int:
        """Automatic rejections (model or rule verdicts) of the site in [since, until)."""
        query = select(func.count()).select_from(decisions).where(
            decisions.c.site_id == site_id, decisions.c.event == Event.VERDICT.value,
            decisions.c.new_status == Status.REJECTED.value,
            decisions.c.created_at >= since, decisions.c.created_at < until)
        with self._db.read() as connection:
            return int(connection.execute(query).scalar() or 0)

    def recent_bodies(self, site_id: int, minutes: float, limit: int = 2000) -> list[str]:
        """The texts of the site's latest comments (the near-duplicate check reads them)."""
        cutoff = utcnow() - timedelta(minutes=minutes)
        query = (
            select(comments.c.body).where(comments.c.site_id == site_id,
                                          comments.c.created_at >= cutoff)
            .order_by(comments.c.created_at.desc()).limit(limit)
        )
        with self._db.read() as connection:
            return list(connection.execute(query).scalars())

    def nudged_outcomes(
        self, visible_sites: Sequence[str] | None, days: int
    ) -> dict[str, dict[str, int]]:
        """Per site, what became of comments posted after a nudge: count by status."""
        cutoff = utcnow() - timedelta(days=days)
        query = (
            select(sites.c.slug, comments.c.status, func.count())
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.nudged.is_(True), comments.c.created_at >= cutoff,
                   visible_to(visible_sites))
            .group_by(sites.c.slug, comments.c.status)
        )
        found: dict[str, dict[str, int]] = {}
        with self._db.read() as connection:
            for slug, status, count in connection.execute(query):
                found.setdefault(slug, {})[status] = int(count)
        return found
