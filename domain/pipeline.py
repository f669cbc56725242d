"""The worker's steps as plain functions: score, decide, record, publish; and the sweep."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import redis

from classifier import ModelBundle, Score
from classifier.scoring import WITHOUT_IDENTITY
from domain import webhooks
from domain.models import Comment, Decision, Site, Submission, Verdict
from domain.policy import blocked_author_verdict, decide, rule_verdict, thresholds_for
from domain.runtime import Runtime
from domain.store import ScoredVerdict

log = logging.getLogger(__name__)

# Results the first attempt failed to publish wait this long before the sweep retries them,
# so the sweep never races a worker that is about to publish.
REPUBLISH_AFTER = timedelta(seconds=5)


@dataclass
class SweepReport:
    """What one sweep found and did."""

    requeued: list[str] = field(default_factory=list)
    republished: int = 0


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
        verdict = _record(comment, blocked_author_verdict(), None, None)
    else:
        verdict = _record(comment, model_verdict(site.policy, score, bundle), score, bundle.version)
    publish(runtime.store.comments.record_verdicts([verdict]), runtime)
    return runtime.store.comments.get(comment.id) or comment, score


def _verdicts(comments: list[Comment], runtime: Runtime) -> list[ScoredVerdict]:
    """Blocked authors are rejected by rule; everyone else is scored in one batch."""
    verdicts = [
        _record(c, blocked_author_verdict(), None, None) for c in comments if c.author_blocked
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
        verdicts.append(_record(comment, verdict, score, bundle.version))
    return verdicts


def _score_in_context(bundle: ModelBundle, batch: list[Comment], runtime: Runtime) -> list[Score]:
    """Score comments beside their articles' reference comments (unless turned off)."""
    contexts = runtime.article_contexts
    if contexts is None:
        return bundle.score([c.body for c in batch])
    scores = bundle.score([c.body for c in batch], contexts.references(bundle, batch))
    contexts.remember(bundle, [c.id for c in batch], scores)
    return scores


def model_verdict(site_policy: Mapping[str, Any], score: Score, bundle: ModelBundle) -> Verdict:
    """The site's verdict on a score: its own thresholds, else the model's recommended ones."""
    thresholds = thresholds_for(site_policy, bundle.metadata.get("thresholds", {}))
    scores = {"spam": score.spam, "toxicity": score.toxicity}
    if WITHOUT_IDENTITY in score.attributes:
        scores[WITHOUT_IDENTITY] = score.attributes[WITHOUT_IDENTITY]
    return decide(scores, thresholds)


def rule_decision(comment: Comment, reason: str) -> ScoredVerdict:
    """A rule's rejection of a comment, ready to record."""
    return _record(comment, rule_verdict(reason), None, None)


def _record(
    comment: Comment, verdict: Verdict, score: Score | None, model_version: str | None
) -> ScoredVerdict:
    """Combine a comment, its verdict and its score into what the store records."""
    as_dict = score.as_dict() if score is not None else {}
    reasons = list(dict.fromkeys([*as_dict.get("reasons", []), *verdict.reasons]))
    return ScoredVerdict(
        comment_id=comment.id,
        site_id=comment.site_id,
        status=verdict.status,
        decided_by=verdict.decided_by,
        spam=as_dict.get("spam"),
        toxicity=as_dict.get("toxicity"),
        attributes=as_dict.get("attributes", {}),
        reasons=reasons,
        spans=as_dict.get("spans", []),
        model_version=model_version,
    )


def publish(decisions: Sequence[Decision], runtime: Runtime) -> bool:
    """Publish decisions and mark them published; on a Redis error leave them to the sweep."""
    if not decisions:
        return True
    published = deliver(decisions, runtime)
    runtime.store.comments.mark_published(published)
    return len(published) == len(decisions)


def deliver(decisions: Sequence[Decision], runtime: Runtime) -> list[int]:
    """Publish decisions to the sites' streams and queue their webhooks, without marking them.

    Returns the ids now published ([] on a Redis error: the sweep retries them later).
    """
    if not decisions:
        return []
    try:
        published = runtime.publisher.publish(decisions)
    except redis.RedisError as error:
        log.warning(
            "publishing %d result(s) failed, the sweep will retry: %s", len(decisions), error
        )
        return []
    webhooks.hand_over(decisions, runtime)
    return published


def sweep(runtime: Runtime) -> SweepReport:
    """Re-enqueue comments pending too long and re-publish results that never reached Redis."""
    report = SweepReport()
    grace = timedelta(seconds=runtime.settings.pending_grace_seconds)
    stale = runtime.store.comments.claim_stale_pending(grace)
    if stale and runtime.queue.enqueue(stale):
        report.requeued = stale
    unpublished = runtime.store.comments.unpublished_decisions(REPUBLISH_AFTER)
    if unpublished and publish(unpublished, runtime):
        report.republished = len(unpublished)
    if report.requeued or report.republished:
        log.info("sweep re-enqueued %d, re-published %d", len(report.requeued), report.republished)
    return report
