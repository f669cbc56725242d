"""Context on the review page in real Chromium: replies, claims, conflicts, refresh, notes, axe."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Role, Status
from tests.browser.test_review_browser import ROWS, expect, log_in
from tests.support.review import add_comment, add_user

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
STORY = {
    "article_id": "russia-china",
    "article_title": "Russia and China sign a security pact",
    "article_url": "https://news.example/world/russia-china",
    "section": "world",
}


@pytest.fixture
def site(runtime: Runtime) -> Site:
    """The site whose queue is moderated."""
    return runtime.store.sites.create("daily-planet", "The Daily Planet")[0]


def second_moderator(browser: Any, base_url: str, email: str = "ann@example.com") -> Any:
    """Another moderator's page, in a browser context of their own."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    other = context.new_page()
    log_in(other, base_url, email)
    return other


def test_a_reply_shows_what_it_answers_in_one_line_and_expands(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    answered = add_comment(runtime, site, Status.APPROVED, body="The pact changes nothing. " * 6)
    reply = add_comment(runtime, site, body="you're wrong, read it again", parent_id=answered.id)
    log_in(page, base_url)
    row = page.locator(f"#c-{reply.id}")
    expect(row.locator(".parent summary")).to_contain_text("In reply to Reader")
    expect(row.locator(".parent summary .status")).to_have_text("approved")
    expect(row.locator(".parent-body")).to_be_hidden()
    row.locator(".parent summary").click()
    expect(row.locator(".parent-body")).to_be_visible()
    expect(row.locator(".parent-body")).to_contain_text("The pact changes nothing.")


def test_selecting_a_comment_claims_it_for_the_others(
    page: Any, browser: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    add_user(runtime, "ann@example.com")
    comments = [add_comment(runtime, site, body=f"remark {n}") for n in range(2)]
    other = second_moderator(browser, base_url)
    try:
        log_in(page, base_url)
        with page.expect_response(lambda r: r.url.endswith(f"/{comments[0].id}/claim")):
            page.keyboard.press("j")
        other.evaluate("() => window.reviewQueue.refresh()")
        badge = other.locator(f"#c-{comments[0].id} .being-reviewed")
        expect(badge).to_have_text("Being reviewed by mod@example.com")
        expect(other.locator(f"#c-{comments[1].id} .being-reviewed")).to_have_count(0)
        # Ann selecting it anyway does not take it over; she is told who holds it.
        with other.expect_response(lambda r: r.url.endswith("/claim")):
            other.locator(f"#c-{comments[0].id} .body").click()
        expect(badge).to_have_text("Being reviewed by mod@example.com")
    finally:
        other.context.close()


def test_a_comment_decided_meanwhile_is_refused_with_a_clear_message(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    ann, _ = add_user(runtime, "ann@example.com")
    comment = add_comment(runtime, site, body="Contested remark")
    log_in(page, base_url)
    review.moderate(
        runtime.store, runtime.publishing, ann, comment.id, Status.REJECTED, "toxic", Status.FLAGGED
    )
    page.keyboard.press("j")
    page.keyboard.press("a")
    conflict = page.locator(f"#c-{comment.id} .conflict")
    expect(conflict).to_contain_text("Already rejected by ann@example.com")
    expect(conflict).to_contain_text("your decision was not applied")
    expect(page.locator(f"#c-{comment.id}")).to_be_focused()
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.REJECTED


def test_the_queue_refreshes_in_place_and_keeps_the_focus(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    ann, _ = add_user(runtime, "ann@example.com")
    comments = [add_comment(runtime, site, body=f"remark {n}") for n in range(3)]
    log_in(page, base_url)
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"#c-{comments[1].id}")).to_be_focused()
    first = comments[0].id
    review.moderate(
        runtime.store, runtime.publishing, ann, first, Status.APPROVED, None, Status.FLAGGED
    )
    arrived = add_comment(runtime, site, body="a new arrival")
    assert page.evaluate("() => window.reviewQueue.refresh()") is True
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator(f"#c-{comments[0].id}")).to_have_count(0)
    expect(page.locator(f"#c-{arrived.id}")).to_be_visible()
    expect(page.locator(f"#c-{comments[1].id}")).to_be_focused()
    page.keyboard.press("j")
    expect(page.locator(f"#c-{comments[2].id}")).to_be_focused()


def test_notes_and_replies_work_without_javascript(
    browser: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    answered = add_comment(runtime, site, Status.APPROVED, body="What the reply answers")
    add_comment(runtime, site, body="a reply", email="regular@example.com", parent_id=answered.id)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, base_url)
        page.click(".parent summary")
        expect(page.locator(".parent-body")).to_have_text("What the reply answers")
        page.click(".record a")
        page.fill("#note", "Regular; sharp but fair")
        page.click(".note-form button")
        expect(page.locator("#notes")).to_contain_text("Regular; sharp but fair")
        expect(page.locator("#notes")).to_contain_text("mod@example.com")
    finally:
        context.close()


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core on the page; the serious and critical violations it finds."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document).then(r => ({violations: r.violations, passes: r.passes.length}))"
    )
    assert result["passes"] > 0, "axe checked nothing"
    found = result["violations"]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


def test_the_pages_pass_axe_without_serious_violations(
    browser: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/test installs it into tests/browser)")
    add_user(runtime, "mod@example.com", Role.ADMIN)
    answered = add_comment(runtime, site, Status.APPROVED, body="The pact changes it.", **STORY)
    reply = add_comment(
        runtime,
        site,
        body="You are a pathetic idiot and your article is garbage",
        parent_id=answered.id,
        spans=[{"begin": 10, "end": 18, "axis": "toxicity", "weight": 1.0}],
        reasons=["toxicity:above_flag", "toxicity:insult"],
        **STORY,
    )
    # The pages forbid inline scripts (CSP); the test context lets axe's injected script run.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, base_url)
    pages = [
        "/review",
        "/review?group=article",
        f"/review/thread?site={site.slug}&article_id={STORY['article_id']}",
        f"/review/author?site={site.slug}&email={reply.email}",
        f"/review/comments/{reply.id}/history",
        "/review/dashboard",
    ]
    problems = {}
    for path in pages:
        page.goto(base_url + path)
        found = _axe_violations(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}
