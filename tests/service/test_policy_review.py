"""The review pages explain policy reasons, show an author's reputation, list alerts and nudges."""

from __future__ import annotations

from flask.testing import FlaskClient

from domain.infra.collaborators import Runtime
from domain.policies.precheck import count_check
from domain.policies.rules import Action, Kind
from domain.records import Site, Submission
from domain.vocabulary import Role, Status
from tests.support.review import (
    add_comment,
    add_user,
    log_in,
    models_dir,  # noqa: F401 - no trained model needed
)


def test_a_rule_reason_names_its_rule_escaped(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    [rule] = runtime.store.rules.add(site.id, [(Kind.WORD, Action.FLAG, "<script>", "x<y")])
    add_comment(runtime, site, Status.FLAGGED, reasons=[rule.reason, "rule:first_comment"])
    add_user(runtime)
    log_in(client)
    html = client.get("/review?status=flagged").get_data(as_text=True)
    assert f"Rule {rule.id}: flag word &#39;&lt;script&gt;&#39; (x&lt;y)" in html
    assert "<script>" not in html.split("<body")[1].replace("<script src", "")
    assert "one of this author&#39;s first comments" in html


def test_the_author_page_shows_history_and_standing(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    runtime.store.sites.set_policy(site.slug, {"reputation": {"trusted_min_approved": 2}})
    for status in (Status.APPROVED, Status.APPROVED, Status.FLAGGED):
        add_comment(runtime, site, status, email="regular@example.com")
    add_user(runtime)
    log_in(client)
    html = client.get(f"/review/author?site={site.slug}&email=regular@example.com").get_data(
        as_text=True
    )
    assert '<span class="standing standing-trusted">trusted</span>' in html
    assert "2 approved, 0 rejected, 1 flagged" in html


def test_the_dashboard_lists_alerts_and_nudges(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    runtime.store.alerts.raise_alert(site.id, "near_duplicates", "<b>9</b> near-identical", 9)
    for warned in (True, True, False):
        count_check(runtime.redis, site.slug, warned)
    nudged = runtime.store.comments.add(
        site, Submission("a1", "Reader", "r@example.com", "posted anyway", nudged=True)
    )
    assert nudged.nudged
    add_user(runtime, "admin@example.com", Role.ADMIN)
    log_in(client, "admin@example.com")
    html = client.get("/review/dashboard").get_data(as_text=True)
    assert "&lt;b&gt;9&lt;/b&gt; near-identical" in html
    assert ("<tr><td>daily-planet</td><td>3</td><td>2</td><td>1</td><td>1</td>") in html
    assert "pending 1" in html
