"""The queue page: listing, escaping, highlights, actions, conflicts, bulk, undo, authors, scope."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.scoring.score import score_comments
from domain.vocabulary import Status
from tests.support.review import (
    add_comment,
    add_user,
    csrf_token,
    give_language_models,
    log_in,
    models_dir,  # noqa: F401 - no trained model needed
    results,
)

XSS_BODY = "<script>alert(1)</script> and <img src=x onerror=alert(1)>"
XSS_NAME = "<img src=x onerror=alert(1)>"


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


def _post(client: FlaskClient, path: str, json: bool = False, **data: str | list[str]) -> object:
    """POST a form of the queue with the page's CSRF token."""
    headers = {"Accept": "application/json"} if json else {}
    return client.post(
        path, data={**data, "csrf_token": csrf_token(client, "/review")}, headers=headers
    )


def _status(runtime: Runtime, comment_id: str) -> Status:
    comment = runtime.store.comments.get(comment_id)
    assert comment is not None
    return comment.status


def test_the_queue_lists_flagged_comments_oldest_first(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    first = add_comment(runtime, site, body="First flagged remark")
    add_comment(runtime, site, Status.APPROVED, body="An approved remark")
    second = add_comment(runtime, site, body="Second flagged remark")
    html = moderator.get("/review").get_data(as_text=True)
    assert "An approved remark" not in html
    assert html.index(first.body) < html.index(second.body)
    assert html.index("c-" + first.id) < html.index("c-" + second.id)
    approved = moderator.get("/review?status=approved").get_data(as_text=True)
    assert "An approved remark" in approved and first.body not in approved
    everything = moderator.get("/review?status=all").get_data(as_text=True)
    assert all(text in everything for text in ("First flagged", "An approved", "Second flagged"))
    newest = moderator.get("/review?sort=newest").get_data(as_text=True)
    assert newest.index(second.body) < newest.index(first.body)


def test_each_row_shows_what_a_moderator_needs(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    comment = add_comment(
        runtime,
        site,
        body="Buy cheap pills now",
        sender_name="Pill Seller",
        email="pills@example.com",
        article_id="story-42",
        spam=0.87,
        spans=[{"begin": 4, "end": 15, "axis": "spam", "weight": 0.9}],
    )
    html = moderator.get("/review").get_data(as_text=True)
    assert 'Buy <mark class="spam" title="spam">cheap pills</mark> now' in html
    assert "Pill Seller" in html and "pills@example.com" in html and "story-42" in html
    assert "/review/author?email=pills%40example.com&amp;site=daily-planet" in html or (
        "/review/author?email=pills@example.com&amp;site=daily-planet" in html
    )
    assert re.search(r'<meter[^>]*value="0.870"', html) and "0.87" in html
    assert '<li class="chip">spam:above_flag</li>' in html
    assert "model v-test" in html
    assert f'value="{comment.id}:flagged"' in html and 'form="bulk"' in html


def test_a_profanity_chip_says_where_the_word_comes_from(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    add_comment(runtime, site, body="What a wanker", toxicity=0.9,
                reasons=["toxicity:profanity", "toxicity:above_flag"],
                spans=[{"begin": 7, "end": 13, "axis": "toxicity", "weight": 3.1}])
    html = moderator.get("/review").get_data(as_text=True)
    assert re.search(r'<li class="chip" title="[^"]*profanity lists[^"]*">toxicity:profanity</li>',
                     html)
    assert '<li class="chip">toxicity:above_flag</li>' in html
    assert 'What a <mark class="toxicity" title="toxicity">wanker</mark>' in html


def test_an_identity_term_chip_tells_the_moderator_to_judge_the_rest(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    add_comment(runtime, site, body="I am a gay man", toxicity=0.98,
                reasons=["toxicity:above_flag", "toxicity:identity-term"])
    html = moderator.get("/review").get_data(as_text=True)
    assert re.search(r'<li class="chip" title="Names a group of people[^"]*">'
                     r"toxicity:identity-term</li>", html)


def test_the_queue_shows_each_comments_language_and_filters_by_it(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    add_comment(runtime, site, body="Эта статья полная чушь", language="ru", toxicity=None,
                reasons=["language:unsupported"])
    add_comment(runtime, site, body="An English remark", language="en")
    html = moderator.get("/review").get_data(as_text=True)
    assert '<span class="language" lang="ru" title="Detected language">ru</span>' in html
    assert re.search(r'<li class="chip" title="No model reads this language[^"]*">'
                     r"language:unsupported</li>", html)
    russian = moderator.get("/review?language=ru").get_data(as_text=True)
    assert "Эта статья" in russian and "An English remark" not in russian
    assert moderator.get("/review?language=%00%FF<x>").status_code == 200


def test_comment_text_and_names_are_shown_as_text_never_as_html(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    add_comment(
        runtime,
        site,
        body=XSS_BODY,
        sender_name=XSS_NAME,
        spans=[{"begin": 0, "end": 8, "axis": "toxicity", "weight": 1.0}],
    )
    for path in ("/review", "/review/author?email=reader@example.com&site=daily-planet"):
        html = moderator.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<img src=x" not in html, path
        assert '<mark class="toxicity" title="toxicity">&lt;script&gt;</mark>' in html or (
            path != "/review"
        )
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, path


def test_approving_records_publishes_labels_and_returns_with_the_same_filters(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    comment = add_comment(runtime, site)
    back = "/review?sort=score&site=daily-planet"
    response = _post(
        moderator,
        f"/review/comments/{comment.id}/decision",
        action="approve",
        expected="flagged",
        next=back,
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["Location"] == back  # type: ignore[attr-defined]
    assert _status(runtime, comment.id) is Status.APPROVED
    [decision] = [
        d for d in runtime.store.comments.history(comment.id) if d.event.value == "moderated"
    ]
    assert (decision.decided_by.value, decision.user_email) == ("moderator", "mod@example.com")
    [entry] = [e for e in results(runtime, site.slug) if e["event"] == "moderated"]
    assert (entry["status"], entry["decided_by"]) == ("approved", "moderator")
    assert sorted(label.label for label in runtime.store.labels.all()) == ["ham", "ok"]
    assert "Approved 1 comment." in moderator.get(back).get_data(as_text=True)


@pytest.mark.parametrize(
    ("action", "reason", "label"),
    [("reject", "toxic", ["toxic"]), ("spam", "", ["spam"]), ("reject", "off_topic", [])],
)
def test_reject_and_spam_teach_the_matching_label(
    moderator: FlaskClient,
    runtime: Runtime,
    site: Site,
    action: str,
    reason: str,
    label: list[str],
) -> None:
    comment = add_comment(runtime, site)
    _post(
        moderator,
        f"/review/comments/{comment.id}/decision",
        action=action,
        reason=reason,
        expected="flagged",
    )
    assert _status(runtime, comment.id) is Status.REJECTED
    assert [la.label for la in runtime.store.labels.all()] == label


def test_the_keyboard_script_gets_json_and_a_conflict_is_409(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    comment = add_comment(runtime, site)
    path = f"/review/comments/{comment.id}/decision"
    done = _post(moderator, path, json=True, action="approve", expected="flagged")
    assert done.status_code == 200  # type: ignore[attr-defined]
    assert done.get_json()["decisions"][0]["status"] == "approved"  # type: ignore[attr-defined]
    # Another moderator's page still shows it flagged: their reject must not overwrite.
    late = _post(moderator, path, json=True, action="reject", expected="flagged")
    assert late.status_code == 409  # type: ignore[attr-defined]
    assert late.get_json()["conflicts"] == {comment.id: "approved"}  # type: ignore[attr-defined]
    assert _status(runtime, comment.id) is Status.APPROVED
    page = _post(moderator, path, action="reject", expected="flagged", next="/review")
    assert page.status_code == 303  # type: ignore[attr-defined]
    assert "changed while you looked" in moderator.get("/review").get_data(as_text=True)


def test_bulk_reject_of_a_selection(moderator: FlaskClient, runtime: Runtime, site: Site) -> None:
    chosen = [add_comment(runtime, site, body=f"spam {n}") for n in range(3)]
    left = add_comment(runtime, site, body="keep me")
    response = _post(
        moderator,
        "/review/bulk",
        action="reject",
        reason="spam",
        selected=[f"{c.id}:flagged" for c in chosen],
        next="/review",
    )
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert [_status(runtime, c.id) for c in chosen] == [Status.REJECTED] * 3
    assert _status(runtime, left.id) is Status.FLAGGED
    moderated = [e for e in results(runtime, site.slug) if e["event"] == "moderated"]
    assert sorted(e["comment_id"] for e in moderated) == sorted(c.id for c in chosen)
    assert [la.label for la in runtime.store.labels.all()] == ["spam"] * 3
    html = moderator.get("/review").get_data(as_text=True)
    assert "Rejected 3 comments." in html and "keep me" in html and "spam 1" not in html


def test_bulk_approve_and_an_empty_selection(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    a, b = add_comment(runtime, site), add_comment(runtime, site)
    _post(
        moderator, "/review/bulk", action="approve", selected=[f"{a.id}:flagged", f"{b.id}:flagged"]
    )
    assert {_status(runtime, a.id), _status(runtime, b.id)} == {Status.APPROVED}
    _post(moderator, "/review/bulk", action="approve", next="/review")
    assert "Select comments first" in moderator.get("/review").get_data(as_text=True)


def test_undo_restores_the_last_action(
    moderator: FlaskClient, runtime: Runtime, site: Site
) -> None:
    comment = add_comment(runtime, site)
    _post(moderator, f"/review/comments/{comment.id}/decision", action="spam", expected="flagged")
    assert _status(runtime, comment.id) is Status.REJECTED
    response = _post(moderator, "/review/undo", next="/review")
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert _status(runtime, comment.id) is Status.FLAGGED
    history = runtime.store.comments.history(comment.id)
    assert [(d.previous_status.value, d.new_status.value, d.reason) for d in history[1:]] == [
        ("flagged", "rejected", "spam"),
        ("rejected", "flagged", "undo"),
    ]
    assert [e["status"] for e in results(runtime, site.slug) if e["event"] == "moderated"] == [
        "rejected",
        "flagged",
    ]
    _post(moderator, "/review/undo", next="/review")
    assert "Nothing to undo." in moderator.get("/review").get_data(as_text=True)


def test_filters_search_and_pages(moderator: FlaskClient, runtime: Runtime, site: Site) -> None:
    other = runtime.store.sites.create("other-site")[0]
    add_comment(runtime, site, body="About the mayor", article_id="mayor")
    add_comment(runtime, other, body="About the weather", email="sun@example.com")
    for n in range(30):
        add_comment(runtime, site, body=f"filler {n}", spam=0.7)

    def page(query: str) -> str:
        return moderator.get("/review?" + query).get_data(as_text=True)

    assert "About the weather" in page("site=other-site") and "mayor" not in page("site=other-site")
    assert "About the mayor" in page("article_id=mayor")
    assert "About the weather" in page("q=sun%40example")
    assert "About the mayor" not in page("score_min=0.65")
    first, second = page(""), page("page=2")
    assert "filler 0<" in first and "filler 29<" in second
    assert "Page 1 of 2" in first and 'href="/review?page=2"' in first
    assert "status: Status must be one of" in page("status=deleted")


def test_author_view_rejects_all_and_blocks(
    moderator: FlaskClient, runtime: Runtime, site: Site, trained_models_dir: Path
) -> None:
    give_language_models(runtime, trained_models_dir)
    troll = [
        add_comment(runtime, site, status, email="troll@example.com")
        for status in (Status.FLAGGED, Status.APPROVED)
    ]
    bystander = add_comment(runtime, site, email="kind@example.com")
    html = moderator.get("/review/author?email=troll@example.com&site=daily-planet").get_data(
        as_text=True
    )
    assert all("c-" + c.id in html for c in troll) and "c-" + bystander.id not in html
    _post(
        moderator,
        "/review/author/reject-all",
        site="daily-planet",
        email="troll@example.com",
        reason="spam",
    )
    assert [_status(runtime, c.id) for c in troll] == [Status.REJECTED, Status.REJECTED]
    assert _status(runtime, bystander.id) is Status.FLAGGED
    _post(moderator, "/review/author/block", site="daily-planet", email="troll@example.com")
    assert runtime.store.moderation.is_blocked(site.id, "troll@example.com")
    later = add_comment(runtime, site, Status.PENDING, email="troll@example.com")
    [verdict] = score_comments([later.id], runtime.store, runtime.scorer, runtime.publishing)
    assert (verdict.new_status, verdict.decided_by.value) == (Status.REJECTED, "rule")
    page = moderator.get("/review/author?email=troll@example.com&site=daily-planet")
    assert "Unblock author" in page.get_data(as_text=True)


def test_history_shows_every_decision(moderator: FlaskClient, runtime: Runtime, site: Site) -> None:
    comment = add_comment(runtime, site)
    _post(
        moderator, f"/review/comments/{comment.id}/decision", action="approve", expected="flagged"
    )
    html = moderator.get(f"/review/comments/{comment.id}/history").get_data(as_text=True)
    assert "verdict" in html and "moderated" in html and "mod@example.com" in html


def test_a_moderator_limited_to_one_site_sees_and_touches_only_it(
    client: FlaskClient, runtime: Runtime, site: Site
) -> None:
    other = runtime.store.sites.create("other-site")[0]
    mine = add_comment(runtime, site, body="Mine to moderate")
    theirs = add_comment(runtime, other, body="Not mine at all", email="x@example.com")
    add_user(runtime, "limited@example.com", sites=["daily-planet"])
    log_in(client, "limited@example.com")
    html = client.get("/review?status=all").get_data(as_text=True)
    assert "Mine to moderate" in html and "Not mine at all" not in html
    assert "Not mine at all" not in client.get("/review?site=other-site").get_data(as_text=True)
    assert (
        _post(
            client, f"/review/comments/{theirs.id}/decision", action="approve", expected="flagged"
        ).status_code  # type: ignore[attr-defined]
        == 404
    )
    _post(client, "/review/bulk", action="reject", selected=[f"{theirs.id}:flagged"])
    assert _status(runtime, theirs.id) is Status.FLAGGED
    assert client.get(f"/review/comments/{theirs.id}/history").status_code == 404
    assert client.get("/review/author?email=x@example.com&site=other-site").status_code == 404
    blocked = _post(client, "/review/author/block", site="other-site", email="x@example.com")
    assert blocked.status_code == 404  # type: ignore[attr-defined]
    assert not runtime.store.moderation.is_blocked(other.id, "x@example.com")
    assert _status(runtime, mine.id) is Status.FLAGGED
