"""The queue's listing SQL: what a moderator filters on, the sort orders, and paging.

``ModerationRepository.queue`` (review_queue.py) runs it. The ``informative`` order puts the
comments of a ranking computed outside SQL (domain/review/informative.py) first, in its order,
and the rest after them in ``uncertainty`` order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    case,
    func,
    literal,
    or_,
    select,
    tuple_,
)

from domain.records import Comment
from domain.store.accounts.sites import visible_to
from domain.store.newsroom.appeals import appealed_condition
from domain.store.newsroom.reader_reports import reported_condition
from domain.store.rows import COMMENT_COLUMNS
from domain.store.tables import comments, sites
from domain.vocabulary import Status

# The queue's public status filter (`?status=`); "all" also shows comments still pending;
# "reported" holds comments with readers' reports to review, "appealed" authors' appeals.
STATUS_FILTERS = ("flagged", "approved", "rejected", "all", "reported", "appealed")
SPECIAL_QUEUES = {"reported": reported_condition, "appealed": appealed_condition}
# Public values of `?sort=`: never rename one (bookmarks and API clients use them).
SORTS = ("oldest", "newest", "score", "uncertainty", "informative")


@dataclass(frozen=True)
class QueueFilter:
    """What a moderator asked to see in the queue."""

    status: str = "flagged"
    sort: str = "oldest"
    site: str | None = None
    article_id: str | None = None
    language: str | None = None  # ISO 639-1 or "und"
    created_from: datetime | None = None
    created_to: datetime | None = None
    score_min: float | None = None
    score_max: float | None = None
    search: str | None = None
    section: str | None = None
    group: str | None = None  # "article": one story's comments together
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue and how many comments match in all."""

    comments: list[Comment]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the matching comments fill (at least one)."""
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class WaitingComment:
    """A comment waiting for a moderator, as the informative order needs it."""

    id: str
    site_id: int
    body: str


def max_score() -> ColumnElement[Any]:
    """The higher of a comment's spam and toxicity scores (portable SQL, no GREATEST)."""
    spam = func.coalesce(comments.c.spam, 0.0)
    toxicity = func.coalesce(comments.c.toxicity, 0.0)
    return case((spam >= toxicity, spam), else_=toxicity)


def _distance(score: ColumnElement[Any], centers: Mapping[int, float]) -> ColumnElement[Any]:
    """How far a score lies from its site's flag line (0.5 for sites not in `centers`)."""
    center: ColumnElement[Any] = (
        case(
            *((comments.c.site_id == site_id, literal(line)) for site_id, line in centers.items()),
            else_=literal(0.5),
        )
        if centers
        else literal(0.5)
    )
    delta = func.coalesce(score, 0.0) - center
    return case((delta < 0, -delta), else_=delta)


def uncertainty(centers: Mapping[int, tuple[float, float]]) -> ColumnElement[Any]:
    """Distance of the nearer axis to its flag threshold: small means the model hesitated."""
    spam = _distance(comments.c.spam, {k: v[0] for k, v in centers.items()})
    toxicity = _distance(comments.c.toxicity, {k: v[1] for k, v in centers.items()})
    return case((spam <= toxicity, spam), else_=toxicity)


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with its wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def conditions(wanted: QueueFilter, visible_sites: Sequence[str] | None) -> list[Any]:
    """The WHERE conditions of the filter, among the sites the user may see."""
    where: list[ColumnElement[bool]] = [visible_to(visible_sites)]
    if wanted.status in SPECIAL_QUEUES:
        where.append(SPECIAL_QUEUES[wanted.status]())
    elif wanted.status != "all":
        where.append(comments.c.status == wanted.status)
    for value, column in ((wanted.site, sites.c.slug), (wanted.article_id, comments.c.article_id),
                          (wanted.section, comments.c.section),
                          (wanted.language, comments.c.language)):
        if value:
            where.append(column == value)
    if wanted.created_from:
        where.append(comments.c.created_at >= wanted.created_from)
    if wanted.created_to:
        where.append(comments.c.created_at < wanted.created_to)
    if wanted.score_min is not None:
        where.append(max_score() >= wanted.score_min)
    if wanted.score_max is not None:
        where.append(max_score() <= wanted.score_max)
    if wanted.search:
        pattern = _like(wanted.search)
        where.append(
            or_(
                comments.c.body.like(pattern, escape="\\"),
                comments.c.sender_name.like(pattern, escape="\\"),
                comments.c.email.like(pattern, escape="\\"),
            )
        )
    return where


def order(wanted: QueueFilter, centers: Mapping[int, tuple[float, float]] | None) -> list[Any]:
    """ORDER BY of the sort (``informative``: of the comments after its ranking)."""
    by_uncertainty = [uncertainty(centers or {}).asc(), comments.c.created_at.asc()]
    chosen: list[Any] = {
        "oldest": [comments.c.created_at.asc()],
        "newest": [comments.c.created_at.desc()],
        "score": [max_score().desc(), comments.c.created_at.asc()],
        "uncertainty": by_uncertainty,
        "informative": by_uncertainty,
    }[wanted.sort]
    if wanted.group == "article":
        chosen = [comments.c.site_id, comments.c.article_id, *chosen]
    return [*chosen, comments.c.id]


def listing(where: Sequence[Any]) -> Select[Any]:
    """The comments matching the conditions, with their site's slug."""
    return select(*COMMENT_COLUMNS).join(sites, sites.c.id == comments.c.site_id).where(*where)


def ranked_page(connection: Connection, wanted: QueueFilter, where: Sequence[Any],
                after: Sequence[Any], ranked: Sequence[str]) -> list[Any]:
    """One page of the matching comments: those in ``ranked`` first, in its order, then the
    others ordered by ``after``.

    Grouped by story, a story comes as early as its best-ranked comment, and holds its
    comments that are not ranked too (after its ranked ones, in ``after`` order).
    """
    position = {comment_id: index for index, comment_id in enumerate(ranked)}
    last = len(ranked)
    grouped = wanted.group == "article"

    def story(row: Any) -> tuple[int, str]:
        return (row.site_id, row.article_id) if grouped else (0, row.id)

    keys = (select(comments.c.id, comments.c.site_id, comments.c.article_id)
            .join(sites, sites.c.id == comments.c.site_id))
    found = list(connection.execute(keys.where(*where, comments.c.id.in_(list(ranked)))).all())
    rest: ColumnElement[bool] = comments.c.id.not_in(list(ranked))
    if grouped:
        stories = sorted({story(row) for row in found})
        if stories:
            in_stories = tuple_(comments.c.site_id, comments.c.article_id).in_(stories)
            found = list(connection.execute(keys.where(*where, in_stories).order_by(*after)))
            rest = ~in_stories
        else:
            rest = literal(True)
    best: dict[tuple[int, str], int] = {}
    for row in found:
        best[story(row)] = min(best.get(story(row), last), position.get(row.id, last))
    found.sort(key=lambda row: (best[story(row)], position.get(row.id, last)))  # stable
    offset = (wanted.page - 1) * wanted.per_page
    head = [row.id for row in found[offset:offset + wanted.per_page]]
    rows: list[Any] = sorted(connection.execute(listing([comments.c.id.in_(head)])).all(),
                             key=lambda r: head.index(r.id)) if head else []
    if len(rows) < wanted.per_page:
        rows += connection.execute(
            listing([*where, rest])
            .order_by(*after)
            .limit(wanted.per_page - len(rows))
            .offset(max(0, offset - len(found)))
        ).all()
    return rows


def oldest_waiting(connection: Connection, visible_sites: Sequence[str] | None,
                   limit: int) -> list[WaitingComment]:
    """The oldest flagged English comments of the visible sites (the informative order's pool).

    English: detected as ``en``, or scored before languages were detected (by the English
    model), as retraining counts labels.
    """
    language = comments.c.language
    rows = connection.execute(
        select(comments.c.id, comments.c.site_id, comments.c.body)
        .join(sites, sites.c.id == comments.c.site_id)
        .where(visible_to(visible_sites), comments.c.status == Status.FLAGGED.value,
               or_(language.is_(None), language == "en"))
        .order_by(comments.c.created_at.asc(), comments.c.id)
        .limit(limit)
    ).all()
    return [WaitingComment(row.id, row.site_id, row.body) for row in rows]
