"""Authors' data: export, erasure in resumable jobs, and retention's purges.

Erasure works comment by comment batches, each one transaction that blanks the comment and
everything holding its text (labels, appeals, reports' messages), so an interrupted job never
leaves half a comment behind; the job row says what is left to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from domain.records import utcnow
from domain.store.base import Database
from domain.store.tables import (
    appeals,
    blocked_authors,
    comments,
    decisions,
    erasure_jobs,
    labels,
    reader_reports,
)
from domain.vocabulary import Status

RUNNING, DONE = "running", "done"
RETENTION_MARK = 0  # `comments.erased_by` of comments anonymised by the retention policy


@dataclass(frozen=True)
class ErasureJob:
    """An erasure request: running until every step is done, then kept as its audit record."""

    id: int
    site_id: int
    email: str | None
    email_sha256: str
    status: str
    comments_erased: int
    requested_by: str


def email_digest(email: str) -> str:
    """What the audit keeps of an erased email."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _iso(value: datetime | None) -> str | None:
    """A timestamp for the export."""
    return value.isoformat() if value is not None else None


class AuthorDataRepository:
    """All SQL about one author's data on one site."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # Export

    def export(self, site_id: int, email: str) -> dict[str, Any]:
        """Everything stored about an email on a site, as plain JSON-ready data."""
        with self._db.read() as connection:
            rows = connection.execute(
                select(comments)
                .where(comments.c.site_id == site_id, comments.c.email == email)
                .order_by(comments.c.created_at)
            ).all()
            ids = [row.id for row in rows]
            return {
                "email": email,
                "comments": [_comment(row) for row in rows],
                "decisions": _decisions(connection, ids),
                "reports": _reports(connection, ids),
                "appeals": _appeals(connection, ids),
                "labels": _labels(connection, ids),
                "blocked": connection.execute(
                    select(blocked_authors.c.id).where(
                        blocked_authors.c.site_id == site_id, blocked_authors.c.email == email
                    )
                ).first()
                is not None,
            }

    # Erasure

    def start_erasure(self, site_id: int, email: str, requested_by: str) -> ErasureJob:
        """Record the request first: whatever happens next, the job is there to resume."""
        digest = email_digest(email)
        values = {
            "site_id": site_id,
            "email": email,
            "email_sha256": digest,
            "requested_by": requested_by[:64],
            "status": RUNNING,
            "comments_erased": 0,
            "created_at": utcnow(),
        }
        with self._db.write() as connection:
            inserted = connection.execute(insert(erasure_jobs).values(**values))
        job_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
        return ErasureJob(job_id, site_id, email, digest, RUNNING, 0, requested_by)

    def unfinished(self) -> list[ErasureJob]:
        """Jobs an interrupted process left running, oldest first."""
        query = (
            select(erasure_jobs).where(erasure_jobs.c.status == RUNNING).order_by(erasure_jobs.c.id)
        )
        with self._db.read() as connection:
            return [_job(row) for row in connection.execute(query)]

    def jobs(self, site_id: int, email: str) -> list[ErasureJob]:
        """The audit of erasures of an email on a site."""
        query = select(erasure_jobs).where(
            erasure_jobs.c.site_id == site_id, erasure_jobs.c.email_sha256 == email_digest(email)
        )
        with self._db.read() as connection:
            return [_job(row) for row in connection.execute(query.order_by(erasure_jobs.c.id))]

    def erase_batch(self, job: ErasureJob, limit: int) -> int:
        """Anonymise up to `limit` of the author's comments in one transaction; 0 when done."""
        assert job.email is not None, "a finished job has nothing left to erase"
        with self._db.write() as connection:
            ids = list(
                connection.execute(
                    select(comments.c.id)
                    .where(comments.c.site_id == job.site_id, comments.c.email == job.email)
                    .order_by(comments.c.id)
                    .limit(limit)
                ).scalars()
            )
            anonymise(connection, ids, job.id, keep_label_texts=False)
        return len(ids)

    def finish_erasure(self, job: ErasureJob) -> ErasureJob:
        """Lift any block on the email, count what was erased, and forget the email."""
        with self._db.write() as connection:
            connection.execute(
                blocked_authors.delete().where(
                    blocked_authors.c.site_id == job.site_id, blocked_authors.c.email == job.email
                )
            )
            erased = int(
                connection.execute(
                    select(func.count()).where(comments.c.erased_by == job.id)
                ).scalar_one()
            )
            connection.execute(
                update(erasure_jobs)
                .where(erasure_jobs.c.id == job.id)
                .values(status=DONE, email=None, comments_erased=erased, finished_at=utcnow())
            )
        return ErasureJob(
            job.id, job.site_id, None, job.email_sha256, DONE, erased, job.requested_by
        )

    # Retention

    def purge_rejected_texts(
        self, site_id: int, before: datetime, keep_label_texts: bool, limit: int
    ) -> int:
        """Blank the texts of rejected comments decided before a moment (oldest first)."""
        with self._db.write() as connection:
            ids = list(
                connection.execute(
                    select(comments.c.id)
                    .where(
                        comments.c.site_id == site_id,
                        comments.c.status == Status.REJECTED.value,
                        comments.c.decided_at < before,
                        comments.c.body != "",
                    )
                    .order_by(comments.c.decided_at)
                    .limit(limit)
                ).scalars()
            )
            _blank_texts(connection, ids, keep_label_texts)
        return len(ids)

    def anonymise_decided(
        self, site_id: int, before: datetime, keep_label_texts: bool, limit: int
    ) -> int:
        """Anonymise decided comments decided before a moment (oldest first)."""
        with self._db.write() as connection:
            ids = list(
                connection.execute(
                    select(comments.c.id)
                    .where(
                        comments.c.site_id == site_id,
                        comments.c.status != Status.PENDING.value,
                        comments.c.decided_at < before,
                        comments.c.erased_by.is_(None),
                    )
                    .order_by(comments.c.decided_at)
                    .limit(limit)
                ).scalars()
            )
            anonymise(connection, ids, RETENTION_MARK, keep_label_texts)
        return len(ids)


def anonymise(
    connection: Connection, ids: Sequence[str], mark: int, keep_label_texts: bool
) -> None:
    """Blank every personal field of these comments and the texts that quote them."""
    if not ids:
        return
    connection.execute(
        update(comments)
        .where(comments.c.id.in_(ids))
        .values(
            sender_name="",
            email="",
            author_ip=None,
            user_agent=None,
            referrer=None,
            permalink=None,
            erased_by=mark,
        )
    )
    _blank_texts(connection, ids, keep_label_texts)


def _blank_texts(connection: Connection, ids: Sequence[str], keep_label_texts: bool) -> None:
    """Remove the comments' texts, their appeals' and reports' messages, and their labels."""
    if not ids:
        return
    connection.execute(update(comments).where(comments.c.id.in_(ids)).values(body="", spans=[]))
    connection.execute(update(appeals).where(appeals.c.comment_id.in_(ids)).values(message=None))
    connection.execute(
        update(reader_reports).where(reader_reports.c.comment_id.in_(ids)).values(message=None)
    )
    if not keep_label_texts:
        # Kept as retracted rows so the audit still counts them; retraining ignores them.
        connection.execute(
            update(labels)
            .where(labels.c.comment_id.in_(ids))
            .values(text="", retracted_at=func.coalesce(labels.c.retracted_at, utcnow()))
        )


def _job(row: Any) -> ErasureJob:
    """Build an ErasureJob from a row."""
    return ErasureJob(
        row.id,
        row.site_id,
        row.email,
        row.email_sha256,
        row.status,
        row.comments_erased,
        row.requested_by,
    )


def _comment(row: Any) -> dict[str, Any]:
    """One comment as exported."""
    return {
        "id": row.id,
        "article_id": row.article_id,
        "parent_id": row.parent_id,
        "sender_name": row.sender_name,
        "email": row.email,
        "comment": row.body,
        "author_ip": row.author_ip,
        "user_agent": row.user_agent,
        "referrer": row.referrer,
        "permalink": row.permalink,
        "status": row.status,
        "spam": row.spam,
        "toxicity": row.toxicity,
        "reasons": row.reasons or [],
        "decided_by": row.decided_by,
        "statement": row.statement,
        "created_at": _iso(row.created_at),
        "decided_at": _iso(row.decided_at),
    }


def _decisions(connection: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Every decision on these comments (no moderator identities: theirs, not the author's)."""
    query = select(decisions).where(decisions.c.comment_id.in_(ids)).order_by(decisions.c.id)
    return [
        {
            "id": r.id,
            "comment_id": r.comment_id,
            "event": r.event,
            "decided_by": r.decided_by,
            "previous_status": r.previous_status,
            "status": r.new_status,
            "reason": r.reason,
            "statement": r.statement,
            "decided_at": _iso(r.created_at),
        }
        for r in connection.execute(query)
    ]


def _reports(connection: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Reports on these comments, without the reporters' identities or words (theirs)."""
    query = (
        select(reader_reports)
        .where(reader_reports.c.comment_id.in_(ids))
        .order_by(reader_reports.c.id)
    )
    return [
        {
            "comment_id": r.comment_id,
            "reason": r.reason,
            "legal_grounds": r.legal_grounds,
            "created_at": _iso(r.created_at),
        }
        for r in connection.execute(query)
    ]


def _appeals(connection: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The author's appeals and their outcomes."""
    query = select(appeals).where(appeals.c.comment_id.in_(ids)).order_by(appeals.c.id)
    return [
        {
            "comment_id": r.comment_id,
            "decision_id": r.decision_id,
            "message": r.message,
            "status": r.status,
            "outcome_reason": r.outcome_reason,
            "created_at": _iso(r.created_at),
            "decided_at": _iso(r.decided_at),
        }
        for r in connection.execute(query)
    ]


def _labels(connection: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The training labels made from these comments."""
    query = select(labels).where(labels.c.comment_id.in_(ids)).order_by(labels.c.id)
    return [
        {
            "comment_id": r.comment_id,
            "text": r.text,
            "label": r.label,
            "source": r.source,
            "retracted": r.retracted_at is not None,
            "created_at": _iso(r.created_at),
        }
        for r in connection.execute(query)
    ]
