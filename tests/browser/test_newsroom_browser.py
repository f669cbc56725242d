"""The reported and appealed queues in real headless Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from domain import review
from domain.infra.collaborators import Runtime
from domain.newsroom.reports import Notice, file_report
from domain.vocabulary import Role, Status
from tests.browser.test_review_browser import expect, log_in
from tests.support.review import add_comment, add_user, results

pytestmark = pytest.mark.browser


def test_a_moderator_sees_reports_and_decides_an_appeal(
    page: Any, base_url: str, runtime: Runtime
) -> None:
    site, _ = runtime.store.sites.create("daily-planet", "The Daily Planet")
    reported = add_comment(runtime, site, Status.APPROVED, body="A reported remark")
    notice = Notice("illegal", "reader-1", "<b>incites</b> hatred", "StGB 130")
    file_report(runtime.store, runtime.publishing, site, reported.id, notice)
    appealed = add_comment(runtime, site, Status.FLAGGED, body="An appealed remark")
    first, _ = add_user(runtime, "first@example.com")
    review.moderate(runtime.store, runtime.publishing, first, appealed.id, Status.REJECTED, "spam")
    runtime.store.appeals.file(appealed.id, site.id, "It was satire")
    add_user(runtime, "mod@example.com", Role.MODERATOR)
    log_in(page, base_url)

    page.goto(f"{base_url}/review?status=reported")
    row = page.locator(f"#c-{reported.id}")
    expect(row.locator(".reader-report")).to_have_count(1)
    expect(row.locator(".report-message")).to_have_text("<b>incites</b> hatred")  # escaped
    expect(row.locator(".legal-grounds")).to_contain_text("StGB 130")

    page.goto(f"{base_url}/review?status=appealed")
    row = page.locator(f"#c-{appealed.id}")
    expect(row.locator(".appeal-message")).to_have_text("It was satire")
    row.locator("input[name=reason]").fill("Satire is allowed")
    row.locator("button[value=reverse]").click()
    expect(page.locator(".flash-success")).to_contain_text("Appeal reversed")
    expect(page.locator(f"#c-{appealed.id}")).to_have_count(0)
    stored = runtime.store.comments.get(appealed.id)
    assert stored is not None and stored.status is Status.APPROVED
    events = [e["event"] for e in results(runtime, site.slug)]
    assert events[-1] == "appeal"
