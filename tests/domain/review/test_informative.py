"""The queue's informative order with the real model: what it ranks first, its hints, its cache,
and its fall-back to the uncertainty order when there is no model to ask."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.review.informative import POOL, Ranking, Rankings, rank
from domain.store.labels import Label
from domain.store.review.review_queue import QueueFilter
from domain.vocabulary import Status
from tests.support.review import add_comment
from tests.support.scored_texts import HESITANT, SOMEWHAT, SURE

CLEAR = "Great match report, thanks."  # ~0.01


@pytest.fixture
def site(runtime: Runtime) -> Site:
    """The site whose queue is ranked."""
    return runtime.store.sites.create("planet")[0]


def _ranking(runtime: Runtime, rankings: Rankings | None = None) -> Ranking:
    """The informative order of every site's waiting comments."""
    site_ids = runtime.store.moderation.site_ids(None)
    return review.informative_ranking(
        runtime.store, runtime.models, rankings or Rankings(), site_ids
    )


def _queue(runtime: Runtime, ranking: Ranking, **wanted: object) -> list[str]:
    """The ids of the queue's first page in the informative order."""
    site_ids = runtime.store.moderation.site_ids(None)
    lines = review.flag_lines(runtime.store, runtime.models, site_ids)
    page = runtime.store.moderation.queue(
        QueueFilter(sort="informative", **wanted), None, lines, ranking.ids  # type: ignore[arg-type]
    )
    return [c.id for c in page.comments]


def test_a_borderline_comment_comes_before_clear_ones_and_says_so(
    runtime: Runtime, site: Site
) -> None:
    sure = add_comment(runtime, site, body=SURE, toxicity=0.99)
    clear = add_comment(runtime, site, body=CLEAR)
    hesitant = add_comment(runtime, site, body=HESITANT, toxicity=0.75)
    ranking = _ranking(runtime)
    assert ranking.note is None
    assert ranking.ids[0] == hesitant.id and set(ranking.ids) == {sure.id, clear.id, hesitant.id}
    assert ranking.why(hesitant) == ["borderline"]
    assert ranking.why(sure) == ranking.why(clear) == ["clear of the flag line"]
    assert _queue(runtime, ranking)[0] == hesitant.id


def test_a_near_copy_of_a_labelled_comment_comes_after_a_novel_one(
    runtime: Runtime, site: Site
) -> None:
    runtime.store.labels.add_many([Label(HESITANT, "toxic", "moderator")])
    copy = add_comment(runtime, site, body=HESITANT + "!!")
    novel = add_comment(runtime, site, body=SOMEWHAT)
    ranking = _ranking(runtime)
    assert ranking.ids == (novel.id, copy.id)
    assert ranking.why(copy) == ["borderline", "like a labelled comment"]
    assert "unlike anything labelled" in ranking.why(novel)


def test_near_copies_waiting_are_counted_and_never_follow_each_other(
    runtime: Runtime, site: Site
) -> None:
    first = add_comment(runtime, site, body=HESITANT)
    again = add_comment(runtime, site, body=HESITANT + "!!")
    other = add_comment(runtime, site, body=SOMEWHAT)
    ranking = _ranking(runtime)
    assert ranking.ids[0] in (first.id, again.id) and ranking.ids[1] == other.id
    assert ranking.why(first) == ["borderline", "like 1 waiting comment"]


def test_each_comment_is_judged_against_its_sites_own_flag_line(
    runtime: Runtime, site: Site
) -> None:
    strict = runtime.store.sites.create("strict")[0]
    toxicity = float(runtime.models.current().score_one(SURE).toxicity)
    runtime.store.sites.set_policy(
        "strict", {"thresholds": {"toxicity": {"flag": toxicity, "reject": 0.99999}}}
    )
    hesitant = add_comment(runtime, site, body=HESITANT)
    on_its_line = add_comment(runtime, strict, body=SURE)
    ranking = _ranking(runtime)
    assert ranking.ids == (on_its_line.id, hesitant.id)
    assert ranking.why(on_its_line) == ["borderline"]


def test_other_languages_and_comments_beyond_the_pool_follow_most_uncertain_first(
    runtime: Runtime, site: Site
) -> None:
    german = add_comment(runtime, site, body="Was für ein Unsinn", toxicity=0.79, language="de")
    sure = add_comment(runtime, site, body=SURE, toxicity=0.99)
    hesitant = add_comment(runtime, site, body=HESITANT, toxicity=0.9)
    approved = add_comment(runtime, site, Status.APPROVED, body=CLEAR)
    ranking = _ranking(runtime)
    assert german.id not in ranking.ids
    assert _queue(runtime, ranking) == [hesitant.id, sure.id, german.id]
    assert ranking.why(german) == ["not ranked: another language, which the English model "
                                   "cannot judge"]
    unranked_english = add_comment(runtime, site, body=CLEAR)  # arrived after the ranking
    assert ranking.why(unranked_english) == [
        "not ranked yet: it arrived after the order was drawn up (every 30 s)"]  # fmt: skip
    # all equally uncertain (spam 0.6, on the line), then oldest first
    assert _queue(runtime, ranking, status="all") == [
        hesitant.id, sure.id, german.id, approved.id, unranked_english.id]  # fmt: skip
    assert ranking.why(approved) == []


def test_comments_beyond_a_full_pool_say_so(runtime: Runtime, site: Site) -> None:
    waiting = runtime.store.moderation.oldest_waiting(None, POOL)
    assert waiting == []
    older = add_comment(runtime, site, body=HESITANT)
    younger = add_comment(runtime, site, body=SURE)
    pool = runtime.store.moderation.oldest_waiting(None, 1)
    assert [w.id for w in pool] == [older.id]
    ranking = rank(runtime.models.current(), pool, [], {}, pool=1)
    assert ranking.ids == (older.id,) and ranking.full
    assert ranking.why(younger) == ["not ranked: newer than the 1 oldest waiting"]
    assert _queue(runtime, ranking) == [older.id, younger.id]


def test_a_ranking_is_kept_briefly_per_set_of_sites(runtime: Runtime, site: Site) -> None:
    now = [100.0]
    rankings = Rankings(seconds=30, clock=lambda: now[0])
    add_comment(runtime, site, body=HESITANT)
    first = _ranking(runtime, rankings)
    later = add_comment(runtime, site, body=SOMEWHAT)
    now[0] += 29
    assert _ranking(runtime, rankings) is first  # paging through the queue: the same order
    other = runtime.store.sites.create("other")[0]
    only_other = review.informative_ranking(
        runtime.store, runtime.models, rankings, {"other": other.id}
    )
    assert only_other.ids == ()
    now[0] += 2
    fresh = _ranking(runtime, rankings)
    assert fresh is not first and later.id in fresh.ids


def test_without_a_model_the_queue_is_most_uncertain_first_and_says_why(
    runtime: Runtime, site: Site, models_dir: Path
) -> None:
    shutil.rmtree(models_dir)  # nothing trained: the queue must not train one in a request
    near = add_comment(runtime, site, body=SURE, toxicity=0.79)
    far = add_comment(runtime, site, body=HESITANT, toxicity=0.99)
    ranking = _ranking(runtime)
    assert ranking.ids == () and ranking.note is not None
    assert ranking.note.startswith("No model has been trained yet")
    assert "most uncertain first" in ranking.note
    assert _queue(runtime, ranking) == [near.id, far.id]
    assert ranking.why(near) == []
    assert not models_dir.exists() or not any(models_dir.iterdir())


def test_a_model_that_cannot_be_loaded_falls_back_too(
    runtime: Runtime, site: Site, models_dir: Path
) -> None:
    version = (models_dir / "CURRENT").read_text().strip()
    (models_dir / version / "model.skops").write_bytes(b"not a model")
    near = add_comment(runtime, site, body=SURE, toxicity=0.79)
    far = add_comment(runtime, site, body=HESITANT, toxicity=0.99)
    ranking = _ranking(runtime)
    assert ranking.note is not None and ranking.note.startswith("The model could not be loaded")
    assert _queue(runtime, ranking) == [near.id, far.id]
