"""Assessing comments: score them and decide with their sites' thresholds, the one way to a verdict.

``Scorer`` is the single entry point from comments to verdicts: blocked authors are rejected by
rule, everyone else is scored in one batch beside their articles' approved comments, and each
site's policies decide: rules, sections, reputation and pre-moderation on top of the site's
thresholds (``domain/policies/judge.py``). Each comment's language is detected first: English goes
to the English model, a language with its own model to that model, and any other language to
the site's language policy (``domain/scoring/languages.py``), never scored as English. The
workers' batches and the compatibility endpoints'
synchronous path both use it (``domain/scoring/score.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from classifier import ModelBundle, Score
from classifier.languages import LanguageModels
from domain.policies.inputs import RuleBook, histories_for
from domain.policies.judge import Case, Judgement, Reader, english_reader, judge
from domain.records import Comment, Submission, Verdict
from domain.scoring import languages
from domain.scoring.article_context import ArticleContexts
from domain.scoring.decide import blocked_author_verdict, model_verdict, to_record
from domain.scoring.model_provider import ModelProvider
from domain.store import ScoredVerdict
from domain.store.policies import HistoryRepository

Policies = Mapping[int, Mapping[str, Any]]  # site id -> the site's policy


@dataclass(frozen=True)
class Assessment:
    """A comment's verdict and, unless a rule decided without scoring, its score."""

    verdict: Verdict
    score: Score | None = None
    model_version: str | None = None
    rule_spans: list[dict[str, Any]] = field(default_factory=list)  # where a rule matched
    language: str | None = None  # ISO 639-1 or "und", as detected

    @property
    def reasons(self) -> list[str]:
        """The score's reasons, then the verdict's, each once."""
        scored = self.score.reasons if self.score is not None else []
        return list(dict.fromkeys([*scored, *self.verdict.reasons]))

    def to_record(self, comment: Comment, policy: Mapping[str, Any]) -> ScoredVerdict:
        """What the store records for this comment (a rejection worded by the site's policy)."""
        record = to_record(comment, self.verdict, self.score, self.model_version, policy)
        # no toxicity was read in a language no model covers: say so rather than print a 0
        unread = any(r in (languages.UNSUPPORTED, languages.NOT_ACCEPTED) for r in record.reasons)
        return replace(
            record,
            spans=[*record.spans, *self.rule_spans],
            language=self.language,
            toxicity=None if unread else record.toxicity,
        )


class Scorer:
    """Scores comments and decides with each site's thresholds: the one way to a verdict."""

    def __init__(
        self,
        models: ModelProvider,
        language_models: languages.LanguageModelsProvider,
        rulebook: RuleBook,
        history: HistoryRepository,
        contexts: ArticleContexts | None = None,
    ) -> None:
        self._models = models
        self._language_models = language_models
        self._rulebook = rulebook
        self._history = history
        self._contexts = contexts

    def assess(self, comments: Sequence[Comment], policies: Policies) -> list[Assessment]:
        """Each comment's assessment, in order: blocked authors by rule, the rest by their
        language's reader and the sites' policies."""
        models = self._language_models.current()
        # each site's language policy read once per batch, not once per comment
        language_policies = {
            site_id: languages.LanguagePolicy.of(policies.get(site_id, {}))
            for site_id in {c.site_id for c in comments}
        }
        detections = languages.detect(
            [c.body for c in comments], [language_policies[c.site_id] for c in comments]
        )
        by_reader: dict[str, list[Comment]] = {}
        for comment, detection in zip(comments, detections, strict=True):
            policy = language_policies[comment.site_id]
            comment.language = detection.language
            if not comment.author_blocked:
                reader = languages.reader(detection, policy, models)
                by_reader.setdefault(reader, []).append(comment)
        scored: dict[str, Assessment] = {}
        for reader, group in by_reader.items():
            scores, how, version = self._read(reader, group, language_policies, models)
            assessed = self._judged(group, scores, how, version, policies)
            for comment, assessment in zip(group, assessed, strict=True):
                scored[comment.id] = replace(assessment, language=comment.language)
        return [
            scored.get(c.id) or Assessment(blocked_author_verdict(), language=c.language)
            for c in comments
        ]

    def _read(
        self,
        reader: str,
        group: list[Comment],
        language_policies: Mapping[int, languages.LanguagePolicy],
        models: LanguageModels,
    ) -> tuple[list[Score], Reader, str]:
        """A group's scores (English beside its articles' comments), how its verdicts are
        read, and the version that read them."""
        how, version, bundle = self._reader_for(reader, language_policies, models)
        if bundle is not None:
            return self._score_in_context(bundle, group), how, version
        return how.rescore([c.body for c in group]), how, version

    def _reader_for(
        self,
        reader: str,
        language_policies: Mapping[int, languages.LanguagePolicy],
        models: LanguageModels,
    ) -> tuple[Reader, str, ModelBundle | None]:
        """How a reader's texts are scored and decided, and its version: the English model
        (also returned, for the article context), a covered language's model, or the site's
        policy for any other language."""
        if reader == languages.ENGLISH:
            bundle = self._models.current()
            return english_reader(bundle), bundle.version, bundle
        if models.covers(reader):
            how = Reader(
                lambda _case, policy, score: languages.language_verdict(
                    policy, reader, score, models
                ),
                lambda texts: models.score(texts, reader),
            )
            return how, models.version, None

        def spam_only(texts: list[str]) -> list[Score]:
            return [Score(spam=spam, toxicity=0.0) for spam in models.spam_scores(texts)]

        how = Reader(
            lambda case, _policy, score: languages.policy_verdict(
                language_policies[case.site_id], reader, score.spam, models
            ),
            spam_only,
        )
        return how, models.version, None

    def judge_text(
        self, site_id: int, site_policy: Mapping[str, Any], submission: Submission
    ) -> tuple[Judgement, Score, str]:
        """A comment that is not stored (the pre-check): read in its language and judged by its
        site's policies as a worker would, only without its article's comments. Returns the
        judgement, the score and the detected language."""
        models = self._language_models.current()
        policy = languages.LanguagePolicy.of(site_policy)
        [detection] = languages.detect([submission.comment], [policy])
        reader = languages.reader(detection, policy, models)
        how, _, _ = self._reader_for(reader, {site_id: policy}, models)
        [score] = how.rescore([submission.comment])
        case = Case(site_id, site_policy, submission.section, submission.comment,
                    submission.email, submission.author_ip, score)
        [judgement] = judge([case], how, self._rulebook.for_sites([site_id]),
                            histories_for([case], self._history))
        return judgement, score, detection.language

    def _judged(
        self,
        comments: list[Comment],
        scores: list[Score],
        reader: Reader,
        version: str,
        policies: Policies,
    ) -> list[Assessment]:
        """The sites' policies (rules, sections, reputation, pre-moderation) on the scores,
        whichever language the comments are in."""
        cases = [
            Case(c.site_id, policies.get(c.site_id, {}), c.section, c.body, c.email,
                 c.author_ip, score)
            for c, score in zip(comments, scores, strict=True)
        ]
        rulesets = self._rulebook.for_sites({c.site_id for c in comments})
        histories = histories_for(cases, self._history)
        judgements = judge(cases, reader, rulesets, histories)
        return [
            Assessment(j.verdict, score, version, j.rule_spans())
            for score, j in zip(scores, judgements, strict=True)
        ]

    def assess_text(self, text: str, policy: Mapping[str, Any]) -> Assessment:
        """A text that is not stored: scored alone (no article) and decided by the site's policy."""
        bundle = self._models.current()
        [score] = bundle.score([text])
        return Assessment(model_verdict(policy, score, bundle), score, bundle.version)

    def scores(self, texts: Sequence[str], bundle: ModelBundle | None = None) -> list[Score]:
        """Scores without a verdict (a pinned version's, or pieces of a text), nothing stored."""
        return (bundle or self._models.current()).score(list(texts))

    def _score_in_context(self, bundle: ModelBundle, batch: list[Comment]) -> list[Score]:
        """Score comments beside their articles' reference comments (unless turned off)."""
        if self._contexts is None:
            return bundle.score([c.body for c in batch])
        scores = bundle.score([c.body for c in batch], self._contexts.references(bundle, batch))
        self._contexts.remember(bundle, [c.id for c in batch], scores)
        return scores
