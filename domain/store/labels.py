"""Training labels from moderators, imports and site feedback.

Rows are never deleted or changed, except that undoing a moderator's decision marks the labels
that decision taught as retracted: retraining ignores them, the audit keeps them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update

from domain.records import utcnow
from domain.store.base import Database, as_utc
from domain.store.tables import comments, labels
from domain.vocabulary import LABEL_VALUES


@dataclass(frozen=True)
class Label:
    """One labelled text and where it came from."""

    text: str
    label: str
    source: str
    comment_id: str | None = None
    site_id: int | None = None
    user_id: int | None = None
    created_at: datetime | None = None
    decision_id: int | None = None
    language: str | None = None  # the labelled comment's detected language, if known


class LabelRepository:
    """All SQL about labels; rows are only ever added (and retracted by an undo)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def add_many(self, new_labels: Sequence[Label]) -> int:
        """Append labels in one transaction: all are kept or none."""
        if not new_labels:
            return 0
        for label in new_labels:
            if label.label not in LABEL_VALUES:
                raise ValueError(f"label must be one of {', '.join(LABEL_VALUES)}")
        now = utcnow()
        with self._db.write() as connection:
            connection.execute(
                insert(labels),
                [
                    {
                        "text": label.text,
                        "label": label.label,
                        "source": label.source,
                        "comment_id": label.comment_id,
                        "site_id": label.site_id,
                        "user_id": label.user_id,
                        "created_at": label.created_at or now,
                        "decision_id": label.decision_id,
                    }
                    for label in new_labels
                ],
            )
        return len(new_labels)

    def retract_taught_by(self, decision_ids: Iterable[int]) -> int:
        """Retract the labels the given decisions taught; return how many were retracted."""
        ids = list(decision_ids)
        if not ids:
            return 0
        with self._db.write() as connection:
            result = connection.execute(
                update(labels)
                .where(labels.c.decision_id.in_(ids), labels.c.retracted_at.is_(None))
                .values(retracted_at=utcnow())
            )
        return int(result.rowcount or 0)

    def all(self) -> list[Label]:
        """Every label still standing (not retracted), oldest first."""
        query = (
            select(labels, comments.c.language)
            .outerjoin(comments, comments.c.id == labels.c.comment_id)
            .where(labels.c.retracted_at.is_(None))
            .order_by(labels.c.id)
        )
        with self._db.read() as connection:
            rows = connection.execute(query).all()
        return [
            Label(
                text=row.text,
                label=row.label,
                source=row.source,
                comment_id=row.comment_id,
                site_id=row.site_id,
                user_id=row.user_id,
                created_at=as_utc(row.created_at),
                decision_id=row.decision_id,
                language=row.language,
            )
            for row in rows
        ]

    def recent_english_texts(self, limit: int) -> list[str]:
        """The latest standing labels' distinct texts, newest first, at most ``limit`` of them.

        English only: a label of a comment in another language (its detected language is not
        ``en``) teaches that language's model, never the English one.
        """
        query = (
            select(labels.c.text)
            .outerjoin(comments, comments.c.id == labels.c.comment_id)
            .where(labels.c.retracted_at.is_(None),
                   or_(comments.c.language.is_(None), comments.c.language == "en"))
            .order_by(labels.c.id.desc())
            .limit(2 * limit)  # an approval teaches two labels (ham, ok) of one text
        )
        with self._db.read() as connection:
            texts = connection.execute(query).scalars().all()
        return list(dict.fromkeys(texts))[:limit]

    def count_since(self, since: datetime | None) -> int:
        """How many standing labels were added after a moment (all when None)."""
        query = select(func.count()).select_from(labels).where(labels.c.retracted_at.is_(None))
        if since is not None:
            query = query.where(labels.c.created_at > since)
        with self._db.read() as connection:
            return int(connection.execute(query).scalar_one())
