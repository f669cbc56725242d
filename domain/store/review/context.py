"""What a moderator needs beside a comment: its story, the comment it answers, its author's
record and notes, and the story's whole thread."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, insert, select, tuple_

from domain.records import Comment, Decision, utcnow
from domain.store.accounts.sites import visible_to
from domain.store.base import Database, as_utc
from domain.store.rows import COMMENT_COLUMNS, comment_from_row, decision_from_row, decisions_query
from domain.store.tables import author_notes, blocked_authors, comments, decisions, sites, users
from domain.vocabulary import Status

MAX_NOTE_CHARS = 2000
AuthorKey = tuple[int, str]  # (site id, email)
ArticleKey = tuple[int, str]  # (site id, article id)


@dataclass(frozen=True)
class Note:
    """A moderator's note on an author, visible to every moderator of the site."""

    id: int
    body: str
    created_at: datetime
    user_email: str | None


@dataclass
class AuthorRecord:
    """An author's history on one site, as the queue row shows it."""

    counts: dict[str, int] = field(default_factory=dict)
    first_seen: datetime | None = None
    blocked: bool = False
    notes: int = 0
    latest_note: str | None = None

    def count(self, status: str) -> int:
        """How many of their comments have this status."""
        return self.counts.get(status, 0)


class ContextRepository:
    """Read the context of queue rows in a few set-based queries (one per kind, not per row)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def article_counts(self, keys: Iterable[ArticleKey], status: str) -> dict[ArticleKey, int]:
        """How many comments of each story have this status ('12 flagged on this story')."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        query = (
            select(comments.c.site_id, comments.c.article_id, func.count())
            .where(
                tuple_(comments.c.site_id, comments.c.article_id).in_(wanted),
                comments.c.status == status,
            )
            .group_by(comments.c.site_id, comments.c.article_id)
        )
        with self._db.read() as connection:
            return {(row[0], row[1]): int(row[2]) for row in connection.execute(query)}

    def parents(self, replies: Sequence[Comment]) -> dict[str, Comment]:
        """The comments these replies answer, by id; only parents on the reply's own site."""
        wanted = {(c.site_id, c.parent_id) for c in replies if c.parent_id}
        if not wanted:
            return {}
        query = (
            select(*COMMENT_COLUMNS)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(tuple_(comments.c.site_id, comments.c.id).in_(sorted(wanted)))
        )
        with self._db.read() as connection:
            return {row.id: comment_from_row(row) for row in connection.execute(query)}

    def author_records(self, keys: Iterable[AuthorKey]) -> dict[AuthorKey, AuthorRecord]:
        """Each author's counts by status, first comment, block and notes on the site."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        records = {key: AuthorRecord() for key in wanted}
        pair = tuple_(comments.c.site_id, comments.c.email)
        counts = (
            select(comments.c.site_id, comments.c.email, comments.c.status, func.count(),
                   func.min(comments.c.created_at))
            .where(pair.in_(wanted))
            .group_by(comments.c.site_id, comments.c.email, comments.c.status)
        )  # fmt: skip
        blocked = select(blocked_authors.c.site_id, blocked_authors.c.email).where(
            tuple_(blocked_authors.c.site_id, blocked_authors.c.email).in_(wanted)
        )
        notes = (
            select(author_notes.c.site_id, author_notes.c.email, author_notes.c.body)
            .where(tuple_(author_notes.c.site_id, author_notes.c.email).in_(wanted))
            .order_by(author_notes.c.id)
        )
        with self._db.read() as connection:
            for site_id, email, status, n, first in connection.execute(counts):
                record = records[(site_id, email)]
                record.counts[status] = int(n)
                first = as_utc(first)
                if first and (record.first_seen is None or first < record.first_seen):
                    record.first_seen = first
            for site_id, email in connection.execute(blocked):
                records[(site_id, email)].blocked = True
            for site_id, email, body in connection.execute(notes):
                record = records[(site_id, email)]
                record.notes += 1
                record.latest_note = body
        return records

    def thread(
        self, site_slug: str, article_id: str, visible_sites: Sequence[str] | None, limit: int = 500
    ) -> list[Comment]:
        """Every comment on a story, oldest first (replies are placed under parents by the page)."""
        query = (
            select(*COMMENT_COLUMNS)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(
                sites.c.slug == site_slug,
                comments.c.article_id == article_id,
                visible_to(visible_sites),
            )
            .order_by(comments.c.created_at, comments.c.id)
            .limit(limit)
        )
        with self._db.read() as connection:
            return [comment_from_row(row) for row in connection.execute(query)]

    def sections(self, visible_sites: Sequence[str] | None) -> list[str]:
        """The sections of comments still waiting for a moderator, for the queue's filter."""
        query = (
            select(comments.c.section)
            .join(sites, sites.c.id == comments.c.site_id)
            .where(comments.c.section.is_not(None), visible_to(visible_sites))
            .where(comments.c.status == Status.FLAGGED.value)
            .distinct()
            .order_by(comments.c.section)
        )
        with self._db.read() as connection:
            return [str(value) for value in connection.execute(query).scalars()]

    def latest_decisions(self, comment_ids: Sequence[str]) -> dict[str, Decision]:
        """The latest decision on each of these comments (who decided it, and when)."""
        if not comment_ids:
            return {}
        latest = (
            select(func.max(decisions.c.id))
            .where(decisions.c.comment_id.in_(list(comment_ids)))
            .group_by(decisions.c.comment_id)
        )
        with self._db.read() as connection:
            rows = connection.execute(decisions_query().where(decisions.c.id.in_(latest))).all()
        return {row.comment_id: decision_from_row(row) for row in rows}

    # Notes on authors

    def notes(self, site_id: int, email: str) -> list[Note]:
        """Every note on an author, newest first."""
        query = (
            select(author_notes.c.id, author_notes.c.body, author_notes.c.created_at, users.c.email)
            .outerjoin(users, users.c.id == author_notes.c.user_id)
            .where(author_notes.c.site_id == site_id, author_notes.c.email == email)
            .order_by(author_notes.c.id.desc())
        )
        with self._db.read() as connection:
            return [
                Note(row[0], row[1], as_utc(row[2]) or utcnow(), row[3])
                for row in connection.execute(query)
            ]

    def add_note(self, site_id: int, email: str, user_id: int, body: str) -> None:
        """Record a note on an author."""
        with self._db.write() as connection:
            connection.execute(
                insert(author_notes).values(
                    site_id=site_id,
                    email=email,
                    user_id=user_id,
                    body=body[:MAX_NOTE_CHARS],
                    created_at=utcnow(),
                )
            )
