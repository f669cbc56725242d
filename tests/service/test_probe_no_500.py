"""Issue #24's hostile probe: inputs that once answered 500 now get a clear 4xx or a redirect."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Status
from service.review.auth import safe_next
from tests.support.review import (
    add_comment,
    add_user,
    csrf_token,
    models_dir,  # noqa: F401 - no trained model needed
)

CONTROL_NEXTS = [
    "/review\r\nSet-Cookie: x=1",
    "/review\n",
    "/review\rx",
    "/review\x00",
    "/re\tview",
]


@pytest.fixture
def site(site_and_key: tuple[Site, str]) -> Site:
    """The site the queue shows."""
    return site_and_key[0]


@pytest.fixture
def moderator(client: FlaskClient, runtime: Runtime) -> FlaskClient:
    """A client logged in as a moderator of every site."""
    add_user(runtime)
    return client


def _log_in(client: FlaskClient, next_path: str) -> object:
    """Log in through the form, asking to go to `next_path` afterwards."""
    token = csrf_token(client)
    return client.post(
        "/review/login",
        data={
            "email": "mod@example.com",
            "password": "correct horse battery",
            "csrf_token": token,
            "next": next_path,
        },
    )


@pytest.mark.parametrize("next_path", CONTROL_NEXTS)
def test_a_next_with_control_characters_on_log_in_goes_to_the_queue(
    moderator: FlaskClient, next_path: str
) -> None:
    response = _log_in(moderator, next_path)
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/review"  # type: ignore[attr-defined]


@pytest.mark.parametrize("next_path", CONTROL_NEXTS)
def test_a_next_with_control_characters_on_decision_and_undo_forms_redirects(
    moderator: FlaskClient, runtime: Runtime, site: Site, next_path: str
) -> None:
    _log_in(moderator, "/review")
    comment = add_comment(runtime, site)
    token = csrf_token(moderator, "/review")
    decided = moderator.post(
        f"/review/comments/{comment.id}/decision",
        data={"action": "approve", "expected": "flagged", "next": next_path, "csrf_token": token},
    )
    assert (decided.status_code, decided.headers["Location"]) == (303, "/review")
    undone = moderator.post("/review/undo", data={"next": next_path, "csrf_token": token})
    assert (undone.status_code, undone.headers["Location"]) == (303, "/review")
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.FLAGGED


@given(st.text(max_size=40))
def test_safe_next_returns_only_printable_local_review_paths(target: str) -> None:
    chosen = safe_next("/review" + target)
    assert chosen == "/review" or chosen == "/review" + target
    assert all(0x20 < ord(ch) != 0x7F for ch in chosen)


@pytest.mark.parametrize(
    "query",
    [
        "to=9999-12-31",
        "from=9999-12-31",
        "to=0001-01-01",
        "page=%C2%B2",
        "per_page=%C2%B2",
        "page=%D9%A3",
        "page=" + "9" * 5000,
        "per_page=-1",
        "page=1e3",
    ],
)
def test_out_of_range_filters_on_review_pages_are_not_a_server_error(
    moderator: FlaskClient, query: str
) -> None:
    _log_in(moderator, "/review")
    for path in ("/review", "/review/audit"):
        response = moderator.get(f"{path}?{query}")
        assert response.status_code in (200, 403), (path, response.status_code)


@pytest.mark.parametrize("query", ["to=9999-12-31", "page=%C2%B2", "per_page=%C2%B2"])
def test_out_of_range_filters_on_the_queue_api_are_not_a_server_error(
    client: FlaskClient, runtime: Runtime, query: str
) -> None:
    _, token = add_user(runtime, email="api@example.com")
    response = client.get(
        f"/api/v1/moderation/queue?{query}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in (200, 422), response.get_data(as_text=True)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=st.text(max_size=12))
def test_no_page_number_makes_the_queue_api_fail(
    client: FlaskClient, runtime: Runtime, value: str
) -> None:
    response = client.get(
        "/api/v1/moderation/queue",
        query_string={"page": value, "per_page": value, "to": value},
        headers={"Authorization": f"Bearer {_token(runtime)}"},
    )
    assert response.status_code in (200, 422)


def _token(runtime: Runtime) -> str:
    """A personal token for the API tests (created once per runtime)."""
    cached = runtime.__dict__.get("_probe_token")
    if cached is None:
        cached = add_user(runtime, email="fuzz@example.com")[1]
        runtime.__dict__["_probe_token"] = cached
    return str(cached)
