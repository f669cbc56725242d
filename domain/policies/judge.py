"""The site's policies applied to the model's verdict, in one order, each saying why.

1. A reject or flag rule decides (``rule:<id>``); a model rejection is never softened to a flag.
2. An allow rule overrides the model: an email-domain or IP allow approves; a word allow has
   the text judged again without its words (the place or name the model mistakes), so
   "Scunthorpe" is forgiven but an insult beside it is not.
3. A trusted author is approved where the model would only flag (``rule:trusted_author``).
4. Pre-moderation holds what would be approved: the site's or section's ``all``
   (``rule:premoderation``), a new author (``rule:first_comment``) or an author rejected too
   often (``rule:reputation``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from classifier import ModelBundle, Score
from domain.policies import premoderation
from domain.policies.reputation import TRUSTED, ReputationPolicy, Standing, standing
from domain.policies.rules import Action, Kind, Match, RuleSet
from domain.records import Verdict
from domain.scoring.decide import model_verdict
from domain.store.policies.history import NO_HISTORY, AuthorHistory
from domain.vocabulary import DecidedBy, Status

SEVERITY = {Status.APPROVED: 0, Status.FLAGGED: 1, Status.REJECTED: 2, Status.PENDING: 1}
TEXT_KINDS = (Kind.WORD, Kind.PHRASE, Kind.REGEX)
EMPTY_RULES = RuleSet(())
# Over the reject line on identity words alone: a moderator judges it, whoever wrote it.
IDENTITY = "toxicity:identity-term"


@dataclass(frozen=True)
class Case:
    """One comment to judge: its site's policy, where it was posted, who wrote it, its score."""

    site_id: int
    site_policy: Mapping[str, Any]
    section: str | None
    text: str
    email: str | None
    ip: str | None
    score: Score


@dataclass(frozen=True)
class Reader:
    """How one group of comments is read: the model's verdict on a score under a (section's)
    policy, and how texts are scored again (an allow rule's masked text). English, each
    language with its own model, and languages no model covers each have one."""

    verdict: Callable[[Case, Mapping[str, Any], Score], Verdict]
    rescore: Callable[[list[str]], list[Score]]


def english_reader(bundle: ModelBundle) -> Reader:
    """The English model's reader: its scores under the site's or its recommended lines."""
    return Reader(lambda _case, policy, score: model_verdict(policy, score, bundle), bundle.score)


@dataclass(frozen=True)
class Judgement:
    """The verdict, the rules that matched and why the comment is held (if it is)."""

    verdict: Verdict
    matches: tuple[Match, ...] = ()
    hold: str | None = None
    standing: Standing | None = None
    # what the comment's words earned before pre-moderation held it (the pre-check's answer)
    content_status: Status = Status.APPROVED

    def rule_spans(self) -> list[dict[str, Any]]:
        """Where reject and flag rules matched, as spans the review page highlights."""
        return [
            {"begin": b, "end": e, "axis": "rule", "weight": 1.0, "rule": m.rule.id}
            for m in self.matches if m.rule.action is not Action.ALLOW
            for b, e in m.spans
        ]


def judge(
    cases: Sequence[Case],
    reader: Reader,
    rulesets: Mapping[int, RuleSet],
    histories: Mapping[tuple[int, str], AuthorHistory],
) -> list[Judgement]:
    """Judge a batch read by one reader; texts an allow rule forgives are scored again at once."""
    firsts = [_first(case, reader, rulesets.get(case.site_id, EMPTY_RULES)) for case in cases]
    forgiven = [i for i, (_, _, _, masked) in enumerate(firsts) if masked is not None]
    rescored = dict(
        zip(forgiven, reader.rescore([firsts[i][3] or "" for i in forgiven]), strict=True)
    )
    judgements = []
    for index, (case, (policy, verdict, matches, _)) in enumerate(zip(cases, firsts, strict=True)):
        if index in rescored:
            verdict = _allowed(verdict, reader.verdict(case, policy, rescored[index]), matches)
        history = histories.get((case.site_id, case.email or ""), NO_HISTORY)
        judgements.append(_finish(policy, verdict, matches, history))
    return judgements


def _first(
    case: Case, reader: Reader, rules: RuleSet
) -> tuple[Mapping[str, Any], Verdict, tuple[Match, ...], str | None]:
    """The section's policy, the verdict of rules and model, the matches, and a text to rescore."""
    policy = premoderation.section_policy(case.site_policy, case.section)
    model = reader.verdict(case, policy, case.score)
    matches = tuple(rules.match(case.text, case.email, case.ip)) if rules else ()
    deciding = [m for m in matches if m.rule.action is not Action.ALLOW]
    if deciding:
        return policy, _by_rule(model, deciding[0]), matches, None
    allows = [m for m in matches if m.rule.action is Action.ALLOW]
    if not allows or model.status is Status.APPROVED:
        return policy, model, matches, None
    if any(m.rule.kind not in TEXT_KINDS for m in allows):
        first = next(m for m in allows if m.rule.kind not in TEXT_KINDS)
        return policy, Verdict(Status.APPROVED, DecidedBy.RULE, (first.rule.reason,)), matches, None
    return policy, model, matches, mask(case.text, [s for m in allows for s in m.spans])


def _by_rule(model: Verdict, match: Match) -> Verdict:
    """A reject or flag rule's verdict; a flag rule leaves a model rejection standing."""
    wanted = Status.REJECTED if match.rule.action is Action.REJECT else Status.FLAGGED
    if SEVERITY[model.status] > SEVERITY[wanted]:
        return Verdict(model.status, model.decided_by, (*model.reasons, match.rule.reason))
    return Verdict(wanted, DecidedBy.RULE, (match.rule.reason,))


def _allowed(model: Verdict, without: Verdict, matches: Sequence[Match]) -> Verdict:
    """The verdict on the text without the allowed words, when it is milder than the model's."""
    if SEVERITY[without.status] >= SEVERITY[model.status]:
        return model
    rule = next(m.rule for m in matches if m.rule.action is Action.ALLOW)
    return Verdict(without.status, DecidedBy.RULE, (*without.reasons, rule.reason))


def _finish(
    policy: Mapping[str, Any], verdict: Verdict, matches: tuple[Match, ...],
    history: AuthorHistory,
) -> Judgement:
    """Trust and pre-moderation, which depend on who wrote the comment."""
    lines = ReputationPolicy.of(policy)
    rank = standing(history, lines) if lines.enabled else None
    if (rank is Standing.TRUSTED and verdict.status is Status.FLAGGED
            and verdict.decided_by is DecidedBy.MODEL and IDENTITY not in verdict.reasons):
        verdict = Verdict(Status.APPROVED, DecidedBy.RULE, (*verdict.reasons, TRUSTED))
    hold = premoderation.hold_reason(policy, history, rank)
    content_status = verdict.status
    if hold and verdict.status is Status.APPROVED:
        verdict = Verdict(Status.FLAGGED, DecidedBy.RULE, (*verdict.reasons, hold))
    elif hold and verdict.status is Status.FLAGGED:
        verdict = Verdict(verdict.status, verdict.decided_by, (*verdict.reasons, hold))
    return Judgement(verdict, matches, hold, rank, content_status)


def mask(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """The text with these spans blanked out (what the model judges once words are allowed)."""
    chars = list(text)
    for begin, end in spans:
        for i in range(max(0, begin), min(len(chars), end)):
            chars[i] = " "
    return "".join(chars)
