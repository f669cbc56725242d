"""Scoring: the worker's batches (score -> decide -> record -> publish) and one-off scoring."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from classifier import ModelBundle, Score
from domain.infra.collaborators import Runtime
from domain.publishing.deliver import deliver, publish
from domain.records import Comment, Decision, Site, Submission
from domain.scoring.decide import blocked_author_verdict, model_verdict, to_record
from domain.store import ScoredVerdict

log = logging.getLogger(__name__)


def score_comments(comment_ids: Sequence[str], runtime: Runtime) -> list[Decision]:
    """Score the still-pending comments among these ids, record verdicts and publish them."""
    scorer = BatchScorer(runtime)
    decisions = scorer.score(comment_ids)
    scorer.flush()
    return decisions


class BatchScorer:
    """Scores batch after batch for one consumer, with one write transaction per batch.

    A batch's decisions are noted as published inside the next batch's transaction (or by
    ``flush`` when the queue runs dry), instead of in a transaction of their own. Until then
    the outbox still lists them; if the process dies, the sweep publishes them again, and the
    publish-once guard keeps the stream free of repeats.
    """

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._published: list[int] = []

    def score(self, comment_ids: Sequence[str]) -> list[Decision]:
        """Score the still-pending comments among these ids, record and publish the verdicts."""
        store = self._runtime.store
        comments = store.comments.pending(comment_ids)
        if not comments:
            self.flush()
            return []
        verdicts = _verdicts(comments, self._runtime)
        decisions = store.comments.record_verdicts(verdicts, mark_published=self._published)
        self._published = deliver(decisions, self._runtime)
        return decisions

    def flush(self) -> None:
        """Note the last batch as published now (the queue is empty, or we are stopping)."""
        if self._published:
            self._runtime.store.comments.mark_published(self._published)
            self._published = []


def score_now(site: Site, submission: Submission, runtime: Runtime) -> tuple[Comment, Score]:
    """Store, score, record and publish one comment synchronously (for the compatibility APIs).

    The comment is committed first, as at intake, so a failure after that leaves it pending
    for the sweep rather than lost.
    """
    comment = runtime.store.comments.add(site, submission)
    bundle = runtime.models.current()
    [score] = _score_in_context(bundle, [comment], runtime)
    if runtime.store.comments.blocked_emails([(comment.site_id, comment.email)]):
        verdict = to_record(comment, blocked_author_verdict(), None, None)
    else:
        decided = model_verdict(site.policy, score, bundle)
        verdict = to_record(comment, decided, score, bundle.version)
    publish(runtime.store.comments.record_verdicts([verdict]), runtime)
    return runtime.store.comments.get(comment.id) or comment, score


def _verdicts(comments: list[Comment], runtime: Runtime) -> list[ScoredVerdict]:
    """Blocked authors are rejected by rule; everyone else is scored in one batch."""
    verdicts = [
        to_record(c, blocked_author_verdict(), None, None) for c in comments if c.author_blocked
    ]
    to_score = [c for c in comments if not c.author_blocked]
    if not to_score:
        return verdicts
    bundle = runtime.models.current()
    sites = runtime.store.sites.cached_by_id()
    scores = _score_in_context(bundle, to_score, runtime)
    for comment, score in zip(to_score, scores, strict=True):
        site = sites.get(comment.site_id)
        verdict = model_verdict(site.policy if site else {}, score, bundle)
        verdicts.append(to_record(comment, verdict, score, bundle.version))
    return verdicts


def _score_in_context(bundle: ModelBundle, batch: list[Comment], runtime: Runtime) -> list[Score]:
    """Score comments beside their articles' reference comments (unless turned off)."""
    contexts = runtime.article_contexts
    if contexts is None:
        return bundle.score([c.body for c in batch])
    scores = bundle.score([c.body for c in batch], contexts.references(bundle, batch))
    contexts.remember(bundle, [c.id for c in batch], scores)
    return scores


