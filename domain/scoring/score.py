"""Scoring: the worker's batches (score -> decide -> record -> publish) and one-off scoring."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from classifier import ModelBundle, Score
from domain.infra.collaborators import Runtime
from domain.infra.metrics import metrics
from domain.newsroom.reports import apply_reports
from domain.publishing.deliver import deliver, publish
from domain.records import Comment, Decision, Site, Submission, utcnow
from domain.scoring.decide import blocked_author_verdict, model_verdict, to_record
from domain.store import ScoredVerdict
from domain.vocabulary import Status

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
        _observe_latency(comments, decisions, set(self._published))
        # Readers may have reported a comment while it waited: count them now it is approved.
        approved = [d.comment_id for d in decisions if d.new_status is Status.APPROVED]
        return decisions + apply_reports(self._runtime, approved)

    def flush(self) -> None:
        """Note the last batch as published now (the queue is empty, or we are stopping)."""
        if self._published:
            self._runtime.store.comments.mark_published(self._published)
            self._published = []


def _observe_latency(comments: Sequence[Comment], decisions: Sequence[Decision],
                     published: set[int]) -> None:
    """POST -> published verdict, from the comment's stored time (clocks of nodes in NTP sync)."""
    posted = {c.id: c.created_at for c in comments}
    now = utcnow()
    histogram = metrics().verdict_latency
    for d in decisions:
        if d.id in published and d.comment_id in posted:
            histogram.observe(max(0.0, (now - posted[d.comment_id]).total_seconds()))


def score_now(site: Site, submission: Submission, runtime: Runtime) -> tuple[Comment, Score]:
    """Store, score, record and publish one comment synchronously (for the compatibility APIs).

    The comment is committed first, as at intake, so a failure after that leaves it pending
    for the sweep rather than lost.
    """
    comment = runtime.store.comments.add(site, submission)
    bundle = runtime.models.current()
    [score] = _score_in_context(bundle, [comment], runtime)
    if runtime.store.comments.blocked_emails([(comment.site_id, comment.email)]):
        verdict = to_record(comment, blocked_author_verdict(), None, None, site.policy)
    else:
        decided = model_verdict(site.policy, score, bundle)
        verdict = to_record(comment, decided, score, bundle.version, site.policy)
    publish(runtime.store.comments.record_verdicts([verdict]), runtime)
    return runtime.store.comments.get(comment.id) or comment, score


def _verdicts(comments: list[Comment], runtime: Runtime) -> list[ScoredVerdict]:
    """Blocked authors are rejected by rule; everyone else is scored in one batch."""
    sites = runtime.store.sites.cached_by_id()

    def policy(comment: Comment) -> dict[str, Any]:
        site = sites.get(comment.site_id)
        return site.policy if site else {}

    verdicts = [
        to_record(c, blocked_author_verdict(), None, None, policy(c))
        for c in comments
        if c.author_blocked
    ]
    to_score = [c for c in comments if not c.author_blocked]
    if not to_score:
        return verdicts
    bundle = runtime.models.current()
    scores = _score_in_context(bundle, to_score, runtime)
    for comment, score in zip(to_score, scores, strict=True):
        verdict = model_verdict(policy(comment), score, bundle)
        verdicts.append(to_record(comment, verdict, score, bundle.version, policy(comment)))
    return verdicts


def _score_in_context(bundle: ModelBundle, batch: list[Comment], runtime: Runtime) -> list[Score]:
    """Score comments beside their articles' reference comments (unless turned off)."""
    contexts = runtime.article_contexts
    if contexts is None:
        return bundle.score([c.body for c in batch])
    scores = bundle.score([c.body for c in batch], contexts.references(bundle, batch))
    contexts.remember(bundle, [c.id for c in batch], scores)
    return scores


