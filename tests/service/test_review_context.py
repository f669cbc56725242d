"""The queue's context: story, reply, author's record and notes, claims, conflicts, thread."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.review.context import explain
from domain.vocabulary import Role, Status
from tests.service.test_review_queue import _post
from tests.support.review import add_comment, add_user, log_in
from tests.support.review import models_dir as models_dir  # noqa: F401 - no model needed

STORY = {
    "article_id": "russia-china",
    "article_title": "Russia and China sign a security pact",
    "article_url": "https://news.example/world/russia-china",
    "section": "world",
}


@pytest.fixture
def site(site_and_key: tuple[Site, str]) -> Site:
    """The site the queue shows."""
    return site_and_key[0]


@pytest.fixture
def moderator(client: FlaskClient, runtime: Runtime) -> FlaskClient:
    """A client logged in as a moderator of every site."""
    add_user(runtime)
    log_in(client)
    return client


def test_a_row_shows_the_story_as_a_link_and_counts_its_flagged_comments(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    for n in range(3):
        add_comment(runtime, site, body=f"remark {n}", **STORY)
    html = moderator.get("/review").get_data(as_text=True)
    assert f'href="{STORY["article_url"]}"' in html
    assert STORY["article_title"] in html
    assert "3 flagged on this story" in html
    grouped = moderator.get("/review?group=article").get_data(as_text=True)
    assert grouped.count('class="story-group"') == 1


def test_the_queue_filters_by_section(moderator: FlaskClient, runtime: Runtime, site: Site) -> None:
    add_comment(runtime, site, body="about the war", **STORY)
    add_comment(runtime, site, body="about the match", section="sport")
    html = moderator.get("/review?section=sport").get_data(as_text=True)
    assert "about the match" in html and "about the war" not in html
    assert '<option value="world"' in html  # the filter offers the sections with work


def test_a_reply_shows_the_comment_it_answers_and_its_status(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    original = add_comment(runtime, site, Status.APPROVED, body="The pact changes nothing.")
    add_comment(runtime, site, body="you're wrong, read it again", parent_id=original.id)
    html = moderator.get("/review").get_data(as_text=True)
    assert '<details class="parent">' in html
    assert "In reply to Reader" in html and "The pact changes nothing." in html
    assert "status-approved" in html


def test_a_reply_to_another_sites_comment_shows_nothing_of_it(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    other, _ = runtime.store.sites.create("other-site")
    foreign = add_comment(runtime, other, Status.APPROVED, body="Secret of another site")
    add_comment(runtime, site, body="a reply", parent_id=foreign.id)
    html = moderator.get("/review?site=daily-planet").get_data(as_text=True)
    assert "Secret of another site" not in html
    assert "has not seen" in html


def test_the_row_shows_the_authors_record_and_notes(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    email = "regular@example.com"
    add_comment(runtime, site, Status.APPROVED, email=email)
    add_comment(runtime, site, Status.APPROVED, email=email)
    add_comment(runtime, site, Status.REJECTED, email=email)
    add_comment(runtime, site, email=email, body="the flagged one")
    response = _post(
        moderator, "/review/author/notes", site=site.slug, email=email,
        note="<b>Regular</b>, sharp but fair", next="/review",
    )  # fmt: skip
    assert response.status_code == 303  # type: ignore[attr-defined]
    html = moderator.get("/review").get_data(as_text=True)
    assert "2 approved" in html and "1 rejected" in html and "1 flagged" in html
    assert "first seen" in html
    assert "&lt;b&gt;Regular&lt;/b&gt;, sharp but fair" in html and "<b>Regular" not in html
    author = moderator.get(f"/review/author?site={site.slug}&email={email}")
    assert "sharp but fair" in author.get_data(as_text=True)
    empty = _post(moderator, "/review/author/notes", site=site.slug, email=email, note="  ")
    assert empty.status_code == 303  # type: ignore[attr-defined]
    assert len(runtime.store.context.notes(site.id, email)) == 1


def test_a_claim_is_shown_to_other_moderators_and_refused_to_them(
    client: FlaskClient, runtime: Runtime, site: Site
) -> None:
    comment = add_comment(runtime, site)
    holder, _ = add_user(runtime, "ann@example.com")
    add_user(runtime, "bob@example.com")
    assert review.context.claim(runtime.store, holder, comment.id) is not None
    log_in(client, "bob@example.com")
    html = client.get("/review").get_data(as_text=True)
    assert "Being reviewed by ann@example.com" in html
    answer = _post(client, f"/review/comments/{comment.id}/claim", json=True)
    assert answer.get_json() == {  # type: ignore[attr-defined]
        "comment_id": comment.id,
        "holder": "ann@example.com",
        "mine": False,
        "expires_at": answer.get_json()["expires_at"],  # type: ignore[attr-defined]
    }
    missing = _post(client, "/review/comments/nope/claim", json=True)
    assert missing.status_code == 404  # type: ignore[attr-defined]


def test_a_decision_on_a_comment_decided_meanwhile_names_who_decided_it(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    comment = add_comment(runtime, site)
    other, _ = add_user(runtime, "ann@example.com", Role.MODERATOR)
    review.moderate(
        runtime.store,
        runtime.publishing,
        other,
        comment.id,
        Status.REJECTED,
        "toxic",
        Status.FLAGGED,
    )
    path = f"/review/comments/{comment.id}/decision"
    late = _post(moderator, path, json=True, action="approve", expected="flagged")
    assert late.status_code == 409  # type: ignore[attr-defined]
    message = late.get_json()["messages"][comment.id]  # type: ignore[attr-defined]
    assert message.startswith("Already rejected by ann@example.com")
    assert message.endswith("your decision was not applied.")
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.REJECTED


def test_the_thread_lists_a_storys_comments_in_order_with_statuses(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    first = add_comment(runtime, site, Status.APPROVED, body="First!", **STORY)
    reply = add_comment(runtime, site, body="Reply to first", parent_id=first.id, **STORY)
    add_comment(runtime, site, Status.REJECTED, body="Third", **STORY)
    html = moderator.get(
        f"/review/thread?site={site.slug}&article_id={STORY['article_id']}"
    ).get_data(as_text=True)
    assert html.index("First!") < html.index("Reply to first") < html.index("Third")
    assert f'id="t-{reply.id}"' in html and "depth-1" in html
    assert all(f"status-{s}" in html for s in ("approved", "flagged", "rejected"))
    assert moderator.get("/review/thread?site=daily-planet&article_id=nope").status_code == 404
    assert moderator.get("/review/thread?site=elsewhere&article_id=x").status_code == 404


def test_reasons_read_as_plain_words() -> None:
    assert explain(["toxicity:above_flag", "toxicity:insult"]) == "insult aimed at a person"
    assert explain(["spam:above_flag"]) == "spam score over the flag line"
    assert explain(["rule:12"]) == "matched a site rule"
    assert explain([]) == ""


def test_the_dashboard_shows_the_desk_per_site_and_section(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    admin, _ = add_user(runtime, "ann@example.com", Role.ADMIN)
    add_comment(runtime, site, Status.APPROVED, section="world")
    add_comment(runtime, site, Status.REJECTED, section="world")
    decided = add_comment(runtime, site, section="world")
    add_comment(runtime, site, section="world")
    add_comment(runtime, site, section="sport")
    review.moderate(
        runtime.store, runtime.publishing, admin, decided.id, Status.APPROVED, None, Status.FLAGGED
    )
    desks = {(d.site_slug, d.section): d for d in runtime.store.desk.desks(24, None)}
    world = desks[("daily-planet", "world")]
    assert world.received == 4
    assert world.automatic == {"approved": 1, "rejected": 1, "flagged": 2}
    assert world.waiting == 1 and world.oldest_waiting is not None
    assert world.median_decision_seconds is not None and world.median_decision_seconds >= 0
    assert desks[("daily-planet", "sport")].waiting == 1
    hours = runtime.store.desk.per_hour(24, None)
    assert len(hours) == 24 and hours[-1].received == 5
    assert hours[-1].automatic == {"approved": 1, "rejected": 1, "flagged": 3}
    html = moderator.get("/review/dashboard").get_data(as_text=True)
    assert 'data-desk="daily-planet/world"' in html and 'id="hours-table"' in html
    assert 'id="median-decision"' in html
    limited = runtime.store.desk.desks(24, ["another-site"])
    assert limited == []
