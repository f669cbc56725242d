"""Scoring: the worker's batches (score -> decide -> record -> publish) and one-off scoring."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from classifier import ModelBundle, Score
from domain.infra.collaborators import Runtime
from domain.newsroom.reports import apply_reports
from domain.policies.inputs import histories_for
from domain.policies.judge import Case, judge
from domain.publishing.deliver import deliver, publish
from domain.records import Comment, Decision, Site, Submission
from domain.scoring.decide import blocked_author_verdict, to_record
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
        # Readers may have reported a comment while it waited: count them now it is approved.
        approved = [d.comment_id for d in decisions if d.new_status is Status.APPROVED]
        return decisions + apply_reports(self._runtime, approved)

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
        verdict = to_record(comment, blocked_author_verdict(), None, None, site.policy)
    else:
        [verdict] = _judged([comment], [score], bundle, runtime, lambda _: site.policy)
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
    return verdicts + _judged(to_score, scores, bundle, runtime, policy)


def _judged(
    comments: list[Comment],
    scores: list[Score],
    bundle: ModelBundle,
    runtime: Runtime,
    policy: Callable[[Comment], dict[str, Any]],
) -> list[ScoredVerdict]:
    """The sites' policies (rules, sections, reputation, pre-moderation) on the model's scores."""
    cases = [
        Case(c.site_id, policy(c), c.section, c.body, c.email, c.author_ip, score)
        for c, score in zip(comments, scores, strict=True)
    ]
    rulesets = runtime.rulebook.for_sites({c.site_id for c in comments})
    histories = histories_for(cases, runtime.store.history)
    judgements = judge(cases, bundle, rulesets, histories, bundle.score)
    records = []
    for comment, score, judgement in zip(comments, scores, judgements, strict=True):
        record = to_record(comment, judgement.verdict, score, bundle.version, policy(comment))
        if spans := judgement.rule_spans():
            record = replace(record, spans=[*record.spans, *spans])
        records.append(record)
    return records


def _score_in_context(bundle: ModelBundle, batch: list[Comment], runtime: Runtime) -> list[Score]:
    """Score comments beside their articles' reference comments (unless turned off)."""
    contexts = runtime.article_contexts
    if contexts is None:
        return bundle.score([c.body for c in batch])
    scores = bundle.score([c.body for c in batch], contexts.references(bundle, batch))
    contexts.remember(bundle, [c.id for c in batch], scores)
    return scores


