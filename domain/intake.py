"""Accepting a comment: store it first, then enqueue it for scoring."""

from __future__ import annotations

from domain.models import Comment, Site, Submission
from domain.runtime import Runtime


def submit_comment(site: Site, submission: Submission, runtime: Runtime) -> Comment:
    """Commit the comment, then enqueue it; if Redis is away the sweep enqueues it later."""
    comment = runtime.store.comments.add(site, submission)
    runtime.queue.enqueue([comment.id])
    return comment
