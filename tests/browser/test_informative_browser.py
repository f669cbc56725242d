"""The informative order in real Chromium: chosen by keyboard, each row saying why it is there."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from domain.infra.collaborators import Runtime
from domain.records import Site
from tests.browser.test_review_browser import ROWS, expect, log_in
from tests.browser.test_review_context_browser import AXE, _axe_violations
from tests.support.review import add_comment, add_user
from tests.support.scored_texts import HESITANT, SURE

pytestmark = pytest.mark.browser


@pytest.fixture
def models_dir(trained_models_dir: Path, tmp_path: Path) -> Path:
    """The trained models: this order asks the model (the other review tests need none)."""
    target = tmp_path / "models"
    shutil.copytree(trained_models_dir, target, ignore=shutil.ignore_patterns(".*.lock"))
    return target


@pytest.fixture
def site(runtime: Runtime) -> Site:
    """The site whose queue is moderated."""
    return runtime.store.sites.create("daily-planet", "The Daily Planet")[0]


def _tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the element is focused, as a keyboard user reaches it."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement === document.querySelector(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_a_moderator_chooses_the_informative_order_by_keyboard_and_reads_why(
    page: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    add_user(runtime)
    sure = add_comment(runtime, site, body=SURE, toxicity=0.99)
    hesitant = add_comment(runtime, site, body=HESITANT, toxicity=0.75)
    log_in(page, base_url)
    expect(page.locator(ROWS).first).to_have_id(f"c-{sure.id}")  # oldest first
    _tab_to(page, 'select[name="sort"]')
    page.keyboard.type("teaches")  # the select's type-ahead picks "teaches the model most"
    expect(page.locator('select[name="sort"]')).to_have_value("informative")
    _tab_to(page, 'form.filters button[type="submit"]')
    page.keyboard.press("Enter")
    page.wait_for_url("**/review?*sort=informative*")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator(ROWS).first).to_have_id(f"c-{hesitant.id}")
    hint = page.locator(f"#teaches-{hesitant.id}")
    expect(hint).to_be_visible()
    expect(hint).to_have_text("Teaches the model: borderline")
    expect(page.locator(f"#teaches-{sure.id}")).to_have_text(
        "Teaches the model: clear of the flag line"
    )
    expect(page.locator("#order-note")).to_contain_text("Teaches the model most")
    page.keyboard.press("j")
    first = page.locator(f"#c-{hesitant.id}")
    expect(first).to_be_focused()
    expect(first).to_have_attribute("aria-describedby", f"teaches-{hesitant.id}")
    page.keyboard.press("a")  # deciding in this order works as in any other
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(f"#c-{sure.id}")).to_be_focused()


def test_the_informative_order_passes_axe(
    browser: Any, base_url: str, runtime: Runtime, site: Site
) -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (scripts/test installs it into tests/browser)")
    add_user(runtime)
    add_comment(runtime, site, body=HESITANT)
    add_comment(runtime, site, body=HESITANT + "!!")
    add_comment(runtime, site, body="Was für ein Unsinn", language="de")
    # The pages forbid inline scripts (CSP); the test context lets axe's injected script run.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, base_url)
    page.goto(f"{base_url}/review?sort=informative")
    expect(page.locator(".teaches")).to_have_count(3)
    found = _axe_violations(page)
    context.close()
    assert found == []
