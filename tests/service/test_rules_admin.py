"""The rules admin page: add, test (escaped, highlighted), import, remove; CSRF; no 500s."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Role
from tests.support.review import (
    add_user,
    csrf_token,
    log_in,
    models_dir,  # noqa: F401 - no trained model needed
)

PAGE = "/review/admin/sites/daily-planet/rules"


@pytest.fixture
def admin(client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]) -> FlaskClient:
    """A client logged in as an admin, with the test site registered."""
    add_user(runtime, "admin@example.com", Role.ADMIN)
    log_in(client, "admin@example.com")
    return client


def post(client: FlaskClient, path: str, **data: object) -> object:
    """POST a form of the page with its CSRF token."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, PAGE)})


def test_rules_are_added_tested_and_removed(admin: FlaskClient, runtime: Runtime) -> None:
    site = runtime.store.sites.by_slug("daily-planet")
    assert site is not None
    added = post(admin, PAGE, action="reject", kind="word", pattern="idiot*", note="insults")
    assert added.status_code == 303  # type: ignore[attr-defined]
    [rule] = runtime.store.rules.for_site(site.id)
    tested = post(admin, f"{PAGE}/test", text="<b>You</b> 1d10ts & fools", email="", ip="")
    html = tested.get_data(as_text=True)  # type: ignore[attr-defined]
    assert f"rule:{rule.id}" in html
    assert '<mark class="rule">1d10ts</mark>' in html
    assert "&lt;b&gt;You&lt;/b&gt;" in html and "<b>You</b>" not in html
    assert "No rule matches" in post(
        admin, f"{PAGE}/test", text="A classic assessment", email="", ip=""
    ).get_data(as_text=True)  # type: ignore[attr-defined]
    removed = post(admin, f"{PAGE}/{rule.id}/remove")
    assert removed.status_code == 303 and runtime.store.rules.for_site(site.id) == []  # type: ignore[attr-defined]


def test_a_bad_rule_or_import_is_explained_and_nothing_is_added(
    admin: FlaskClient, runtime: Runtime
) -> None:
    bad = post(admin, PAGE, action="reject", kind="regex", pattern="(a)\\1")
    assert bad.status_code == 422  # type: ignore[attr-defined]
    assert "not a usable regular expression" in bad.get_data(as_text=True)  # type: ignore[attr-defined]
    csv = b"pattern,kind,action\nidiot,,reject\n300.1.1.1,ip,flag\n"
    refused = post(admin, f"{PAGE}/import", file=(io.BytesIO(csv), "rules.csv"), action="reject")
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "line 3" in refused.get_data(as_text=True)  # type: ignore[attr-defined]
    site = runtime.store.sites.by_slug("daily-planet")
    assert site is not None and runtime.store.rules.for_site(site.id) == []
    good = b"idiot\nbuy followers\n"
    imported = post(admin, f"{PAGE}/import", file=(io.BytesIO(good), "words.txt"), action="flag")
    assert imported.status_code == 303  # type: ignore[attr-defined]
    assert [(r.kind.value, r.action.value) for r in runtime.store.rules.for_site(site.id)] == [
        ("word", "flag"),
        ("phrase", "flag"),
    ]


def test_forms_need_their_csrf_token_and_an_admin(
    client: FlaskClient, runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    add_user(runtime, "mod@example.com", Role.MODERATOR)
    log_in(client, "mod@example.com")
    assert client.get(PAGE).status_code in {403, 404}
    add_user(runtime, "admin@example.com", Role.ADMIN)
    log_in(client, "admin@example.com")
    assert (
        client.post(PAGE, data={"action": "reject", "kind": "word", "pattern": "x"}).status_code
        == 400
    )


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kind=st.text(max_size=20), action=st.text(max_size=20), pattern=st.text(max_size=600))
def test_any_form_input_is_answered_never_a_500(
    admin: FlaskClient, kind: str, action: str, pattern: str
) -> None:
    answer = post(admin, PAGE, action=action, kind=kind, pattern=pattern)
    assert answer.status_code in {303, 422}  # type: ignore[attr-defined]
    tested = post(admin, f"{PAGE}/test", text=pattern, email=kind, ip=action)
    assert tested.status_code == 200  # type: ignore[attr-defined]
