"""A moderator's decisions as plain functions: review, record, publish, label.

They take the store (and what publishing needs) and the acting User, so the pages, the API
and the tests share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from domain.newsroom.statements import rejection_statements
from domain.publishing.deliver import Publishing, publish
from domain.records import Comment, Decision, Site, User
from domain.scoring.decide import Thresholds, thresholds_for
from domain.scoring.model_provider import ModelProvider
from domain.store import Store
from domain.store.labels import Label
from domain.store.review.review_queue import UNDO_REASON, Applied, Change
from domain.vocabulary import AXES, Status

# Why a moderator rejected (or, rarely, approved) a comment; also what it teaches the models.
REASONS = ("spam", "toxic", "off_topic", "other")
DECIDABLE = (Status.APPROVED, Status.REJECTED)
LABEL_SOURCE = "moderator"


class ModerationError(Exception):
    """A moderator's request cannot be carried out."""


class NotFound(ModerationError):
    """No such comment, or one on a site the user may not see (the two look alike)."""


class Conflict(ModerationError):
    """The comment changed since the moderator saw it."""

    def __init__(self, comment_id: str, current: Status) -> None:
        super().__init__(f"comment {comment_id} is now {current.value}")
        self.comment_id = comment_id
        self.current = current


class Invalid(ModerationError):
    """Bad input, with every problem per field (as the API's 422 reports them)."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = dict(errors)


@dataclass
class Outcome:
    """What a moderator's action did."""

    decisions: list[Decision] = field(default_factory=list)
    conflicts: dict[str, Status] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    published: bool = True


def check_decision(status: object, reason: object) -> tuple[Status, str | None]:
    """Validate a requested status and reason; raises Invalid listing every problem."""
    errors: dict[str, list[str]] = {}
    new_status = None
    if status not in [s.value for s in DECIDABLE]:
        errors["status"] = ["Status must be approved or rejected"]
    else:
        new_status = Status(str(status))
    if reason in (None, ""):
        reason = None
    elif reason not in REASONS:
        errors["reason"] = [f"Reason must be one of {', '.join(REASONS)}"]
    if errors or new_status is None:
        raise Invalid(errors)
    return new_status, reason if isinstance(reason, str) else None


def labels_for(status: Status, reason: str | None) -> list[str]:
    """The training labels a decision teaches: approving says ham and ok unless the reason
    says otherwise; rejecting as spam says spam, as toxic says toxic, anything else nothing."""
    if status is Status.APPROVED:
        return [
            label
            for label, contradicted_by in (("ham", "spam"), ("ok", "toxic"))
            if reason != contradicted_by
        ]
    if status is Status.REJECTED:
        return {"spam": ["spam"], "toxic": ["toxic"]}.get(reason or "", [])
    return []


def moderate(
    store: Store,
    publishing: Publishing,
    user: User,
    comment_id: str,
    new_status: Status,
    reason: str | None = None,
    expected: Status | None = None,
) -> Decision | None:
    """Approve or reject one comment the moderator saw in status `expected`.

    Raises NotFound for a comment the user may not see and Conflict when it changed meanwhile.
    Returns None when the comment already has that status and nothing was expected of it.
    """
    found = _visible(store, user, [comment_id])
    if not found:
        raise NotFound(comment_id)
    comment = found[0]
    if expected is None:
        if comment.status is new_status:
            return None
        expected = comment.status
    seen = [(comment.id, expected)]
    outcome = _apply(store, publishing, user, {comment.id: comment}, seen, new_status, reason)
    if comment.id in outcome.conflicts:
        raise Conflict(comment.id, outcome.conflicts[comment.id])
    if not outcome.decisions:
        raise NotFound(comment_id)  # deleted between the two reads
    return outcome.decisions[0]


def moderate_many(
    store: Store,
    publishing: Publishing,
    user: User,
    seen: Sequence[tuple[str, Status]],
    new_status: Status,
    reason: str | None = None,
) -> Outcome:
    """Approve or reject a selection of (comment id, status seen) in one transaction.

    Comments that changed meanwhile are left alone and reported as conflicts; the rest apply.
    """
    visible = {c.id: c for c in _visible(store, user, [cid for cid, _ in seen])}
    outcome = _apply(
        store,
        publishing,
        user,
        visible,
        [(cid, st) for cid, st in seen if cid in visible],
        new_status,
        reason,
    )
    outcome.missing += [cid for cid, _ in seen if cid not in visible]
    return outcome


def undo_last(
    store: Store, publishing: Publishing, user: User, comment_id: str | None = None
) -> Outcome:
    """Undo the user's latest action (a bulk action as a whole) by recording new decisions
    that restore the previous statuses, and retract the labels the undone action taught."""
    last = [
        d
        for d in store.moderation.last_action(user.id, comment_id)
        if user.may_see(d.site_slug)
    ]
    if not last:
        return Outcome()
    changes = [Change(d.comment_id, d.new_status, d.previous_status, UNDO_REASON) for d in last]
    applied = store.moderation.apply(changes, user.id)
    undone = {d.comment_id for d in applied.decisions}
    store.labels.retract_taught_by(d.id for d in last if d.comment_id in undone)
    return _finish(publishing, applied)


def reject_all_by_author(
    store: Store,
    publishing: Publishing,
    user: User,
    site_slug: str,
    email: str,
    reason: str | None = "spam",
) -> Outcome:
    """Reject every comment an author wrote on a site that is not rejected yet."""
    if not user.may_see(site_slug):
        raise NotFound(site_slug)
    comments = store.moderation.by_author(site_slug, email)
    seen = [(c.id, c.status) for c in comments if c.status is not Status.REJECTED]
    return moderate_many(store, publishing, user, seen, Status.REJECTED, reason)


def block_author(store: Store, user: User, site_slug: str, email: str) -> bool:
    """Block an author on a site: the pipeline rejects their later comments by rule.

    Returns False if they were already blocked.
    """
    site = store.sites.by_slug(site_slug)
    if site is None or not user.may_see(site_slug):
        raise NotFound(site_slug)
    return store.moderation.block(site.id, email, user.id)


def unblock_author(store: Store, user: User, site_slug: str, email: str) -> bool:
    """Lift a block on an author; returns False if they were not blocked."""
    site = store.sites.by_slug(site_slug)
    if site is None or not user.may_see(site_slug):
        raise NotFound(site_slug)
    return store.moderation.unblock(site.id, email)


def flag_lines(
    store: Store, models: ModelProvider, site_ids: Mapping[str, int]
) -> dict[int, tuple[float, float]]:
    """Each site's (spam, toxicity) flag thresholds, the line the queue's uncertainty sorts by."""
    return lines_of(visible_thresholds(store, models, site_ids), site_ids)


def lines_of(
    thresholds: Mapping[str, Thresholds], site_ids: Mapping[str, int]
) -> dict[int, tuple[float, float]]:
    """The (spam, toxicity) flag lines by site id, from thresholds by site slug."""
    return {site_ids[slug]: (t.flag[AXES[0]], t.flag[AXES[1]]) for slug, t in thresholds.items()}


def visible_thresholds(
    store: Store, models: ModelProvider, site_ids: Mapping[str, int]
) -> dict[str, Thresholds]:
    """The thresholds the worker applies to each of these sites, by slug."""
    return {
        site.slug: site_thresholds(models, site)
        for site in store.sites.all()
        if site.slug in site_ids
    }


def site_thresholds(models: ModelProvider, site: Site) -> Thresholds:
    """The thresholds the worker applies to a site: its own, else the current model's."""
    return thresholds_for(site.policy, models.recommended_thresholds())


def highlight(text: str, spans: Iterable[Mapping[str, Any]]) -> list[tuple[str, str | None]]:
    """Split the original text at the explanation spans into (segment, axis or None) pieces.

    Spans that overlap an earlier one, fall outside the text or name an unknown axis are
    skipped, so the pieces always join back to exactly the original text.
    """
    pieces: list[tuple[str, str | None]] = []
    position = 0
    usable = []
    for span in spans:
        try:
            begin, end, axis = int(span["begin"]), int(span["end"]), str(span["axis"])
        except (KeyError, TypeError, ValueError):
            continue
        if (axis in AXES or axis == "rule") and 0 <= begin < end <= len(text):
            usable.append((begin, end, axis))
    for begin, end, axis in sorted(usable):
        if begin < position:
            continue
        if begin > position:
            pieces.append((text[position:begin], None))
        pieces.append((text[begin:end], axis))
        position = end
    if position < len(text) or not pieces:
        pieces.append((text[position:], None))
    return pieces


def _visible(store: Store, user: User, comment_ids: Sequence[str]) -> list[Comment]:
    """The comments among these ids that the user may see."""
    return store.moderation.comments(list(comment_ids), user.site_slugs)


def _apply(
    store: Store,
    publishing: Publishing,
    user: User,
    comments: Mapping[str, Comment],
    seen: Sequence[tuple[str, Status]],
    new_status: Status,
    reason: str | None,
) -> Outcome:
    """Record the changes, label them, then publish them to the sites.

    A rejection carries its statement of reasons; an approval clears the readers' reports
    the moderator reviewed.
    """
    statements = rejection_statements(store, comments, [c for c, _ in seen], new_status, reason)
    applied = store.moderation.apply(
        [Change(cid, expected, new_status, reason, statements.get(cid)) for cid, expected in seen],
        user.id,
    )
    if new_status is Status.APPROVED:
        store.reader_reports.clear([d.comment_id for d in applied.decisions])
    labels = [
        Label(
            text=comments[d.comment_id].body,
            label=label,
            source=LABEL_SOURCE,
            comment_id=d.comment_id,
            site_id=d.site_id,
            user_id=user.id,
            decision_id=d.id,
        )
        for d in applied.decisions
        for label in labels_for(d.new_status, d.reason)
    ]
    store.labels.add_many(labels)
    return _finish(publishing, applied)


def _finish(publishing: Publishing, applied: Applied) -> Outcome:
    """Publish recorded decisions; on a Redis outage the outbox sweep delivers them later."""
    published = publish(applied.decisions, publishing)
    return Outcome(applied.decisions, applied.conflicts, applied.missing, published)
