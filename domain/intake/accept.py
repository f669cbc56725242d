"""Accepting a comment: admit it (one policy for every way in), store it, then enqueue it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from domain.intake.admission import AbuseGuard, Admission
from domain.intake.pending_queue import PendingQueue
from domain.publishing.deliver import Publishing, publish
from domain.records import Comment, Site, Submission
from domain.scoring.decide import rule_decision
from domain.store import Store
from domain.store.comments import new_comment_id


@dataclass(frozen=True)
class Accepted:
    """The stored comment, or the guard's reason for refusing it (nothing stored)."""

    admission: Admission
    comment: Comment | None = None


def admit_and_store(
    site: Site,
    submission: Submission,
    guard: AbuseGuard,
    store: Callable[[str], Comment],
    anonymous: bool = False,
    generation: str | None = None,
) -> Accepted:
    """Apply the rate limits and the duplicate check, then store the comment under a new id.

    Intake and the compatibility endpoints (Akismet, Perspective, Coral) all come through here,
    so a limited author is limited whichever way the comment arrives. ``store`` is called with
    the comment's id; if it fails, the text's duplicate claim is released (nothing was stored).
    ``generation``: ``site`` came from intake's key cache; unless the guard confirms it, the
    admission is ``stale`` and nothing is counted or stored.
    """
    comment_id = new_comment_id()
    admission = guard.admit(
        site, submission, comment_id, anonymous=anonymous, generation=generation
    )
    if not admission.admitted:
        return Accepted(admission)
    try:
        return Accepted(admission, store(comment_id))
    except Exception:
        guard.release_text(site, submission)
        raise


def submit_comment(
    site: Site,
    submission: Submission,
    store: Store,
    queue: PendingQueue,
    publishing: Publishing,
    comment_id: str | None = None,
    rule_reason: str | None = None,
) -> Comment:
    """Commit the comment, then enqueue it; if Redis is away the sweep enqueues it later.

    A comment caught by a rule (an opted-in form trap) is rejected at once, without scoring,
    and its verdict is published like any other.
    """
    comment = store.comments.add(site, submission, comment_id)
    if rule_reason:
        decisions = store.comments.record_verdicts(
            [rule_decision(comment, rule_reason, site.policy)]
        )
        publish(decisions, publishing)
        return store.comments.get(comment.id) or comment
    queue.enqueue([comment.id])
    return comment
