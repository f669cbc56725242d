"""The worker's batch steps against a real Redis, SQLite and the trained model."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from domain.publishing.deliver import publish
from domain.records import Submission
from domain.scoring.score import BatchScorer, score_comments, score_now
from tests.support.articles import OFF_TOPIC, ON_TOPIC


def _pending_ids(runtime: Runtime, count: int, start: int = 0) -> list[str]:
    site = runtime.store.sites.by_slug("planet") or runtime.store.sites.create("planet")[0]
    return [
        runtime.store.comments.add(
            site,
            Submission(
                article_id="a1",
                sender_name="Reader",
                email=f"reader{n}@example.com",
                comment=f"Comment number {n} on the council's budget.",
            ),
        ).id
        for n in range(start, start + count)
    ]


def _unmarked(runtime: Runtime) -> set[str]:
    return {d.comment_id for d in runtime.store.comments.unpublished_decisions(timedelta(0))}


def test_a_batch_is_marked_published_in_the_next_batchs_transaction(runtime: Runtime) -> None:
    first, second = _pending_ids(runtime, 3), _pending_ids(runtime, 2, start=3)
    scorer = BatchScorer(runtime.store, runtime.scorer, runtime.publishing)
    scorer.score(first)
    assert runtime.redis.xlen(redis_keys.results("planet")) == 3  # published at once
    assert _unmarked(runtime) == set(first)  # noted as published with the next batch
    scorer.score(second)
    assert _unmarked(runtime) == set(second)
    scorer.flush()
    assert _unmarked(runtime) == set()
    assert runtime.redis.xlen(redis_keys.results("planet")) == 5


def test_a_worker_dying_before_it_marks_leaves_no_repeat_in_the_stream(runtime: Runtime) -> None:
    ids = _pending_ids(runtime, 4)
    scorer = BatchScorer(runtime.store, runtime.scorer, runtime.publishing)
    scorer.score(ids)  # published, then the process "dies": no flush
    assert _unmarked(runtime) == set(ids)
    publish(runtime.store.comments.unpublished_decisions(timedelta(0)), runtime.publishing)
    assert _unmarked(runtime) == set()
    assert runtime.redis.xlen(redis_keys.results("planet")) == 4


def _submit(runtime: Runtime, article: str, text: str) -> str:
    site = runtime.store.sites.by_slug("planet") or runtime.store.sites.create("planet")[0]
    submission = Submission(article_id=article, sender_name="Reader",
                            email="reader@example.com", comment=text)
    return runtime.store.comments.add(site, submission).id


def test_comments_are_scored_against_their_articles_approved_comments(runtime: Runtime) -> None:
    runtime.settings = replace(runtime.settings, article_context_refresh_seconds=0)
    on_topic = [_submit(runtime, "budget", text) for text in ON_TOPIC]
    score_comments(on_topic, runtime.store, runtime.scorer, runtime.publishing)
    bundle = runtime.models.current()
    references = runtime.store.comments.article_reference_ids(
        1, "budget", max_spam=bundle.reference_max_spam, limit=50)
    # ordinary remarks: approved, most of them confidently enough to be a reference
    assert len(references) >= bundle.contexts["spam"].neighbours
    on_article = _submit(runtime, "budget", OFF_TOPIC)
    fresh_article = _submit(runtime, "new-article", OFF_TOPIC)
    score_comments([on_article, fresh_article], runtime.store, runtime.scorer, runtime.publishing)
    in_context, alone = runtime.store.comments.get(on_article), runtime.store.comments.get(
        fresh_article)
    assert in_context is not None and alone is not None
    assert in_context.spam is not None and alone.spam is not None
    assert in_context.spam > alone.spam
    assert "article_similarity" in in_context.attributes
    assert "article_similarity" not in alone.attributes


def test_an_installation_may_turn_the_article_context_off(runtime: Runtime) -> None:
    runtime.settings = replace(runtime.settings, article_context=False)
    on_topic = [_submit(runtime, "budget", text) for text in ON_TOPIC]
    score_comments(on_topic, runtime.store, runtime.scorer, runtime.publishing)
    off_topic = _submit(runtime, "budget", OFF_TOPIC)
    [decision] = score_comments([off_topic], runtime.store, runtime.scorer, runtime.publishing)
    comment = runtime.store.comments.get(decision.comment_id)
    assert comment is not None and "article_similarity" not in comment.attributes


def test_score_now_decides_as_the_workers_batch_does(runtime: Runtime) -> None:
    # The compatibility endpoints' synchronous path and the worker share one Scorer: the same
    # text on fresh articles gets the same verdict and scores either way.
    via_worker = _submit(runtime, "same-a", OFF_TOPIC)
    [batch_decision] = score_comments(
        [via_worker], runtime.store, runtime.scorer, runtime.publishing
    )
    site = runtime.store.sites.by_slug("planet")
    assert site is not None
    stored = runtime.store.comments.add(site, Submission(
        article_id="same-b", sender_name="Reader", email="other@example.com", comment=OFF_TOPIC))
    assessment = score_now(stored, runtime.store, runtime.scorer, runtime.publishing)
    assert assessment is not None and assessment.score is not None
    assert assessment.verdict.status is batch_decision.new_status
    assert assessment.score.spam == batch_decision.spam
    assert runtime.store.comments.get(stored.id).status is batch_decision.new_status  # type: ignore[union-attr]


def test_score_now_rejects_a_blocked_author_by_rule_like_the_worker(runtime: Runtime) -> None:
    site = runtime.store.sites.by_slug("planet") or runtime.store.sites.create("planet")[0]
    runtime.store.moderation.block(site.id, "blocked@example.com", user_id=0)
    stored = runtime.store.comments.add(site, Submission(
        article_id="a1", sender_name="B", email="blocked@example.com", comment="Hello there."))
    assessment = score_now(stored, runtime.store, runtime.scorer, runtime.publishing)
    assert assessment is not None and assessment.score is None
    assert assessment.verdict.reasons == ("rule:blocked_author",)
