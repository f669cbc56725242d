"""Scoring: the worker's batches (score -> decide -> record -> publish) and one-off scoring."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from classifier import ModelBundle, Score
from classifier.languages import LanguageModels
from domain.infra.collaborators import Runtime
from domain.publishing.deliver import deliver, publish
from domain.records import Comment, Decision, Site, Submission, Verdict
from domain.scoring import languages
from domain.scoring.decide import blocked_author_verdict, model_verdict, to_record
from domain.scoring.languages import LanguagePolicy
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
    for the sweep rather than lost. A comment in a language no model covers gets the site's
    policy verdict and a Score whose toxicity is 0 with the reason ``language:unsupported``.
    """
    comment = runtime.store.comments.add(site, submission)
    if runtime.store.comments.blocked_emails([(comment.site_id, comment.email)]):
        comment.author_blocked = True
    [verdict], scores = _decide(site, [comment], runtime)
    publish(runtime.store.comments.record_verdicts([verdict]), runtime)
    return runtime.store.comments.get(comment.id) or comment, scores[comment.id]


def _verdicts(comments: list[Comment], runtime: Runtime) -> list[ScoredVerdict]:
    """Blocked authors are rejected by rule; everyone else is scored by their language's reader."""
    sites = runtime.store.sites.cached_by_id()
    verdicts: list[ScoredVerdict] = []
    for site_id in dict.fromkeys(c.site_id for c in comments):
        batch = [c for c in comments if c.site_id == site_id]
        verdicts += _decide(sites.get(site_id), batch, runtime)[0]
    return verdicts


def _decide(site: Site | None, batch: list[Comment],
            runtime: Runtime) -> tuple[list[ScoredVerdict], dict[str, Score]]:
    """One site's comments: detect each language, hand each to its reader, decide."""
    site_policy = site.policy if site else {}
    policy = LanguagePolicy.of(site_policy)
    models = runtime.languages.current()
    detections = languages.detect([c.body for c in batch], [policy] * len(batch))
    readers: dict[str, list[Comment]] = {}
    verdicts: list[ScoredVerdict] = []
    for comment, detection in zip(batch, detections, strict=True):
        comment.language = detection.language
        if comment.author_blocked:
            verdicts.append(_with_language(
                to_record(comment, blocked_author_verdict(), None, None), comment))
        else:
            readers.setdefault(languages.reader(detection, policy, models), []).append(comment)
    scores: dict[str, Score] = {}
    for reader, group in readers.items():
        scored = _read(reader, group, site_policy, policy, models, runtime)
        for comment, (verdict, score, version) in zip(group, scored, strict=True):
            scores[comment.id] = score
            verdicts.append(_with_language(to_record(comment, verdict, score, version), comment))
    return verdicts, scores


def _read(reader: str, group: list[Comment], site_policy: dict[str, Any],
          policy: LanguagePolicy, models: LanguageModels,
          runtime: Runtime) -> list[tuple[Verdict, Score, str]]:
    """Scores and verdicts of comments that share a reader (a model, or the site's policy)."""
    texts = [c.body for c in group]
    if reader == languages.ENGLISH:
        bundle = runtime.models.current()
        return [(model_verdict(site_policy, s, bundle), s, bundle.version)
                for s in _score_in_context(bundle, group, runtime)]
    if models.covers(reader):
        return [(languages.language_verdict(site_policy, reader, s, models), s, models.version)
                for s in models.score(texts, reader)]
    out = []
    for spam in models.spam_scores(texts):
        verdict = languages.policy_verdict(policy, reader, spam, models)
        out.append((verdict, Score(spam=spam, toxicity=0.0), models.version))
    return out


def _with_language(record: ScoredVerdict, comment: Comment) -> ScoredVerdict:
    """The record with the comment's detected language (and no toxicity where none was read)."""
    unread = any(r in (languages.UNSUPPORTED, languages.NOT_ACCEPTED) for r in record.reasons)
    return replace(record, language=comment.language,
                   toxicity=None if unread else record.toxicity)


def _score_in_context(bundle: ModelBundle, batch: list[Comment], runtime: Runtime) -> list[Score]:
    """Score comments beside their articles' reference comments (unless turned off)."""
    contexts = runtime.article_contexts
    if contexts is None:
        return bundle.score([c.body for c in batch])
    scores = bundle.score([c.body for c in batch], contexts.references(bundle, batch))
    contexts.remember(bundle, [c.id for c in batch], scores)
    return scores


