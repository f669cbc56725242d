"""Admin pages (sites, keys, thresholds, users), the audit log and the dashboard's numbers."""

from __future__ import annotations

import re
from functools import partial

import pytest
from flask.testing import FlaskClient

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Role, Status
from tests.support.review import (
    PASSWORD,
    add_comment,
    add_user,
    csrf_token,
    log_in,
    models_dir,  # noqa: F401 - no trained model needed
)


@pytest.fixture
def admin(client: FlaskClient, runtime: Runtime) -> FlaskClient:
    """A client logged in as an admin."""
    add_user(runtime, "admin@example.com", Role.ADMIN)
    log_in(client, "admin@example.com")
    return client


def _post(client: FlaskClient, path: str, **data: str | list[str]) -> object:
    """POST an admin form with its CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/review")})


def _secret(html: str) -> str:
    match = re.search(r'<code class="secret" id="secret">([^<]+)</code>', html)
    assert match, html
    return match.group(1)


def test_sites_are_created_and_keys_rotated_shown_once(
    admin: FlaskClient, runtime: Runtime
) -> None:
    created = _post(admin, "/review/admin/sites", slug="gazette", name="The Gazette")
    assert created.headers["Cache-Control"] == "no-store"  # type: ignore[attr-defined]
    key = _secret(created.get_data(as_text=True))  # type: ignore[attr-defined]
    site = runtime.store.sites.by_key(key)
    assert site is not None and site.slug == "gazette"
    assert key not in admin.get("/review/admin/sites").get_data(as_text=True)
    rotated = _secret(
        _post(admin, "/review/admin/sites/gazette/rotate").get_data(as_text=True)  # type: ignore[attr-defined]
    )
    assert rotated != key and runtime.store.sites.by_key(key) is None
    assert runtime.store.sites.by_key(rotated) is not None
    bad = _post(admin, "/review/admin/sites", slug="Not A Slug")
    assert bad.status_code == 303  # type: ignore[attr-defined]
    assert "slug" in admin.get("/review/admin/sites").get_data(as_text=True)


def test_thresholds_are_validated_and_saved_in_the_policy(
    admin: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    path = "/review/admin/sites/daily-planet/policy"
    assert 'name="spam_flag"' in admin.get(path).get_data(as_text=True)
    bad = _post(
        admin, path, spam_flag="0.9", spam_reject="0.8", toxicity_flag="2", toxicity_reject="1"
    )
    assert bad.status_code == 422  # type: ignore[attr-defined]
    good = _post(
        admin, path, spam_flag="0.4", spam_reject="0.9", toxicity_flag="0.6", toxicity_reject="0.97"
    )
    assert good.status_code == 303  # type: ignore[attr-defined]
    site = runtime.store.sites.by_slug("daily-planet")
    assert site is not None
    assert site.policy["thresholds"] == {
        "spam": {"flag": 0.4, "reject": 0.9},
        "toxicity": {"flag": 0.6, "reject": 0.97},
    }


def test_users_are_created_limited_and_deactivated(
    admin: FlaskClient, client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    created = _post(
        admin,
        "/review/admin/users",
        email="new@example.com",
        role="moderator",
        password=PASSWORD,
        sites=["daily-planet"],
    )
    token = _secret(created.get_data(as_text=True))  # type: ignore[attr-defined]
    user = runtime.store.users.by_token(token)
    assert user is not None and user.site_slugs == ("daily-planet",)
    _post(admin, f"/review/admin/users/{user.id}/sites", every_site="1")
    refreshed = runtime.store.users.by_id(user.id)
    assert refreshed is not None and refreshed.site_slugs is None
    _post(admin, f"/review/admin/users/{user.id}/active", active="0")
    assert runtime.store.users.by_token(token) is None
    me = [u for u in runtime.store.users.all() if u.email == "admin@example.com"][0]
    _post(admin, f"/review/admin/users/{me.id}/active", active="0")
    assert "You cannot deactivate yourself." in admin.get("/review").get_data(as_text=True)


def test_the_audit_log_finds_decisions_by_moderator_site_status_and_comment(
    admin: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    alice, _ = add_user(runtime, "alice@example.com")
    bob, _ = add_user(runtime, "bob@example.com")
    a = add_comment(runtime, site, body="one")
    b = add_comment(runtime, site, body="two")
    review.moderate(runtime.store, runtime.publishing, alice, a.id, Status.APPROVED)
    review.moderate(runtime.store, runtime.publishing, bob, b.id, Status.REJECTED, "spam")

    def rows(query: str) -> str:
        html = admin.get("/review/audit?" + query).get_data(as_text=True)
        return html[html.index("<tbody>") :]

    by_alice = rows("moderator=alice%40example.com")
    assert "alice@example.com" in by_alice and "bob@example.com" not in by_alice
    rejected = rows("status=rejected&decided_by=moderator")
    assert "bob@example.com" in rejected and "alice@example.com" not in rejected
    assert b.id[:8] in rows(f"comment_id={b.id}") and a.id[:8] not in rows(f"comment_id={b.id}")
    assert "No decisions." in rows("site=nowhere")
    assert "No decisions." in rows("from=2999-01-01")
    everything = rows("")
    assert everything.count("<tr>") == 4  # two model verdicts, two moderator decisions


def test_the_dashboard_counts_the_queue_the_days_and_overturns(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    user, _ = add_user(runtime)
    flagged = [add_comment(runtime, site, body=f"f{n}") for n in range(4)]
    approved = [add_comment(runtime, site, Status.APPROVED, body=f"a{n}") for n in range(2)]
    moderate = partial(review.moderate, runtime.store, runtime.publishing)
    moderate(user, flagged[0].id, Status.APPROVED)  # false positive
    moderate(user, flagged[1].id, Status.REJECTED, "spam")
    moderate(user, approved[0].id, Status.REJECTED, "toxic")  # false negative
    log_in(client)
    html = client.get("/review/dashboard").get_data(as_text=True)
    assert re.search(r'id="queue-size">2<', html)
    assert re.search(r'id="decisions-total">3<', html)
    assert html.count("<rect x=") == 14
    assert '<span class="fp-rate">50%</span> (1)' in html
    assert '<span class="fn-rate">100%</span> (1)' in html
    assert "style=" not in html


def test_an_unknown_site_name_never_widens_a_moderator_to_every_site(
    admin: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    limited, _ = add_user(runtime, "limited@example.com", sites=["daily-planet"])
    _post(admin, f"/review/admin/users/{limited.id}/sites", sites=["no-such-site"])
    after = runtime.store.users.by_id(limited.id)
    assert after is not None and after.site_slugs == ("daily-planet",)
    assert "no site named no-such-site" in admin.get("/review").get_data(as_text=True)
    _post(
        admin,
        "/review/admin/users",
        email="new@example.com",
        role="moderator",
        password=PASSWORD,
        sites=["no-such-site"],
    )
    assert "new@example.com" not in [u.email for u in runtime.store.users.all()]
