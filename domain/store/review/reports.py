"""The audit log and the dashboard's numbers: read-only SQL over decisions and comments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from domain.records import Decision, utcnow
from domain.store.accounts.sites import visible_to
from domain.store.base import Database
from domain.store.rows import decision_from_row, decisions_query
from domain.store.tables import comments, decisions, sites, users
from domain.vocabulary import DecidedBy, Event, Status


@dataclass(frozen=True)
class AuditFilter:
    """What an admin searches the decisions log for."""

    user_email: str | None = None
    site: str | None = None
    status: str | None = None
    comment_id: str | None = None
    decided_by: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True)
class OverturnStats:
    """How often moderators overturned a model's verdicts, for one site and model version."""

    site_slug: str
    model_version: str
    flagged_or_rejected: int
    reviewed_positive: int
    false_positives: int
    approved: int
    reviewed_negative: int
    false_negatives: int

    @property
    def false_positive_rate(self) -> float | None:
        """Share of reviewed flag/reject verdicts a moderator turned into approvals."""
        return self.false_positives / self.reviewed_positive if self.reviewed_positive else None

    @property
    def false_negative_rate(self) -> float | None:
        """Share of reviewed approvals a moderator turned into rejections."""
        return self.false_negatives / self.reviewed_negative if self.reviewed_negative else None


class ReportRepository:
    """Read-only queries for admins: who decided what, queue sizes, overturn rates."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def audit(
        self, wanted: AuditFilter, visible_sites: Sequence[str] | None
    ) -> tuple[list[Decision], int]:
        """Decisions matching the filter, newest first, with the total count."""
        conditions: list[ColumnElement[bool]] = [visible_to(visible_sites)]
        if wanted.user_email:
            conditions.append(users.c.email == wanted.user_email.strip().lower())
        if wanted.site:
            conditions.append(sites.c.slug == wanted.site)
        if wanted.status:
            conditions.append(decisions.c.new_status == wanted.status)
        if wanted.comment_id:
            conditions.append(decisions.c.comment_id == wanted.comment_id)
        if wanted.decided_by:
            conditions.append(decisions.c.decided_by == wanted.decided_by)
        if wanted.created_from:
            conditions.append(decisions.c.created_at >= wanted.created_from)
        if wanted.created_to:
            conditions.append(decisions.c.created_at < wanted.created_to)
        query = decisions_query().where(*conditions)
        count = (
            select(func.count())
            .select_from(decisions)
            .join(sites, sites.c.id == decisions.c.site_id)
            .outerjoin(users, users.c.id == decisions.c.user_id)
            .where(*conditions)
        )
        with self._db.read() as connection:
            total = int(connection.execute(count).scalar_one())
            rows = connection.execute(
                query.order_by(decisions.c.id.desc())
                .limit(wanted.per_page)
                .offset((wanted.page - 1) * wanted.per_page)
            ).all()
        return [decision_from_row(row) for row in rows], total

    def queue_sizes(self, visible_sites: Sequence[str] | None) -> dict[str, int]:
        """How many comments wait in the flagged queue, per site slug."""
        query = (
            select(sites.c.slug, func.count(comments.c.id))
            .select_from(comments)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.status == Status.FLAGGED.value, visible_to(visible_sites))
            .group_by(sites.c.slug)
            .order_by(sites.c.slug)
        )
        with self._db.read() as connection:
            return {slug: int(n) for slug, n in connection.execute(query)}

    def decisions_per_day(
        self, days: int, visible_sites: Sequence[str] | None, today: date | None = None
    ) -> list[tuple[date, int]]:
        """Moderator decisions per UTC day over the last `days` days, oldest first, zeros kept."""
        today = today or utcnow().date()
        first = today - timedelta(days=days - 1)
        since = datetime(first.year, first.month, first.day, tzinfo=utcnow().tzinfo)
        query = (
            select(decisions.c.created_at)
            .select_from(decisions)
            .join(sites, sites.c.id == decisions.c.site_id)
            .where(
                decisions.c.event == Event.MODERATED.value,
                decisions.c.created_at >= since,
                visible_to(visible_sites),
            )
        )
        counts = {first + timedelta(days=n): 0 for n in range(days)}
        with self._db.read() as connection:
            # Bucketed here rather than with a date() in SQL, which SQLite and PostgreSQL
            # spell and time-zone differently; one column over two weeks is small.
            for (created_at,) in connection.execute(query):
                day = created_at.date()
                if day in counts:
                    counts[day] += 1
        return sorted(counts.items())

    def overturns(self, visible_sites: Sequence[str] | None) -> list[OverturnStats]:
        """Model verdicts against moderators' final statuses, per site and model version.

        A comment counts as reviewed when a moderator made its current status approved or
        rejected; an undo back to flagged leaves it unreviewed.
        """
        model_said = decisions.c.new_status
        positive = model_said.in_([Status.FLAGGED.value, Status.REJECTED.value])
        negative = model_said == Status.APPROVED.value
        by_moderator = comments.c.decided_by == DecidedBy.MODERATOR.value
        human_approved = and_(by_moderator, comments.c.status == Status.APPROVED.value)
        human_rejected = and_(by_moderator, comments.c.status == Status.REJECTED.value)
        reviewed = or_(human_approved, human_rejected)

        def total(condition: ColumnElement[bool]) -> Any:
            return func.sum(case((condition, 1), else_=0))

        version = func.coalesce(decisions.c.model_version, "")
        query = (
            select(
                sites.c.slug,
                version.label("version"),
                total(positive),
                total(and_(positive, reviewed)),
                total(and_(positive, human_approved)),
                total(negative),
                total(and_(negative, reviewed)),
                total(and_(negative, human_rejected)),
            )
            .select_from(decisions)
            .join(comments, comments.c.id == decisions.c.comment_id)
            .join(sites, sites.c.id == decisions.c.site_id)
            .where(
                decisions.c.event == Event.VERDICT.value,
                decisions.c.decided_by == DecidedBy.MODEL.value,
                visible_to(visible_sites),
            )
            .group_by(sites.c.slug, version)
            .order_by(sites.c.slug, version)
        )
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        return [
            OverturnStats(row[0], row[1] or "unknown", *(int(n or 0) for n in row[2:]))
            for row in rows
        ]
