"""Append-only training labels from moderators, imports and site feedback."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select

from domain.models import utcnow
from domain.schema import labels
from domain.store.base import Database, as_utc

LABEL_VALUES = ("spam", "ham", "toxic", "ok")


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


class LabelRepository:
    """All SQL about labels; rows are only ever added."""

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
                    }
                    for label in new_labels
                ],
            )
        return len(new_labels)

    def all(self) -> list[Label]:
        """Every label, oldest first."""
        with self._db.read() as connection:
            rows = connection.execute(select(labels).order_by(labels.c.id)).all()
        return [
            Label(
                text=row.text,
                label=row.label,
                source=row.source,
                comment_id=row.comment_id,
                site_id=row.site_id,
                user_id=row.user_id,
                created_at=as_utc(row.created_at),
            )
            for row in rows
        ]

    def count_since(self, since: datetime | None) -> int:
        """How many labels were added after a moment (all when None)."""
        query = select(func.count()).select_from(labels)
        if since is not None:
            query = query.where(labels.c.created_at > since)
        with self._db.read() as connection:
            return int(connection.execute(query).scalar_one())
