"""Accepting a comment: store it first, then enqueue it for scoring."""

from __future__ import annotations

from domain.infra.collaborators import Runtime
from domain.publishing.deliver import publish
from domain.records import Comment, Site, Submission
from domain.scoring.decide import rule_decision


def submit_comment(
    site: Site,
    submission: Submission,
    runtime: Runtime,
    comment_id: str | None = None,
    rule_reason: str | None = None,
) -> Comment:
    """Commit the comment, then enqueue it; if Redis is away the sweep enqueues it later.

    A comment caught by a rule (an opted-in form trap) is rejected at once, without scoring,
    and its verdict is published like any other.
    """
    comment = runtime.store.comments.add(site, submission, comment_id)
    if rule_reason:
        decisions = runtime.store.comments.record_verdicts(
            [rule_decision(comment, rule_reason, site.policy)]
        )
        publish(decisions, runtime)
        return runtime.store.comments.get(comment.id) or comment
    runtime.queue.enqueue([comment.id])
    return comment
