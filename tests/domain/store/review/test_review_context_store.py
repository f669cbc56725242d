"""The review context's SQL on SQLite and PostgreSQL: claims, records, parents, desk numbers."""

from __future__ import annotations

from dataclasses import replace

from domain.store import Store
from domain.store.review.review_queue import Change
from domain.vocabulary import Role, Status
from tests.domain.store.test_store import SUBMISSION, verdict_for


def test_a_claim_holds_until_it_expires_and_is_renewed_by_its_holder(store: Store) -> None:
    site, _ = store.sites.create("daily-planet")
    comment = store.comments.add(site, SUBMISSION)
    ann, _ = store.users.create("ann@example.com", "a long password 1", Role.MODERATOR, None)
    bob, _ = store.users.create("bob@example.com", "a long password 2", Role.MODERATOR, None)
    held = store.claims.claim(comment.id, ann.id, 300)
    assert held is not None and held.user_email == "ann@example.com"
    taken = store.claims.claim(comment.id, bob.id, 300)
    assert taken is not None and taken.user_id == ann.id  # Bob is told Ann holds it
    store.claims.claim(comment.id, ann.id, -1)  # Ann's renewal that expires at once
    assert store.claims.holders([comment.id]) == {}
    taken = store.claims.claim(comment.id, bob.id, 300)
    assert taken is not None and taken.user_id == bob.id  # an expired claim is free
    store.claims.release([comment.id], bob.id)
    assert store.claims.holders([comment.id]) == {}


def test_context_reads_records_parents_counts_and_desk_numbers(store: Store) -> None:
    site, _ = store.sites.create("daily-planet")
    other, _ = store.sites.create("other-site")
    mod, _ = store.users.create("mod@example.com", "a long password 1", Role.MODERATOR, None)
    story = replace(
        SUBMISSION, section="world", article_title="Pact", article_url="https://x.example/"
    )
    first = store.comments.add(site, story)
    reply = store.comments.add(site, replace(story, parent_id=first.id))
    foreign = store.comments.add(other, replace(story, parent_id=first.id))
    store.comments.record_verdicts([
        verdict_for(first.id, site.id), verdict_for(reply.id, site.id, Status.FLAGGED),
        verdict_for(foreign.id, other.id, Status.FLAGGED),
    ])  # fmt: skip
    stored = store.moderation.comments([reply.id, foreign.id], None)
    parents = store.context.parents(stored)
    assert list(parents) == [first.id]  # the other site's reply finds no parent
    records = store.context.author_records([(site.id, SUBMISSION.email)])
    record = records[(site.id, SUBMISSION.email)]
    assert (record.count("approved"), record.count("flagged")) == (1, 1)
    store.context.add_note(site.id, SUBMISSION.email, mod.id, "Regular")
    assert (
        store.context.author_records([(site.id, SUBMISSION.email)])[
            (site.id, SUBMISSION.email)
        ].latest_note
        == "Regular"
    )
    assert store.context.article_counts([(site.id, "a1")], "flagged") == {(site.id, "a1"): 1}
    assert store.context.sections(["daily-planet"]) == ["world"]
    assert [c.id for c in store.context.thread("daily-planet", "a1", None)] == [first.id, reply.id]
    store.moderation.apply([Change(reply.id, Status.FLAGGED, Status.REJECTED)], mod.id)
    latest = store.context.latest_decisions([reply.id])[reply.id]
    assert latest.user_email == "mod@example.com" and latest.new_status is Status.REJECTED
    desks = {(d.site_slug, d.section): d for d in store.desk.desks(24, ["daily-planet"])}
    world = desks[("daily-planet", "world")]
    assert (world.received, world.waiting) == (2, 0)
    assert world.automatic == {"approved": 1, "rejected": 0, "flagged": 1}
    assert len(world.decision_seconds) == 1
    assert sum(h.received for h in store.desk.per_hour(24, None)) == 3
