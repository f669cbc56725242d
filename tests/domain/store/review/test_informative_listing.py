"""The informative order's SQL on SQLite and PostgreSQL: its pool, its labels, its paging."""

from __future__ import annotations

from dataclasses import replace

from domain.records import Site
from domain.store import ScoredVerdict, Store
from domain.store.labels import Label
from domain.store.review.review_queue import Change, QueueFilter
from domain.vocabulary import DecidedBy, Role, Status
from tests.domain.store.test_store import SUBMISSION


def _flagged(store: Store, site: Site, comment_id: str, toxicity: float = 0.5,
             language: str | None = "en", article: str = "a1", body: str = "") -> str:
    """A flagged comment with a toxicity score (ids in creation order break time ties)."""
    store.comments.add(site, replace(SUBMISSION, article_id=article,
                                     comment=body or f"comment {comment_id}"), comment_id)
    store.comments.record_verdicts([ScoredVerdict(
        comment_id=comment_id, site_id=site.id, status=Status.FLAGGED,
        decided_by=DecidedBy.MODEL, spam=0.0, toxicity=toxicity, attributes={},
        reasons=["toxicity:above_flag"], spans=[], model_version="v1", language=language)])
    return comment_id


def _ids(store: Store, wanted: QueueFilter, ranked: list[str]) -> list[str]:
    lines = {site.id: (0.6, 0.8) for site in store.sites.all()}
    return [c.id for c in store.moderation.queue(wanted, None, lines, ranked).comments]


def test_the_pool_is_the_oldest_waiting_english_comments_of_the_visible_sites(
    store: Store,
) -> None:
    site, _ = store.sites.create("daily-planet")
    other, _ = store.sites.create("other-site")
    _flagged(store, site, "c1")
    _flagged(store, site, "c2", language="de")  # the English model cannot judge it
    _flagged(store, other, "c3")
    _flagged(store, site, "c4", language=None)  # scored before languages were detected
    _flagged(store, site, "c5")
    store.comments.add(site, SUBMISSION, "c6")  # pending: not waiting for a moderator
    pool = store.moderation.oldest_waiting(None, 3)
    assert [(w.id, w.site_id, w.body) for w in pool] == [
        ("c1", site.id, "comment c1"), ("c3", other.id, "comment c3"),
        ("c4", site.id, "comment c4")]  # fmt: skip
    assert [w.id for w in store.moderation.oldest_waiting(["daily-planet"], 10)] == [
        "c1", "c4", "c5"]  # fmt: skip
    assert store.moderation.oldest_waiting([], 10) == []


def test_ranked_comments_come_first_in_their_order_then_the_rest_most_uncertain_first(
    store: Store,
) -> None:
    site, _ = store.sites.create("daily-planet")
    _flagged(store, site, "c1", toxicity=0.99)
    _flagged(store, site, "c2", toxicity=0.95)
    _flagged(store, site, "c3", toxicity=0.81, language="de")
    _flagged(store, site, "c4", toxicity=0.82)
    _flagged(store, site, "c5", toxicity=0.9)
    ranked = ["c5", "c1", "c9"]  # c9: decided since it was ranked
    informative = QueueFilter(sort="informative", per_page=2)
    pages = [_ids(store, replace(informative, page=n), ranked) for n in (1, 2, 3)]
    assert pages == [["c5", "c1"], ["c3", "c4"], ["c2"]]
    assert _ids(store, replace(informative, per_page=3, page=1), ranked) == ["c5", "c1", "c3"]
    assert _ids(store, replace(informative, per_page=3, page=2), ranked) == ["c4", "c2"]
    page = store.moderation.queue(informative, None, {}, ranked)
    assert page.total == 5 and page.pages == 3
    # the filters still apply; without a ranking the order is the uncertainty order
    assert _ids(store, replace(informative, per_page=10, score_max=0.95), ranked) == [
        "c5", "c3", "c4", "c2"]  # fmt: skip
    assert _ids(store, replace(informative, per_page=10), []) == ["c3", "c4", "c5", "c2", "c1"]


def test_grouped_by_story_a_story_comes_as_early_as_its_best_ranked_comment(
    store: Store,
) -> None:
    site, _ = store.sites.create("daily-planet")
    _flagged(store, site, "c1", article="a1", toxicity=0.99)
    _flagged(store, site, "c2", article="a2", toxicity=0.9)
    _flagged(store, site, "c3", article="a1", toxicity=0.8)
    _flagged(store, site, "c4", article="a2", toxicity=0.8)
    _flagged(store, site, "c5", article="a0", toxicity=0.9)  # a story nothing ranked holds
    wanted = QueueFilter(sort="informative", group="article")
    ranked = ["c2", "c3", "c1"]
    assert _ids(store, wanted, ranked) == ["c2", "c4", "c3", "c1", "c5"]
    paged = [_ids(store, replace(wanted, per_page=2, page=n), ranked) for n in (1, 2, 3)]
    assert paged == [["c2", "c4"], ["c3", "c1"], ["c5"]]


def test_the_latest_english_labels_texts_once_each_newest_first(store: Store) -> None:
    site, _ = store.sites.create("daily-planet")
    _flagged(store, site, "c1", language="de", body="Ein Kommentar")
    mod, _ = store.users.create("mod@example.com", "a long password 1", Role.MODERATOR, None)
    store.labels.add_many([
        Label("old words", "ok", "import"),
        Label("Ein Kommentar", "toxic", "moderator", comment_id="c1"),
        Label("kind words", "ham", "moderator"), Label("kind words", "ok", "moderator"),
        Label("new words", "toxic", "feedback"),
    ])  # fmt: skip
    assert store.labels.recent_english_texts(10) == ["new words", "kind words", "old words"]
    assert store.labels.recent_english_texts(1) == ["new words"]
    _flagged(store, site, "c2", body="retracted words")
    applied = store.moderation.apply([Change("c2", Status.FLAGGED, Status.REJECTED)], mod.id)
    store.labels.add_many([Label("retracted words", "toxic", "moderator", comment_id="c2",
                                 decision_id=applied.decisions[0].id)])
    assert store.labels.recent_english_texts(1) == ["retracted words"]
    store.labels.retract_taught_by([applied.decisions[0].id])
    assert store.labels.recent_english_texts(1) == ["new words"]
