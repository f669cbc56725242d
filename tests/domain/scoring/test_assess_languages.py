"""A site's policies decide for every language: rules, sections and pre-moderation apply to a
German or Russian comment exactly as to an English one (the Scorer, real models and store)."""

from __future__ import annotations

from domain.infra.collaborators import Runtime
from domain.policies.rules import clean_rule
from domain.records import Comment, Submission
from domain.scoring.assess import Assessment
from domain.vocabulary import DecidedBy, Status

GERMAN_CIVIL = "Vielen Dank für den ausführlichen Artikel, die Grafiken sind sehr hilfreich."
GERMAN_WITH_WORD = "Der Bürgermeister von Schnitzelhausen hat die Grafiken sehr gut erklärt."
RUSSIAN_CIVIL = "Спасибо за подробную статью, графики очень полезны и понятны."
ENGLISH_CIVIL = "Interesting comparison of the two spheres of influence, thanks for the history."


def _assess(runtime: Runtime, site_slug: str, texts: list[str], section: str | None = None,
            email: str = "leser@example.de") -> list[Assessment]:
    site = runtime.store.sites.by_slug(site_slug)
    assert site is not None
    comments: list[Comment] = [
        runtime.store.comments.add(site, Submission(
            article_id="a1", sender_name="Leser", email=email, comment=text, section=section))
        for text in texts
    ]
    policies = {site.id: site.policy}
    return runtime.scorer.assess(comments, policies)


def test_a_word_rule_rejects_a_german_comment_the_german_model_would_approve(
    runtime: Runtime,
) -> None:
    site, _ = runtime.store.sites.create("berliner")
    [rule] = runtime.store.rules.add(
        site.id, [(*clean_rule("word", "reject", "Schnitzelhausen"), None)])
    civil, with_word = _assess(runtime, "berliner", [GERMAN_CIVIL, GERMAN_WITH_WORD])

    assert civil.language == "de" and civil.verdict.status is Status.APPROVED
    assert with_word.language == "de"
    assert with_word.verdict.status is Status.REJECTED
    assert with_word.verdict.decided_by is DecidedBy.RULE
    assert f"rule:{rule.id}" in with_word.verdict.reasons
    assert with_word.rule_spans and with_word.rule_spans[0]["rule"] == rule.id


def test_a_premoderated_section_holds_comments_in_every_language(runtime: Runtime) -> None:
    site, _ = runtime.store.sites.create("tribune")
    runtime.store.sites.set_policy(
        "tribune", {**site.policy, "sections": {"politics": {"premoderation": "all"}}})
    held = _assess(runtime, "tribune", [GERMAN_CIVIL, ENGLISH_CIVIL], section="politics")
    free = _assess(runtime, "tribune", [GERMAN_CIVIL, ENGLISH_CIVIL], section="sport")

    assert [a.verdict.status for a in held] == [Status.FLAGGED, Status.FLAGGED]
    assert all("rule:premoderation" in a.verdict.reasons for a in held)
    assert [a.verdict.status for a in free] == [Status.APPROVED, Status.APPROVED]


def test_an_email_domain_rule_rejects_a_comment_in_a_language_no_model_reads(
    runtime: Runtime,
) -> None:
    site, _ = runtime.store.sites.create("moscow-times")
    domain_rule = clean_rule("email_domain", "reject", "spam.example")
    runtime.store.rules.add(site.id, [(*domain_rule, None)])
    [kept] = _assess(runtime, "moscow-times", [RUSSIAN_CIVIL], email="reader@mail.example")
    [refused] = _assess(runtime, "moscow-times", [RUSSIAN_CIVIL], email="bot@spam.example")

    # no model reads Russian: held for a moderator (never waved through) ...
    assert kept.language == "ru" and kept.verdict.status is Status.FLAGGED
    assert "language:unsupported" in kept.verdict.reasons
    # ... unless a rule already decides
    assert refused.language == "ru" and refused.verdict.status is Status.REJECTED
    assert refused.verdict.decided_by is DecidedBy.RULE
