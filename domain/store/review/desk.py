"""The desk's numbers: what arrives, what the model decided alone, what waits and for how long."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import Select, func, select

from domain.records import utcnow
from domain.store.accounts.sites import visible_to
from domain.store.base import Database, as_utc
from domain.store.tables import comments, decisions, sites
from domain.vocabulary import DecidedBy, Event, Status

AUTOMATIC = (DecidedBy.MODEL.value, DecidedBy.RULE.value)
OUTCOMES = (Status.APPROVED.value, Status.REJECTED.value, Status.FLAGGED.value)
Desk = tuple[str, str]  # (site slug, section or "")


@dataclass(frozen=True)
class HourCounts:
    """One hour: comments received and the automatic verdicts made."""

    hour: datetime
    received: int = 0
    automatic: dict[str, int] = field(default_factory=dict)


@dataclass
class DeskRow:
    """One site and section over the window, and its waiting queue now."""

    site_slug: str
    section: str
    received: int = 0
    automatic: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    waiting: int = 0
    oldest_waiting: datetime | None = None
    decision_seconds: list[float] = field(default_factory=list)

    @property
    def median_decision_seconds(self) -> float | None:
        """Median time from arrival to a moderator's decision, in seconds."""
        return median(self.decision_seconds) if self.decision_seconds else None


def _hour(moment: datetime) -> datetime:
    """The start of a moment's UTC hour."""
    return moment.replace(minute=0, second=0, microsecond=0)


class DeskRepository:
    """Read-only queries over the last hours, bucketed in Python (SQLite and PostgreSQL spell
    date truncation differently; a day of rows is small)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def per_hour(
        self, hours: int, visible_sites: Sequence[str] | None, now: datetime | None = None
    ) -> list[HourCounts]:
        """Received comments and automatic verdicts per UTC hour, oldest first, zeros kept."""
        last = _hour(now or utcnow())
        first = last - timedelta(hours=hours - 1)
        received: dict[datetime, int] = defaultdict(int)
        automatic: dict[datetime, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
        with self._db.read() as connection:
            for (created,) in connection.execute(self._arrivals(first, visible_sites)):
                received[_hour(as_utc(created) or first)] += 1
            for created, status in connection.execute(self._verdicts(first, visible_sites)):
                if status in OUTCOMES:
                    automatic[_hour(as_utc(created) or first)][status] += 1
        slots = [first + timedelta(hours=n) for n in range(hours)]
        return [
            HourCounts(h, received.get(h, 0), automatic.get(h) or dict.fromkeys(OUTCOMES, 0))
            for h in slots
        ]

    def desks(
        self, hours: int, visible_sites: Sequence[str] | None, now: datetime | None = None
    ) -> list[DeskRow]:
        """Per site and section: received and automatic verdicts over the window, the flagged
        comments waiting now (count, oldest) and moderators' decision times."""
        since = (now or utcnow()) - timedelta(hours=hours)
        rows: dict[Desk, DeskRow] = {}

        def row(slug: str, section: str | None) -> DeskRow:
            key = (slug, section or "")
            return rows.setdefault(key, DeskRow(*key))

        with self._db.read() as connection:
            for slug, section, n in connection.execute(
                self._received_by_desk(since, visible_sites)
            ):
                row(slug, section).received = int(n)
            for slug, section, status, n in connection.execute(
                self._verdicts_by_desk(since, visible_sites)
            ):
                if status in OUTCOMES:
                    row(slug, section).automatic[status] = int(n)
            for slug, section, n, oldest in connection.execute(self._waiting(visible_sites)):
                desk = row(slug, section)
                desk.waiting, desk.oldest_waiting = int(n), as_utc(oldest)
            for slug, section, arrived, decided in connection.execute(
                self._decision_times(since, visible_sites)
            ):
                arrived, decided = as_utc(arrived), as_utc(decided)
                if arrived and decided:
                    row(slug, section).decision_seconds.append((decided - arrived).total_seconds())
        return [rows[key] for key in sorted(rows)]

    @staticmethod
    def _arrivals(since: datetime, visible_sites: Sequence[str] | None) -> Select[Any]:
        """Arrival times of comments since a moment."""
        return (
            select(comments.c.created_at)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.created_at >= since, visible_to(visible_sites))
        )

    @staticmethod
    def _verdicts(since: datetime, visible_sites: Sequence[str] | None) -> Select[Any]:
        """Times and outcomes of automatic verdicts since a moment."""
        return (
            select(decisions.c.created_at, decisions.c.new_status)
            .join(sites, sites.c.id == decisions.c.site_id)
            .where(
                decisions.c.event == Event.VERDICT.value,
                decisions.c.decided_by.in_(AUTOMATIC),
                decisions.c.created_at >= since,
                visible_to(visible_sites),
            )
        )

    @staticmethod
    def _received_by_desk(since: datetime, visible_sites: Sequence[str] | None) -> Select[Any]:
        """Comments received per site and section."""
        return (
            select(sites.c.slug, comments.c.section, func.count())
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.created_at >= since, visible_to(visible_sites))
            .group_by(sites.c.slug, comments.c.section)
        )

    @staticmethod
    def _verdicts_by_desk(since: datetime, visible_sites: Sequence[str] | None) -> Select[Any]:
        """Automatic verdicts per site, section and outcome."""
        return (
            select(sites.c.slug, comments.c.section, decisions.c.new_status, func.count())
            .select_from(decisions)
            .join(comments, comments.c.id == decisions.c.comment_id)
            .join(sites, sites.c.id == decisions.c.site_id)
            .where(
                decisions.c.event == Event.VERDICT.value,
                decisions.c.decided_by.in_(AUTOMATIC),
                decisions.c.created_at >= since,
                visible_to(visible_sites),
            )
            .group_by(sites.c.slug, comments.c.section, decisions.c.new_status)
        )

    @staticmethod
    def _waiting(visible_sites: Sequence[str] | None) -> Select[Any]:
        """Flagged comments waiting now, with the oldest, per site and section."""
        return (
            select(sites.c.slug, comments.c.section, func.count(), func.min(comments.c.created_at))
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.status == Status.FLAGGED.value, visible_to(visible_sites))
            .group_by(sites.c.slug, comments.c.section)
        )

    @staticmethod
    def _decision_times(since: datetime, visible_sites: Sequence[str] | None) -> Select[Any]:
        """First moderator decision time of each flagged comment, per site and section."""
        return (
            select(sites.c.slug, comments.c.section, comments.c.created_at,
                   func.min(decisions.c.created_at))
            .select_from(decisions)
            .join(comments, comments.c.id == decisions.c.comment_id)
            .join(sites, sites.c.id == decisions.c.site_id)
            .where(
                decisions.c.event == Event.MODERATED.value,
                decisions.c.previous_status == Status.FLAGGED.value,
                decisions.c.created_at >= since,
                visible_to(visible_sites),
            )
            .group_by(sites.c.slug, comments.c.section, comments.c.id, comments.c.created_at)
        )  # fmt: skip
