"""Comments, their verdicts, and the decisions outbox that feeds the results publisher."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BindParameter,
    Connection,
    and_,
    bindparam,
    insert,
    or_,
    select,
    update,
)

from domain.records import Comment, Decision, Site, Submission, utcnow
from domain.store.base import Database, RowInserter
from domain.store.rows import (
    COMMENT_COLUMNS,
    comment_from_row,
    decision_from_row,
    decisions_query,
)
from domain.store.tables import blocked_authors, comments, decisions, sites
from domain.vocabulary import DecidedBy, Event, Status

RECORD_VERDICT = (
    update(comments)
    .where(comments.c.id == bindparam("b_id"), comments.c.status == Status.PENDING.value)
    .values(
        {
            column: bindparam(f"b_{column}", type_=comments.c[column].type)
            for column in (
                "status", "spam", "toxicity", "attributes", "reasons", "spans",
                "model_version", "decided_by", "decided_at", "statement", "language",
            )
        }
    )
)  # fmt: skip
INSERT_DECISIONS = insert(decisions).returning(decisions.c.id, sort_by_parameter_order=True)
# The worker's per-batch statements, with the batch's ids as one expanding parameter: building
# them per batch cost the worker about a millisecond of SQLAlchemy expression work.
_BATCH_IDS: BindParameter[str] = bindparam("ids", expanding=True)
SELECT_PENDING = (
    select(*COMMENT_COLUMNS, blocked_authors.c.id.is_not(None).label("author_blocked"))
    .join(sites, sites.c.id == comments.c.site_id)
    .outerjoin(
        blocked_authors,
        (blocked_authors.c.site_id == comments.c.site_id)
        & (blocked_authors.c.email == comments.c.email),
    )
    .where(comments.c.id.in_(_BATCH_IDS), comments.c.status == Status.PENDING.value)
)
SELECT_STILL_PENDING = (
    select(comments.c.id, comments.c.article_id, sites.c.slug)
    .join(sites, sites.c.id == comments.c.site_id)
    .where(comments.c.id.in_(_BATCH_IDS), comments.c.status == Status.PENDING.value)
)
LOCK_STILL_PENDING = SELECT_STILL_PENDING.with_for_update(of=comments)  # PostgreSQL
MARK_PUBLISHED = (
    update(decisions)
    .where(decisions.c.id.in_(bindparam("decision_ids", expanding=True)),
           decisions.c.published_at.is_(None))
    .values(published_at=bindparam("now", type_=decisions.c.published_at.type))
)


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
    statement: dict[str, Any] | None = None  # a rejection's statement of reasons
    language: str | None = None


def new_comment_id() -> str:
    """A random, unguessable comment id."""
    return uuid.uuid4().hex


class CommentRepository:
    """All SQL about comments and the decisions made on them."""

    def __init__(self, db: Database) -> None:
        self._db = db
        # intake's INSERT, compiled once and run on the driver's connection: building a
        # statement per row, or SQLAlchemy's execution of a prebuilt one, cost more CPU than
        # the database's own work (docs/performance.md)
        self._insert = RowInserter(db, comments)

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
            "section": submission.section,
            "article_title": submission.article_title,
            "article_url": submission.article_url,
            "nudged": submission.nudged or None,
            "status": Status.PENDING.value,
            "created_at": now,
            "enqueued_at": now,
        }
        self._insert.insert(values)
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
            section=submission.section,
            article_title=submission.article_title,
            article_url=submission.article_url,
            nudged=submission.nudged,
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
        with self._db.read() as connection:
            rows = connection.execute(SELECT_PENDING, {"ids": list(comment_ids)}).all()
        found = []
        for row in rows:
            comment = comment_from_row(row)
            comment.author_blocked = bool(row.author_blocked)
            found.append(comment)
        return found

    def article_reference_ids(self, site_id: int, article_id: str, max_spam: float,
                              limit: int) -> list[str]:
        """Ids of an article's most recent reference comments, oldest first.

        References are approved comments that a moderator approved or that scored under
        ``max_spam``: approved spam the model missed must not make its copies look on-topic.
        """
        query = (
            select(comments.c.id)
            .where(comments.c.site_id == site_id, comments.c.article_id == article_id,
                   comments.c.status == Status.APPROVED.value,
                   or_(comments.c.spam < max_spam,
                       comments.c.decided_by == DecidedBy.MODERATOR.value))
            .order_by(comments.c.created_at.desc(), comments.c.id.desc())
            .limit(limit)
        )
        with self._db.read() as connection:
            ids = connection.execute(query).scalars().all()
        return list(reversed(ids))

    def bodies(self, comment_ids: Sequence[str]) -> dict[str, str]:
        """The texts of these comments, by id."""
        if not comment_ids:
            return {}
        query = select(comments.c.id, comments.c.body).where(comments.c.id.in_(comment_ids))
        with self._db.read() as connection:
            return {row.id: row.body for row in connection.execute(query)}

    def record_verdicts(
        self, verdicts: Sequence[ScoredVerdict], mark_published: Sequence[int] = ()
    ) -> list[Decision]:
        """Record verdicts of pending comments in one transaction; skip any already decided.

        ``mark_published`` names earlier decisions that reached Redis meanwhile: they are
        marked in the same transaction, which saves the worker a transaction per batch.

        The comments still pending are selected first, under the write lock (SQLite) or with
        their rows locked (PostgreSQL), so a redelivered or concurrent batch finds them decided
        and records nothing: only one verdict is published. The UPDATE stays conditional too.
        Then one executemany UPDATE and one multi-row INSERT record the whole batch.
        """
        wanted: dict[str, ScoredVerdict] = {}
        for verdict in verdicts:
            wanted.setdefault(verdict.comment_id, verdict)  # the first of any repeated id
        if not wanted:
            return []
        now = utcnow()
        with self._db.write() as connection:
            _mark_published(connection, mark_published, now)
            query = SELECT_STILL_PENDING if self._db.is_sqlite else LOCK_STILL_PENDING
            found = connection.execute(query, {"ids": list(wanted)})
            pending = {row.id: row for row in found}
            todo = [verdict for comment_id, verdict in wanted.items() if comment_id in pending]
            if not todo:
                return []
            changed = connection.execute(
                RECORD_VERDICT, [self._verdict_params(verdict, now) for verdict in todo]
            ).rowcount
            if changed not in (-1, len(todo)):
                raise RuntimeError("comments changed while their verdicts were recorded")
            rows = [self._decision_params(verdict, now) for verdict in todo]
            ids = connection.execute(INSERT_DECISIONS, rows).scalars().all()
        return [
            Decision(
                id=int(decision_id),
                comment_id=verdict.comment_id,
                site_id=verdict.site_id,
                site_slug=pending[verdict.comment_id].slug,
                article_id=pending[verdict.comment_id].article_id,
                event=Event.VERDICT,
                decided_by=verdict.decided_by,
                previous_status=Status.PENDING,
                new_status=verdict.status,
                created_at=now,
                reason=row["reason"],
                model_version=verdict.model_version,
                spam=verdict.spam,
                toxicity=verdict.toxicity,
                reasons=tuple(verdict.reasons),
                statement=verdict.statement,
                language=verdict.language,
            )
            for verdict, row, decision_id in zip(todo, rows, ids, strict=True)
        ]

    @staticmethod
    def _verdict_params(verdict: ScoredVerdict, now: datetime) -> dict[str, Any]:
        """Parameters of RECORD_VERDICT for one comment."""
        return {
            "b_id": verdict.comment_id,
            "b_status": verdict.status.value,
            "b_spam": verdict.spam,
            "b_toxicity": verdict.toxicity,
            "b_attributes": verdict.attributes,
            "b_reasons": verdict.reasons,
            "b_spans": verdict.spans,
            "b_model_version": verdict.model_version,
            "b_decided_by": verdict.decided_by.value,
            "b_decided_at": now,
            "b_statement": verdict.statement,
            "b_language": verdict.language,
        }

    @staticmethod
    def _decision_params(verdict: ScoredVerdict, now: datetime) -> dict[str, Any]:
        """The decisions row of one verdict."""
        return {
            "comment_id": verdict.comment_id,
            "site_id": verdict.site_id,
            "event": Event.VERDICT.value,
            "decided_by": verdict.decided_by.value,
            "previous_status": Status.PENDING.value,
            "new_status": verdict.status.value,
            "model_version": verdict.model_version,
            "reason": ",".join(verdict.reasons)[:200] or None,
            "created_at": now,
            "statement": verdict.statement,
        }

    def mark_published(self, decision_ids: Sequence[int]) -> None:
        """Note that these decisions reached Redis, so the sweep leaves them alone."""
        if not decision_ids:
            return
        with self._db.write() as connection:
            _mark_published(connection, decision_ids, utcnow())

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


def _mark_published(connection: Connection, decision_ids: Sequence[int], now: datetime) -> None:
    """Stamp decisions as published (those not stamped yet) inside the caller's transaction."""
    if decision_ids:
        connection.execute(MARK_PUBLISHED, {"decision_ids": list(decision_ids), "now": now})
