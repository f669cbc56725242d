"""Comments, their verdicts, and the decisions outbox that feeds the results publisher."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update

from domain.models import (
    Comment,
    DecidedBy,
    Decision,
    Event,
    Site,
    Status,
    Submission,
    utcnow,
)
from domain.schema import blocked_authors, comments, decisions, sites, users
from domain.store.base import Database, as_utc

COMMENT_COLUMNS = [*comments.c, sites.c.slug.label("site_slug")]


@dataclass(frozen=True)
class ScoredVerdict:
    """A model's (or a rule's) decision for one pending comment, ready to record."""

    comment_id: str
    site_id: int
    status: Status
    decided_by: DecidedBy
    spam: float | None
    toxicity: float | None
    attributes: dict[str, float]
    reasons: list[str]
    spans: list[dict[str, Any]]
    model_version: str | None


def new_comment_id() -> str:
    """A random, unguessable comment id."""
    return uuid.uuid4().hex


def comment_from_row(row: Row[Any]) -> Comment:
    """Build a Comment from a row selected with COMMENT_COLUMNS."""
    return Comment(
        id=row.id,
        site_id=row.site_id,
        site_slug=row.site_slug,
        article_id=row.article_id,
        parent_id=row.parent_id,
        sender_name=row.sender_name,
        email=row.email,
        body=row.body,
        author_ip=row.author_ip,
        user_agent=row.user_agent,
        referrer=row.referrer,
        permalink=row.permalink,
        status=Status(row.status),
        spam=row.spam,
        toxicity=row.toxicity,
        attributes=dict(row.attributes or {}),
        reasons=list(row.reasons or []),
        spans=list(row.spans or []),
        model_version=row.model_version,
        decided_by=DecidedBy(row.decided_by) if row.decided_by else None,
        created_at=as_utc(row.created_at) or utcnow(),
        decided_at=as_utc(row.decided_at),
    )


DECISION_COLUMNS = [
    *decisions.c,
    sites.c.slug.label("site_slug"),
    comments.c.article_id,
    comments.c.spam,
    comments.c.toxicity,
    comments.c.reasons,
    users.c.email.label("user_email"),
]


def decision_from_row(row: Row[Any]) -> Decision:
    """Build a Decision from a row selected with DECISION_COLUMNS."""
    return Decision(
        id=row.id,
        comment_id=row.comment_id,
        site_id=row.site_id,
        site_slug=row.site_slug,
        article_id=row.article_id,
        event=Event(row.event),
        decided_by=DecidedBy(row.decided_by),
        previous_status=Status(row.previous_status),
        new_status=Status(row.new_status),
        created_at=as_utc(row.created_at) or utcnow(),
        reason=row.reason,
        model_version=row.model_version,
        user_email=row.user_email,
        spam=row.spam,
        toxicity=row.toxicity,
        reasons=tuple(row.reasons or ()),
        published_at=as_utc(row.published_at),
    )


def decisions_query() -> Any:
    """A SELECT of decisions joined with what a published result needs."""
    return (
        select(*DECISION_COLUMNS)
        .select_from(decisions)
        .join(comments, comments.c.id == decisions.c.comment_id)
        .join(sites, sites.c.id == decisions.c.site_id)
        .outerjoin(users, users.c.id == decisions.c.user_id)
    )


class CommentRepository:
    """All SQL about comments and the decisions made on them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add(self, site: Site, submission: Submission, comment_id: str | None = None) -> Comment:
        """Store a new pending comment and commit, before anything is enqueued."""
        now = utcnow()
        comment_id = comment_id or new_comment_id()
        values = {
            "id": comment_id,
            "site_id": site.id,
            "article_id": submission.article_id,
            "parent_id": submission.parent_id,
            "sender_name": submission.sender_name,
            "email": submission.email,
            "body": submission.comment,
            "author_ip": submission.author_ip,
            "user_agent": submission.user_agent,
            "referrer": submission.referrer,
            "permalink": submission.permalink,
            "status": Status.PENDING.value,
            "created_at": now,
            "enqueued_at": now,
        }
        with self._db.write() as connection:
            connection.execute(insert(comments).values(**values))
        return Comment(
            id=comment_id,
            site_id=site.id,
            site_slug=site.slug,
            article_id=submission.article_id,
            parent_id=submission.parent_id,
            sender_name=submission.sender_name,
            email=submission.email,
            body=submission.comment,
            author_ip=submission.author_ip,
            user_agent=submission.user_agent,
            referrer=submission.referrer,
            permalink=submission.permalink,
            status=Status.PENDING,
            created_at=now,
        )

    def get(self, comment_id: str, site_id: int | None = None) -> Comment | None:
        """One comment by id, optionally only if it belongs to the given site."""
        query = (
            select(*COMMENT_COLUMNS)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.id == comment_id)
        )
        if site_id is not None:
            query = query.where(comments.c.site_id == site_id)
        with self._db.read() as connection:
            row = connection.execute(query).first()
        return comment_from_row(row) if row else None

    def pending(self, comment_ids: Sequence[str]) -> list[Comment]:
        """The comments among these ids that still wait for a verdict."""
        if not comment_ids:
            return []
        query = (
            select(*COMMENT_COLUMNS)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.id.in_(list(comment_ids)), comments.c.status == Status.PENDING.value)
        )
        with self._db.read() as connection:
            return [comment_from_row(row) for row in connection.execute(query)]

    def blocked_emails(self, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
        """Which (site id, email) pairs belong to blocked authors."""
        wanted = set(pairs)
        if not wanted:
            return set()
        emails = {email for _, email in wanted}
        with self._db.read() as connection:
            rows = connection.execute(
                select(blocked_authors.c.site_id, blocked_authors.c.email).where(
                    blocked_authors.c.email.in_(emails)
                )
            ).all()
        return {(row.site_id, row.email) for row in rows} & wanted

    def record_verdicts(self, verdicts: Sequence[ScoredVerdict]) -> list[Decision]:
        """Record verdicts of pending comments in one transaction; skip any already decided.

        The conditional UPDATE makes this idempotent: a redelivered or concurrent batch finds
        the comment no longer pending and records nothing, so only one verdict is published.
        """
        if not verdicts:
            return []
        now = utcnow()
        recorded: list[int] = []
        with self._db.write() as connection:
            for verdict in verdicts:
                decision_id = self._record_one(connection, verdict, now)
                if decision_id is not None:
                    recorded.append(decision_id)
            return self._decisions(connection, recorded)

    def _record_one(
        self, connection: Connection, verdict: ScoredVerdict, now: datetime
    ) -> int | None:
        """Move one comment out of pending and add its decision row; None if it was not pending."""
        changed = connection.execute(
            update(comments)
            .where(comments.c.id == verdict.comment_id, comments.c.status == Status.PENDING.value)
            .values(
                status=verdict.status.value,
                spam=verdict.spam,
                toxicity=verdict.toxicity,
                attributes=verdict.attributes,
                reasons=verdict.reasons,
                spans=verdict.spans,
                model_version=verdict.model_version,
                decided_by=verdict.decided_by.value,
                decided_at=now,
            )
        ).rowcount
        if changed != 1:
            return None
        return int(
            connection.execute(
                insert(decisions).values(
                    comment_id=verdict.comment_id,
                    site_id=verdict.site_id,
                    event=Event.VERDICT.value,
                    decided_by=verdict.decided_by.value,
                    previous_status=Status.PENDING.value,
                    new_status=verdict.status.value,
                    model_version=verdict.model_version,
                    reason=",".join(verdict.reasons)[:200] or None,
                    created_at=now,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )

    def _decisions(self, connection: Connection, decision_ids: Sequence[int]) -> list[Decision]:
        """Load decisions by id, in id order."""
        if not decision_ids:
            return []
        rows = connection.execute(
            decisions_query().where(decisions.c.id.in_(list(decision_ids))).order_by(decisions.c.id)
        ).all()
        return [decision_from_row(row) for row in rows]

    def mark_published(self, decision_ids: Sequence[int]) -> None:
        """Note that these decisions reached Redis, so the sweep leaves them alone."""
        if not decision_ids:
            return
        with self._db.write() as connection:
            connection.execute(
                update(decisions)
                .where(decisions.c.id.in_(list(decision_ids)), decisions.c.published_at.is_(None))
                .values(published_at=utcnow())
            )

    def claim_stale_pending(self, older_than: timedelta, limit: int = 5000) -> list[str]:
        """Ids of comments pending past the grace period, re-stamped so one sweep owns them."""
        now = utcnow()
        cutoff = now - older_than
        with self._db.write() as connection:
            ids = list(
                connection.execute(
                    select(comments.c.id)
                    .where(
                        comments.c.status == Status.PENDING.value,
                        comments.c.enqueued_at < cutoff,
                    )
                    .order_by(comments.c.enqueued_at)
                    .limit(limit)
                ).scalars()
            )
            if ids:
                connection.execute(
                    update(comments).where(comments.c.id.in_(ids)).values(enqueued_at=now)
                )
        return ids

    def unpublished_decisions(self, older_than: timedelta, limit: int = 5000) -> list[Decision]:
        """Decisions recorded a while ago whose result never reached Redis."""
        cutoff = utcnow() - older_than
        with self._db.read() as connection:
            rows = connection.execute(
                decisions_query()
                .where(and_(decisions.c.published_at.is_(None), decisions.c.created_at < cutoff))
                .order_by(decisions.c.id)
                .limit(limit)
            ).all()
        return [decision_from_row(row) for row in rows]

    def history(self, comment_id: str) -> list[Decision]:
        """Every decision on a comment, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(
                decisions_query()
                .where(decisions.c.comment_id == comment_id)
                .order_by(decisions.c.id)
            ).all()
        return [decision_from_row(row) for row in rows]
