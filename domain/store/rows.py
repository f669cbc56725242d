"""Rows to records: the columns a comment or a decision is selected with, and their mapping."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select

from domain.records import Comment, Decision, utcnow
from domain.store.base import as_utc
from domain.store.tables import comments, decisions, sites, users
from domain.vocabulary import DecidedBy, Event, Status

COMMENT_COLUMNS = [*comments.c, sites.c.slug.label("site_slug")]

def comment_from_row(row: Any) -> Comment:
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
        language=row.language,
        decided_by=DecidedBy(row.decided_by) if row.decided_by else None,
        created_at=as_utc(row.created_at) or utcnow(),
        decided_at=as_utc(row.decided_at),
        statement=row.statement,
        section=row.section,
        article_title=row.article_title,
        article_url=row.article_url,
        nudged=bool(row.nudged),
    )


DECISION_COLUMNS = [
    *decisions.c,
    sites.c.slug.label("site_slug"),
    comments.c.article_id,
    comments.c.spam,
    comments.c.toxicity,
    comments.c.reasons,
    comments.c.language,
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
        language=row.language,
        published_at=as_utc(row.published_at),
        statement=row.statement,
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
