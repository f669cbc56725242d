"""The worker's batch steps against a real Redis, SQLite and the trained model."""

from __future__ import annotations

from datetime import timedelta

from domain import keys, pipeline
from domain.models import Submission
from domain.runtime import Runtime


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
    scorer = pipeline.BatchScorer(runtime)
    scorer.score(first)
    assert runtime.redis.xlen(keys.results("planet")) == 3  # published at once
    assert _unmarked(runtime) == set(first)  # noted as published with the next batch
    scorer.score(second)
    assert _unmarked(runtime) == set(second)
    scorer.flush()
    assert _unmarked(runtime) == set()
    assert runtime.redis.xlen(keys.results("planet")) == 5


def test_a_worker_dying_before_it_marks_leaves_no_repeat_in_the_stream(runtime: Runtime) -> None:
    ids = _pending_ids(runtime, 4)
    pipeline.BatchScorer(runtime).score(ids)  # published, then the process "dies": no flush
    assert _unmarked(runtime) == set(ids)
    pipeline.publish(runtime.store.comments.unpublished_decisions(timedelta(0)), runtime)
    assert _unmarked(runtime) == set()
    assert runtime.redis.xlen(keys.results("planet")) == 4
