"""The store on SQLite and PostgreSQL: store first, idempotent verdicts, the outbox, the sweep."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from domain.records import Site, Submission
from domain.store import ScoredVerdict, SiteError, Store
from domain.store.labels import Label
from domain.vocabulary import DecidedBy, Status

SUBMISSION = Submission(
    article_id="a1", sender_name="Jt", email="jt@example.com", comment="Good article."
)


def verdict_for(comment_id: str, site_id: int, status: Status = Status.APPROVED) -> ScoredVerdict:
    """A model verdict as the pipeline would record it."""
    return ScoredVerdict(
        comment_id=comment_id,
        site_id=site_id,
        status=status,
        decided_by=DecidedBy.MODEL,
        spam=0.01,
        toxicity=0.02,
        attributes={"hate_speech": 0.0},
        reasons=[],
        spans=[],
        model_version="v1",
    )


def test_site_keys_are_stored_hashed_and_resolve(store: Store) -> None:
    site, key = store.sites.create("planet")
    assert store.sites.by_key(key) == site
    assert store.sites.by_key(key + "x") is None
    with store.db.read() as connection:
        stored = connection.exec_driver_sql("SELECT api_key_hash FROM sites").scalar_one()
    assert key not in stored and len(stored) == 64


def test_site_slugs_are_validated_and_unique(store: Store) -> None:
    store.sites.create("planet")
    with pytest.raises(SiteError, match="already exists"):
        store.sites.create("planet")
    with pytest.raises(SiteError, match="slug"):
        store.sites.create("Not A Slug!")


def test_a_verdict_is_recorded_once_however_often_it_is_delivered(store: Store) -> None:
    site, _ = store.sites.create("planet")
    comment = store.comments.add(site, SUBMISSION)
    first = store.comments.record_verdicts([verdict_for(comment.id, site.id)])
    again = store.comments.record_verdicts([verdict_for(comment.id, site.id, Status.REJECTED)])
    assert [d.new_status for d in first] == [Status.APPROVED]
    assert again == []
    stored = store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.APPROVED
    assert stored.attributes == {"hate_speech": 0.0}
    assert [d.event.value for d in store.comments.history(comment.id)] == ["verdict"]


def test_pending_lists_only_undecided_comments(store: Store) -> None:
    site, _ = store.sites.create("planet")
    decided = store.comments.add(site, SUBMISSION)
    waiting = store.comments.add(site, SUBMISSION)
    store.comments.record_verdicts([verdict_for(decided.id, site.id)])
    assert [c.id for c in store.comments.pending([decided.id, waiting.id])] == [waiting.id]


def test_unpublished_decisions_wait_in_the_outbox_until_marked(store: Store) -> None:
    site, _ = store.sites.create("planet")
    comment = store.comments.add(site, SUBMISSION)
    [decision] = store.comments.record_verdicts([verdict_for(comment.id, site.id)])
    assert decision.site_slug == "planet" and decision.article_id == "a1"
    outbox = store.comments.unpublished_decisions(timedelta(seconds=-1))
    assert [d.id for d in outbox] == [decision.id]
    store.comments.mark_published([decision.id])
    assert store.comments.unpublished_decisions(timedelta(seconds=-1)) == []


def test_stale_pending_comments_are_claimed_once_per_grace_period(store: Store) -> None:
    site, _ = store.sites.create("planet")
    comment = store.comments.add(site, SUBMISSION)
    assert store.comments.claim_stale_pending(timedelta(hours=1)) == []
    assert store.comments.claim_stale_pending(timedelta(seconds=-1)) == [comment.id]
    assert store.comments.claim_stale_pending(timedelta(seconds=1)) == []


def test_a_site_reads_only_its_own_comments(store: Store) -> None:
    planet, _ = store.sites.create("planet")
    other, _ = store.sites.create("other")
    comment = store.comments.add(planet, SUBMISSION)
    assert store.comments.get(comment.id, site_id=planet.id) is not None
    assert store.comments.get(comment.id, site_id=other.id) is None


def test_an_articles_references_are_its_latest_confidently_approved_comments(
    store: Store,
) -> None:
    planet, _ = store.sites.create("planet")
    other, _ = store.sites.create("other")

    def decided(text: str, status: Status = Status.APPROVED, spam: float = 0.01,
                by: DecidedBy = DecidedBy.MODEL, article: str = "a1", site: Site = planet) -> str:
        comment = store.comments.add(site, replace(SUBMISSION, article_id=article, comment=text))
        verdict = replace(verdict_for(comment.id, site.id, status), spam=spam, decided_by=by)
        store.comments.record_verdicts([verdict])
        return comment.id

    references = [decided(f"Remark {n}.") for n in range(3)]
    decided("Approved, but spammy.", spam=0.6)
    references.append(decided("A moderator's approval.", spam=0.9, by=DecidedBy.MODERATOR))
    decided("Held.", Status.FLAGGED)
    store.comments.add(planet, replace(SUBMISSION, comment="Still pending."))
    decided("Elsewhere.", article="a2")
    decided("Other site.", site=other)

    found = store.comments.article_reference_ids(planet.id, "a1", max_spam=0.3, limit=3)
    assert found == references[1:]
    assert store.comments.bodies(found[-1:]) == {found[-1]: "A moderator's approval."}
    assert store.comments.article_reference_ids(planet.id, "a3", max_spam=0.3, limit=3) == []


def test_labels_are_appended_all_or_nothing(store: Store) -> None:
    store.labels.add_many([Label("buy now", "spam", "import")])
    with pytest.raises(ValueError):
        store.labels.add_many([Label("fine", "ok", "import"), Label("x", "maybe", "import")])
    assert [label.label for label in store.labels.all()] == ["spam"]


def test_a_stored_comment_reads_back_as_it_was_given(store: Store) -> None:
    """Intake's INSERT runs on the driver's connection (RowInserter): same row as SQLAlchemy's."""
    site, _ = store.sites.create("planet")
    submission = Submission(
        article_id="a1", sender_name="Zoë", email="zoe@example.com", comment="Très bien 👍",
        parent_id="p1", author_ip="2001:db8::1", user_agent="UA", referrer="https://r.example",
        permalink="https://p.example/1", section="politics", article_title="Title",
        article_url="https://a.example/1", nudged=True,
    )
    added = store.comments.add(site, submission)
    found = store.comments.get(added.id, site_id=site.id)
    assert found is not None
    assert found == replace(added, created_at=found.created_at)
    assert abs(found.created_at - added.created_at) < timedelta(milliseconds=1)
    assert found.created_at.tzinfo is not None
    assert [c.id for c in store.comments.pending([added.id])] == [added.id]


def test_a_failed_insert_leaves_no_transaction_open(store: Store) -> None:
    site, _ = store.sites.create("planet")
    first = store.comments.add(site, SUBMISSION)
    with pytest.raises(IntegrityError):  # the same id twice: raised as SQLAlchemy's error
        store.comments.add(site, SUBMISSION, comment_id=first.id)
    second = store.comments.add(site, SUBMISSION)  # the pooled connection still works
    assert store.comments.get(second.id) is not None
