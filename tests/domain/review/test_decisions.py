"""Moderator decisions: recorded with who and when, conflict-safe, published, labelled, undoable."""

from __future__ import annotations

import shutil
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site, utcnow
from domain.review.decisions import Conflict, Invalid, NotFound
from domain.scoring.score import score_comments
from domain.store.review.reports import AuditFilter
from domain.store.review.review_queue import QueueFilter
from domain.vocabulary import Role, Status
from tests.support.review import (  # noqa: F401 - models_dir: no English model needed
    add_comment,
    add_user,
    give_language_models,
    models_dir,
    results,
)


@pytest.fixture
def site(runtime: Runtime) -> Site:
    """The site most tests moderate."""
    return runtime.store.sites.create("planet")[0]


def test_a_decision_is_recorded_published_and_labelled(runtime: Runtime, site: Site) -> None:
    comment = add_comment(runtime, site)
    user, _ = add_user(runtime)
    decision = review.moderate(
        runtime.store, runtime.publishing, user, comment.id, Status.APPROVED, None, Status.FLAGGED
    )
    assert decision is not None
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None
    assert (stored.status, stored.decided_by and stored.decided_by.value) == (
        Status.APPROVED,
        "moderator",
    )
    [verdict, moderated] = runtime.store.comments.history(comment.id)
    assert (moderated.event.value, moderated.decided_by.value, moderated.user_email) == (
        "moderated",
        "moderator",
        user.email,
    )
    assert (moderated.previous_status, moderated.new_status) == (Status.FLAGGED, Status.APPROVED)
    assert moderated.published_at is not None
    [entry] = [e for e in results(runtime, "planet") if e["event"] == "moderated"]
    assert (entry["status"], entry["decided_by"], entry["comment_id"]) == (
        "approved",
        "moderator",
        comment.id,
    )
    labels = runtime.store.labels.all()
    assert sorted(label.label for label in labels) == ["ham", "ok"]
    assert {(la.source, la.comment_id, la.site_id, la.user_id) for la in labels} == {
        ("moderator", comment.id, site.id, user.id)
    }


@pytest.mark.parametrize(
    ("status", "reason", "expected"),
    [
        (Status.APPROVED, None, ["ham", "ok"]),
        (Status.APPROVED, "toxic", ["ham"]),
        (Status.REJECTED, "spam", ["spam"]),
        (Status.REJECTED, "toxic", ["toxic"]),
        (Status.REJECTED, "off_topic", []),
        (Status.REJECTED, None, []),
    ],
)
def test_labels_follow_the_decision_and_its_reason(
    status: Status, reason: str | None, expected: list[str]
) -> None:
    assert review.labels_for(status, reason) == expected


def test_a_comment_changed_meanwhile_is_a_conflict_not_a_lost_update(
    runtime: Runtime, site: Site
) -> None:
    comment = add_comment(runtime, site)
    first, _ = add_user(runtime, "first@example.com")
    second, _ = add_user(runtime, "second@example.com")
    moderate = partial(review.moderate, runtime.store, runtime.publishing)
    moderate(first, comment.id, Status.APPROVED, None, Status.FLAGGED)
    with pytest.raises(Conflict) as raised:
        moderate(second, comment.id, Status.REJECTED, "spam", Status.FLAGGED)
    assert raised.value.current is Status.APPROVED
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.APPROVED
    assert len(runtime.store.comments.history(comment.id)) == 2
    assert "spam" not in {label.label for label in runtime.store.labels.all()}


def test_a_moderator_limited_to_one_site_cannot_act_on_another(
    runtime: Runtime, site: Site
) -> None:
    other = runtime.store.sites.create("other")[0]
    comment = add_comment(runtime, other)
    user, _ = add_user(runtime, sites=["planet"])
    with pytest.raises(NotFound):
        review.moderate(runtime.store, runtime.publishing, user, comment.id, Status.APPROVED)
    with pytest.raises(NotFound):
        review.block_author(runtime.store, user, "other", comment.email)
    outcome = review.moderate_many(
        runtime.store, runtime.publishing, user, [(comment.id, Status.FLAGGED)], Status.REJECTED
    )
    assert outcome.decisions == [] and outcome.missing == [comment.id]
    page = runtime.store.moderation.queue(QueueFilter(), user.site_slugs)
    assert page.total == 0


def test_bulk_applies_what_is_unchanged_and_reports_the_rest(runtime: Runtime, site: Site) -> None:
    a, b, c = (add_comment(runtime, site, body=f"comment {n}") for n in range(3))
    user, _ = add_user(runtime)
    review.moderate(runtime.store, runtime.publishing, user, c.id, Status.APPROVED)
    outcome = review.moderate_many(
        runtime.store,
        runtime.publishing,
        user,
        [(a.id, Status.FLAGGED), (b.id, Status.FLAGGED), (c.id, Status.FLAGGED)],
        Status.REJECTED,
        "spam",
    )
    assert sorted(d.comment_id for d in outcome.decisions) == sorted([a.id, b.id])
    assert outcome.conflicts == {c.id: Status.APPROVED}
    assert len({d.created_at for d in outcome.decisions}) == 1
    moderated = [e for e in results(runtime, "planet") if e["event"] == "moderated"]
    assert [e["status"] for e in moderated] == ["approved", "rejected", "rejected"]


def test_undo_restores_the_previous_status_as_a_new_decision(runtime: Runtime, site: Site) -> None:
    first = add_comment(runtime, site, body="first")
    a, b = add_comment(runtime, site, body="a"), add_comment(runtime, site, body="b")
    user, _ = add_user(runtime)
    review.moderate(runtime.store, runtime.publishing, user, first.id, Status.APPROVED)
    review.moderate_many(
        runtime.store,
        runtime.publishing,
        user,
        [(a.id, Status.FLAGGED), (b.id, Status.FLAGGED)],
        Status.REJECTED,
    )
    undone = review.undo_last(runtime.store, runtime.publishing, user)
    assert sorted(d.comment_id for d in undone.decisions) == sorted([a.id, b.id])
    assert all(d.new_status is Status.FLAGGED and d.reason == "undo" for d in undone.decisions)
    for comment in (a, b):
        stored = runtime.store.comments.get(comment.id)
        assert stored is not None and stored.status is Status.FLAGGED
        assert [d.new_status for d in runtime.store.comments.history(comment.id)] == [
            Status.FLAGGED,
            Status.REJECTED,
            Status.FLAGGED,
        ]
    # The next undo walks back to the action before.
    [again] = review.undo_last(runtime.store, runtime.publishing, user).decisions
    assert (again.comment_id, again.new_status) == (first.id, Status.FLAGGED)
    assert review.undo_last(runtime.store, runtime.publishing, user).decisions == []
    undo_entries = [e for e in results(runtime, "planet") if e["reason"] == "undo"]
    assert len(undo_entries) == 3


def test_undo_retracts_exactly_the_labels_the_undone_action_taught(
    runtime: Runtime, site: Site
) -> None:
    kept = add_comment(runtime, site, body="a thoughtful remark")
    mistaken = add_comment(runtime, site, body="buy followers now")
    user, _ = add_user(runtime)
    review.moderate(runtime.store, runtime.publishing, user, kept.id, Status.APPROVED)
    review.moderate(runtime.store, runtime.publishing, user, mistaken.id, Status.REJECTED, "spam")
    taught = {(label.text, label.label) for label in runtime.store.labels.all()}
    assert ("buy followers now", "spam") in taught and ("a thoughtful remark", "ham") in taught
    review.undo_last(runtime.store, runtime.publishing, user)
    standing = {(label.text, label.label) for label in runtime.store.labels.all()}
    assert standing == {p for p in taught if p[0] == "a thoughtful remark"}
    assert runtime.store.labels.count_since(None) == len(standing)
    # Deciding again teaches again: the new decision's labels stand.
    review.moderate(runtime.store, runtime.publishing, user, mistaken.id, Status.APPROVED)
    assert ("buy followers now", "ham") in {
        (label.text, label.label) for label in runtime.store.labels.all()
    }


def test_undo_touches_only_the_users_own_actions(runtime: Runtime, site: Site) -> None:
    comment = add_comment(runtime, site)
    first, _ = add_user(runtime, "first@example.com")
    second, _ = add_user(runtime, "second@example.com")
    review.moderate(runtime.store, runtime.publishing, first, comment.id, Status.APPROVED)
    assert review.undo_last(runtime.store, runtime.publishing, second).decisions == []


def test_blocked_authors_are_rejected_by_rule_later(
    runtime: Runtime, site: Site, trained_models_dir: Path
) -> None:
    give_language_models(runtime, trained_models_dir)
    user, _ = add_user(runtime)
    assert review.block_author(runtime.store, user, "planet", "spammer@example.com")
    assert not review.block_author(runtime.store, user, "planet", "spammer@example.com")
    later = add_comment(runtime, site, Status.PENDING, email="spammer@example.com")
    # no model needed: the rule decides
    [decision] = score_comments([later.id], runtime.store, runtime.scorer, runtime.publishing)
    assert (decision.new_status, decision.decided_by.value) == (Status.REJECTED, "rule")


def test_reject_all_by_author_rejects_only_that_author_on_that_site(
    runtime: Runtime, site: Site
) -> None:
    other = runtime.store.sites.create("other")[0]
    mine = [
        add_comment(runtime, site, status, email="troll@example.com")
        for status in (Status.FLAGGED, Status.APPROVED, Status.REJECTED)
    ]
    elsewhere = add_comment(runtime, other, email="troll@example.com")
    bystander = add_comment(runtime, site, email="kind@example.com")
    user, _ = add_user(runtime)
    outcome = review.reject_all_by_author(
        runtime.store, runtime.publishing, user, "planet", "troll@example.com", "spam"
    )
    assert sorted(d.comment_id for d in outcome.decisions) == sorted([mine[0].id, mine[1].id])
    for untouched in (elsewhere, bystander):
        stored = runtime.store.comments.get(untouched.id)
        assert stored is not None and stored.status is Status.FLAGGED
    assert [label.label for label in runtime.store.labels.all()] == ["spam", "spam"]


def test_invalid_decisions_list_every_problem() -> None:
    with pytest.raises(Invalid) as raised:
        review.check_decision("deleted", "because")
    assert set(raised.value.errors) == {"status", "reason"}
    assert review.check_decision("rejected", "") == (Status.REJECTED, None)


def test_queue_filters_sorts_and_pages(runtime: Runtime, site: Site) -> None:
    low = add_comment(runtime, site, body="low 100% sure", spam=0.55, article_id="x")
    high = add_comment(runtime, site, body="high", spam=0.9, sender_name="Spammy")
    edge = add_comment(runtime, site, body="edge", spam=0.51, toxicity=0.2)
    add_comment(runtime, site, Status.APPROVED, body="fine", spam=0.1)
    store = runtime.store.moderation

    def ids(**wanted: object) -> list[str]:
        return [c.id for c in store.queue(QueueFilter(**wanted), None).comments]  # type: ignore[arg-type]

    assert ids() == [low.id, high.id, edge.id]
    assert ids(sort="score") == [high.id, low.id, edge.id]
    assert ids(sort="uncertainty") == [edge.id, low.id, high.id]
    assert ids(article_id="x") == [low.id]
    assert ids(search="spammy") == [high.id]
    assert ids(search="100%") == [low.id]
    assert ids(search="%") == [low.id]
    assert ids(score_min=0.52, score_max=0.6) == [low.id]
    assert len(ids(status="all")) == 4
    assert ids(created_from=utcnow() + timedelta(hours=1)) == []
    page = store.queue(QueueFilter(per_page=2, page=2), None)
    assert ([c.id for c in page.comments], page.total, page.pages) == ([edge.id], 3, 2)


def test_highlight_splits_the_original_text_at_the_spans() -> None:
    text = "Buy cheap pills <now>"
    spans = [
        {"begin": 4, "end": 9, "axis": "spam", "weight": 0.5},
        {"begin": 6, "end": 12, "axis": "toxicity", "weight": 0.1},  # overlaps: skipped
        {"begin": 16, "end": 21, "axis": "toxicity", "weight": 0.3},
        {"begin": 30, "end": 40, "axis": "spam", "weight": 0.3},  # outside: skipped
        {"begin": 0, "end": 3, "axis": "<script>", "weight": 1},  # unknown axis: skipped
    ]
    pieces = review.highlight(text, spans)
    assert "".join(p for p, _ in pieces) == text
    assert [p for p in pieces if p[1]] == [("cheap", "spam"), ("<now>", "toxicity")]
    assert review.highlight("", []) == [("", None)]


def test_audit_and_dashboard_numbers(runtime: Runtime, site: Site) -> None:
    admin, _ = add_user(runtime, "admin@example.com", Role.ADMIN)
    flagged = [add_comment(runtime, site, body=f"f{n}") for n in range(3)]
    approved = [add_comment(runtime, site, Status.APPROVED, body=f"a{n}") for n in range(2)]
    moderate = partial(review.moderate, runtime.store, runtime.publishing)
    moderate(admin, flagged[0].id, Status.APPROVED)  # false positive
    moderate(admin, flagged[1].id, Status.REJECTED, "spam")  # right
    moderate(admin, approved[0].id, Status.REJECTED, "toxic")  # false negative
    store = runtime.store.reports
    assert store.queue_sizes(None) == {"planet": 1}
    days = store.decisions_per_day(14, None)
    assert len(days) == 14 and days[-1][1] == 3 and sum(n for _, n in days) == 3
    [stats] = store.overturns(None)
    assert (stats.site_slug, stats.model_version) == ("planet", "v-test")
    assert (stats.flagged_or_rejected, stats.reviewed_positive, stats.false_positives) == (3, 2, 1)
    assert (stats.approved, stats.reviewed_negative, stats.false_negatives) == (2, 1, 1)
    assert stats.false_positive_rate == 0.5 and stats.false_negative_rate == 1.0
    decisions, total = store.audit(AuditFilter(user_email="ADMIN@example.com"), None)
    assert total == 3 and decisions[0].comment_id == approved[0].id
    assert store.audit(AuditFilter(status="rejected", decided_by="moderator"), None)[1] == 2
    assert store.audit(AuditFilter(comment_id=flagged[2].id), None)[1] == 1
    assert store.audit(AuditFilter(site="nowhere"), None)[1] == 0
    assert store.audit(AuditFilter(), ["nowhere"])[1] == 0


def test_the_queue_draws_the_lines_the_worker_applies(
    runtime: Runtime, site: Site, trained_models_dir: Path
) -> None:
    """Without its own thresholds a site gets the current model's recommended ones (read from
    the model's metadata, not by loading the model); its own thresholds win once set."""
    assert review.site_thresholds(runtime.models, site).flag["spam"] == 0.5  # no model yet
    shutil.copytree(trained_models_dir, runtime.settings.models_dir, dirs_exist_ok=True)
    time.sleep(runtime.settings.model_poll_seconds)
    model = runtime.models.registry.metadata(runtime.models.registry.current_version())
    recommended = model["thresholds"]
    lines = review.site_thresholds(runtime.models, site)
    assert lines.flag["spam"] == recommended["spam"]["flag"]
    assert lines.reject["toxicity"] == recommended["toxicity"]["reject"]
    own = {"spam": {"flag": 0.41, "reject": 0.93}, "toxicity": {"flag": 0.42, "reject": 0.94}}
    runtime.store.sites.set_policy(site.slug, {"thresholds": own})
    updated = runtime.store.sites.by_slug(site.slug)
    assert updated is not None
    assert review.site_thresholds(runtime.models, updated).flag["toxicity"] == 0.42
    lines_by_id = review.flag_lines(runtime.store, runtime.models, {site.slug: site.id})
    assert lines_by_id == {site.id: (0.41, 0.42)}
