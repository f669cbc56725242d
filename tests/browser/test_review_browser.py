"""The review queue in real headless Chromium: keyboard, bulk, XSS, CSRF, no-JS, screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Role, Status
from tests.support.review import PASSWORD, add_comment, add_user, results

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ROWS = "#queue > .row"


def expect(target: Any) -> Any:
    """Playwright's auto-waiting assertions."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


@pytest.fixture
def site(runtime: Runtime) -> Site:
    """The site whose queue is moderated."""
    return runtime.store.sites.create("daily-planet", "The Daily Planet")[0]


def log_in(page: Any, base_url: str, email: str = "mod@example.com") -> None:
    """Log in through the form, as a moderator does."""
    page.goto(f"{base_url}/review")
    assert page.url.startswith(f"{base_url}/review/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/review")


def test_a_moderator_clears_the_queue_with_the_keyboard(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    comments = [add_comment(runtime, site, body=f"Flagged remark number {n}") for n in range(3)]
    log_in(page, base_url)
    expect(page.locator(ROWS)).to_have_count(3)
    page.keyboard.press("j")
    expect(page.locator(f"#c-{comments[0].id}")).to_be_focused()
    page.keyboard.press("a")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator(f"#c-{comments[1].id}")).to_be_focused()  # focus moved to the next
    page.keyboard.press("r")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(f"#c-{comments[2].id}")).to_be_focused()
    page.keyboard.press("s")
    expect(page.locator("#empty")).to_be_visible()  # the page reloaded onto an empty queue
    statuses = [runtime.store.comments.get(c.id) for c in comments]
    assert [c.status if c else None for c in statuses] == [
        Status.APPROVED,
        Status.REJECTED,
        Status.REJECTED,
    ]
    moderated = [e for e in results(runtime, site.slug) if e["event"] == "moderated"]
    assert [(e["comment_id"], e["status"], e["decided_by"]) for e in moderated] == [
        (comments[0].id, "approved", "moderator"),
        (comments[1].id, "rejected", "moderator"),
        (comments[2].id, "rejected", "moderator"),
    ]
    assert moderated[2]["reason"] == "spam"


def test_j_k_move_and_the_help_overlay_opens_with_a_question_mark(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    comments = [add_comment(runtime, site, body=f"remark {n}") for n in range(3)]
    log_in(page, base_url)
    for key, index in (("j", 0), ("j", 1), ("j", 2), ("j", 2), ("k", 1)):
        page.keyboard.press(key)
        expect(page.locator(f"#c-{comments[index].id}")).to_be_focused()
    page.keyboard.press("x")
    expect(page.locator(f"#c-{comments[1].id} input[name=selected]")).to_be_checked()
    page.keyboard.press("?")
    expect(page.locator("#help dl")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#help dl")).to_be_hidden()


def test_bulk_reject_of_a_selection(page: Any, base_url: str, runtime: Runtime, site: Site) -> None:
    add_user(runtime)
    comments = [add_comment(runtime, site, body=f"Buy now {n}") for n in range(3)]
    keep = add_comment(runtime, site, body="A fair point about the council")
    log_in(page, base_url)
    for comment in comments:
        page.check(f"#c-{comment.id} input[name=selected]")
    page.select_option("#bulk-reason", "spam")
    page.click("#bulk button[value=reject]")
    expect(page.locator(".flash-success")).to_contain_text("Rejected 3 comments.")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(f"#c-{keep.id}")).to_be_visible()
    moderated = [e for e in results(runtime, site.slug) if e["event"] == "moderated"]
    assert sorted(e["comment_id"] for e in moderated) == sorted(c.id for c in comments)
    assert {(e["status"], e["reason"], e["decided_by"]) for e in moderated} == {
        ("rejected", "spam", "moderator")
    }


def test_a_script_in_a_comment_is_shown_as_text_and_never_runs(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    payload = "<script>alert(1)</script><img src=x onerror=alert(1)>"
    add_comment(runtime, site, body=payload, sender_name="<img src=x onerror=alert(2)>")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, base_url)
    expect(page.locator(".body").first).to_have_text(payload)
    expect(page.locator(".author strong").first).to_have_text("<img src=x onerror=alert(2)>")
    assert page.locator("main img").count() == 0
    page.wait_for_timeout(300)
    assert dialogs == []


def test_a_post_without_the_csrf_token_is_refused(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    comment = add_comment(runtime, site)
    log_in(page, base_url)
    status = page.evaluate(
        """path => fetch(path, {method: 'POST', body: new URLSearchParams(
            {action: 'approve', expected: 'flagged'})}).then(r => r.status)""",
        f"/review/comments/{comment.id}/decision",
    )
    assert status == 400
    # A plain form whose token was stripped is refused too.
    page.check(f"#c-{comment.id} input[name=selected]")
    page.evaluate("() => document.querySelector('#bulk input[name=csrf_token]').remove()")
    with page.expect_navigation() as navigation:
        page.click("#bulk button[value=approve]")
    assert navigation.value.status == 400
    expect(page.locator("h1")).to_have_text("Form expired")
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.FLAGGED


def test_every_action_works_without_javascript(
    browser: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    comment = add_comment(runtime, site)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, base_url)
        page.goto(f"{base_url}/review?sort=score")
        page.click(f"#c-{comment.id} button[value=approve]")
        page.wait_for_url(f"{base_url}/review?sort=score")
        expect(page.locator(".flash-success")).to_contain_text("Approved 1 comment.")
        page.click("#undo button")
        expect(page.locator(f"#c-{comment.id}")).to_be_visible()
    finally:
        context.close()
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.FLAGGED


@pytest.mark.skipif(
    not os.environ.get("REVIEW_SCREENSHOTS"), reason="set REVIEW_SCREENSHOTS=1 to refresh docs/img"
)
def test_screenshots_for_the_guide(page: Any, base_url: str, runtime: Runtime, site: Site) -> None:
    admin, _ = add_user(runtime, "editor@example.com", Role.ADMIN)
    samples = [
        (
            "Casey",
            "casey@example.com",
            "Great reporting, but the council vote was 7-2, not 6-3.",
            0.52,
            0.08,
            [],
        ),
        (
            "Deals4U",
            "deals@example.biz",
            "Cheap watches!!! Visit best-deals.example for 90% off",
            0.93,
            0.05,
            [
                {"begin": 0, "end": 15, "axis": "spam", "weight": 0.8},
                {"begin": 23, "end": 41, "axis": "spam", "weight": 0.6},
            ],
        ),
        (
            "Sam",
            "sam@example.com",
            "Anyone who votes for this is an idiot.",
            0.08,
            0.71,
            [{"begin": 32, "end": 37, "axis": "toxicity", "weight": 0.9}],
        ),
        (
            "Lee",
            "lee@example.com",
            "Where can I find the full report mentioned in paragraph 4?",
            0.55,
            0.02,
            [],
        ),
    ]
    story = {
        "article_id": "council-budget",
        "article_title": "Council passes the budget 7-2 after a long night",
        "article_url": "https://news.example/local/council-budget",
        "section": "local",
    }
    answered = add_comment(
        runtime, site, Status.APPROVED, sender_name="Morgan", email="morgan@example.com",
        body="The vote was close because two members were absent.", **story,
    )  # fmt: skip
    added = []
    for name, email, body, spam, toxicity, spans in samples:
        added.append(
            add_comment(
                runtime,
                site,
                sender_name=name,
                email=email,
                body=body,
                spam=spam,
                toxicity=toxicity,
                spans=spans,
                model_version="2025.06.01-1",
                reasons=["toxicity:above_flag", "toxicity:insult"] if toxicity > 0.5 else None,
                parent_id=answered.id if name == "Sam" else None,
                **story,
            )
        )
    add_comment(runtime, site, Status.APPROVED, sender_name="Sam", email="sam@example.com")
    runtime.store.context.add_note(site.id, "sam@example.com", admin.id, "Sharp; warned once.")
    colleague, _ = add_user(runtime, "ann@example.com")
    runtime.store.claims.claim(added[3].id, colleague.id, 300)
    for n in range(6):
        decided = add_comment(
            runtime, site, body=f"Earlier remark {n}", model_version="2025.06.01-1"
        )
        review.moderate(
            runtime.store,
            runtime.publishing,
            admin,
            decided.id,
            Status.APPROVED if n % 3 else Status.REJECTED,
            "spam" if n % 3 == 0 else None,
        )
    # Spread the decisions over the fortnight so the chart shows a few days.
    from datetime import timedelta

    from sqlalchemy import update

    from domain.records import utcnow
    from domain.store.tables import comments, decisions

    with runtime.store.db.write() as connection:
        for n, decision_id in enumerate(range(1, 40)):
            connection.execute(
                update(decisions)
                .where(decisions.c.id == decision_id, decisions.c.event == "moderated")
                .values(created_at=utcnow() - timedelta(days=(n * 5) % 13))
            )
    # A day of arrivals and automatic verdicts for the desk's hourly chart.
    for n in range(40):
        status = (Status.APPROVED, Status.APPROVED, Status.REJECTED, Status.FLAGGED)[n % 4]
        earlier = add_comment(runtime, site, status, body=f"Arrival {n}", section="local")
        if status is Status.FLAGGED:
            review.moderate(runtime.store, runtime.publishing, admin, earlier.id, Status.APPROVED)
        moment = utcnow() - timedelta(hours=(n * 7) % 23, minutes=30)
        with runtime.store.db.write() as connection:
            connection.execute(
                update(comments).where(comments.c.id == earlier.id).values(created_at=moment)
            )
            connection.execute(
                update(decisions)
                .where(decisions.c.comment_id == earlier.id, decisions.c.event == "verdict")
                .values(created_at=moment)
            )
    target = ROOT / "docs" / "img"
    target.mkdir(parents=True, exist_ok=True)
    log_in(page, base_url, "editor@example.com")
    page.keyboard.press("j")
    page.screenshot(path=str(target / "review-queue.png"), full_page=True)
    page.goto(f"{base_url}/review/dashboard")
    page.screenshot(path=str(target / "review-dashboard.png"), full_page=True)
    page.goto(f"{base_url}/review/thread?site={site.slug}&article_id={story['article_id']}")
    page.screenshot(path=str(target / "review-thread.png"), full_page=True)
    page.goto(f"{base_url}/review/author?site={site.slug}&email=sam@example.com")
    page.screenshot(path=str(target / "review-author.png"), full_page=True)
