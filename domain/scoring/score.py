"""Scoring stored comments: the worker's batches (score -> decide -> record -> publish), and
``score_now`` for the compatibility endpoints, whose callers wait for the verdict. Both go
through the one ``Scorer`` (``domain/scoring/assess.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from domain.infra.metrics import metrics
from domain.newsroom.reports import apply_reports
from domain.publishing.deliver import Publishing, deliver
from domain.records import Comment, Decision, utcnow
from domain.scoring.assess import Assessment, Scorer
from domain.store import Store
from domain.vocabulary import Status

log = logging.getLogger(__name__)


def score_comments(
    comment_ids: Sequence[str], store: Store, scorer: Scorer, publishing: Publishing
) -> list[Decision]:
    """Score the still-pending comments among these ids, record verdicts and publish them."""
    batch = BatchScorer(store, scorer, publishing)
    decisions = batch.score(comment_ids)
    batch.flush()
    return decisions


class BatchScorer:
    """Scores batch after batch for one consumer, with one write transaction per batch.

    A batch's decisions are noted as published inside the next batch's transaction (or by
    ``flush`` when the queue runs dry), instead of in a transaction of their own. Until then
    the outbox still lists them; if the process dies, the sweep publishes them again, and the
    publish-once guard keeps the stream free of repeats.
    """

    def __init__(self, store: Store, scorer: Scorer, publishing: Publishing) -> None:
        self._store = store
        self._scorer = scorer
        self._publishing = publishing
        self._published: list[int] = []

    def score(self, comment_ids: Sequence[str]) -> list[Decision]:
        """Score the still-pending comments among these ids, record and publish the verdicts."""
        decisions, _ = self.score_and_assess(comment_ids)
        return decisions

    def score_and_assess(
        self, comment_ids: Sequence[str]
    ) -> tuple[list[Decision], dict[str, Assessment]]:
        """As ``score``, also returning each scored comment's assessment by comment id."""
        store = self._store
        comments = store.comments.pending(comment_ids)
        if not comments:
            self.flush()
            return [], {}
        policies = {i: site.policy for i, site in store.sites.cached_by_id().items()}
        assessments = self._scorer.assess(comments, policies)
        verdicts = [
            a.to_record(c, policies.get(c.site_id, {}))
            for c, a in zip(comments, assessments, strict=True)
        ]
        decisions = store.comments.record_verdicts(verdicts, mark_published=self._published)
        self._published = deliver(decisions, self._publishing)
        _observe_latency(comments, decisions, set(self._published))
        # Readers may have reported a comment while it waited: count them now it is approved.
        approved = [d.comment_id for d in decisions if d.new_status is Status.APPROVED]
        decisions += apply_reports(store, self._publishing, approved)
        return decisions, {c.id: a for c, a in zip(comments, assessments, strict=True)}

    def flush(self) -> None:
        """Note the last batch as published now (the queue is empty, or we are stopping)."""
        if self._published:
            self._store.comments.mark_published(self._published)
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


def score_now(
    comment: Comment, store: Store, scorer: Scorer, publishing: Publishing
) -> Assessment | None:
    """Score one stored comment at once, exactly as a worker's batch would, and publish it.

    For the compatibility endpoints, whose callers wait for the verdict. None when the comment
    is no longer pending (a worker took it first: its verdict stands).
    """
    batch = BatchScorer(store, scorer, publishing)
    _, assessments = batch.score_and_assess([comment.id])
    batch.flush()
    return assessments.get(comment.id)
