"""Reader reports, statements, appeals and authors' data through the API, in-process."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import review
from domain.infra.collaborators import Runtime
from domain.newsroom.appeals import AppealRefused, decide_appeal
from domain.newsroom.reports import REPORT_REASONS, validate_report
from domain.records import Site
from domain.vocabulary import Role, Status
from tests.support.review import add_comment, add_user, models_dir, results  # noqa: F401


def report(
    client: FlaskClient,
    auth: dict[str, str],
    comment_id: str,
    reporter: str,
    reason: str = "abuse",
    **extra: Any,
) -> Any:
    """A reader's report, as the site forwards it."""
    return client.post(
        f"/api/v1/comments/{comment_id}/reports",
        headers=auth,
        json={"reason": reason, "reporter": reporter, **extra},
    )


def test_three_readers_flag_an_approved_comment_and_the_stream_says_reported(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.APPROVED)
    answers = [report(client, auth, comment.id, f"reader-{n}") for n in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 202]
    assert [a.get_json()["report_count"] for a in answers] == [1, 2, 3]
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.FLAGGED
    assert "reports:abuse" in stored.reasons
    [entry] = [e for e in results(runtime, "daily-planet") if e["event"] == "reported"]
    assert entry["comment_id"] == comment.id and entry["status"] == "flagged"
    assert entry["previous_status"] == "approved"


def test_one_report_per_reporter_counts(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.APPROVED)
    counts = [report(client, auth, comment.id, "same").get_json()["report_count"] for _ in range(4)]
    assert counts == [1, 1, 1, 1]
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.APPROVED


def test_one_illegal_report_flags_at_once(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.APPROVED)
    answer = report(client, auth, comment.id, "r1", "illegal", legal_grounds="StGB 130")
    assert answer.status_code == 202
    stored = runtime.store.comments.get(comment.id)
    assert stored is not None and stored.status is Status.FLAGGED
    assert "reports:illegal" in stored.reasons


def test_after_a_moderator_approves_only_new_reasons_flag_again(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.APPROVED)
    for n in range(3):
        report(client, auth, comment.id, f"a{n}")
    moderator, _ = add_user(runtime)
    review.moderate(runtime.store, runtime.publishing, moderator, comment.id, Status.APPROVED)
    for n in range(3):
        report(client, auth, comment.id, f"b{n}")  # the same reason again: reviewed already
    assert runtime.store.comments.get(comment.id).status is Status.APPROVED  # type: ignore[union-attr]
    for n in range(3):
        report(client, auth, comment.id, f"c{n}", "spam")
    assert runtime.store.comments.get(comment.id).status is Status.FLAGGED  # type: ignore[union-attr]


def test_a_flooding_reporter_is_limited_and_moderators_see_it(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    runtime.store.sites.set_policy(site.slug, {"reports_per_hour": 2})
    comments = [add_comment(runtime, site, Status.FLAGGED, body=f"c {n}") for n in range(4)]
    codes = [report(client, auth, c.id, "troll").status_code for c in comments]
    assert codes == [202, 202, 429, 429]
    shown = runtime.store.reader_reports.for_comments([comments[0].id])[comments[0].id]
    assert shown[0].reporter == "troll" and shown[0].reporter_refused == 2


@pytest.mark.parametrize("status", [Status.PENDING, Status.FLAGGED])
def test_unknown_and_foreign_comments_are_404(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, status: Status
) -> None:
    other, other_key = runtime.store.sites.create("other")
    foreign = add_comment(runtime, other, status)
    for comment_id in ("nope", foreign.id):
        assert report(client, auth, comment_id, "r").status_code == 404
        assert (
            client.post(
                f"/api/v1/comments/{comment_id}/appeals", headers=auth, json={"message": "x"}
            ).status_code
            == 404
        )


def test_bad_reports_get_every_problem_at_once(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.APPROVED)
    answer = client.post(
        f"/api/v1/comments/{comment.id}/reports",
        headers=auth,
        json={"reason": "boring", "message": 5},
    )
    assert answer.status_code == 422
    assert set(answer.get_json()["errors"]) == {"reason", "reporter", "message"}
    assert (
        client.post(f"/api/v1/comments/{comment.id}/reports", headers=auth, data="[").status_code
        == 400
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        st.sampled_from(["reason", "reporter", "message", "legal_grounds", "x"]),
        st.one_of(
            st.none(),
            st.text(max_size=30),
            st.integers(),
            st.booleans(),
            st.sampled_from(REPORT_REASONS),
            st.lists(st.integers()),
        ),
    )
)
def test_the_report_validator_accepts_only_whole_notices(body: dict[str, object]) -> None:
    notice, errors = validate_report(body)
    assert (notice is None) == bool(errors)
    if notice is not None:
        assert notice.reason in REPORT_REASONS and notice.reporter.strip()
        assert len(notice.reporter) <= 200


def test_a_moderators_rejection_carries_a_statement_in_get_and_stream(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    runtime.store.sites.set_policy(
        site.slug,
        {"redress": "https://planet.example/appeal", "explanations": {"moderator:toxic": "Rude."}},
    )
    comment = add_comment(runtime, site, Status.APPROVED)
    report(client, auth, comment.id, "r1", "illegal", legal_grounds="StGB 130")
    moderator, _ = add_user(runtime)
    review.moderate(
        runtime.store, runtime.publishing, moderator, comment.id, Status.REJECTED, "toxic"
    )
    statement = client.get(f"/api/v1/comments/{comment.id}", headers=auth).get_json()["statement"]
    assert statement["ground"] == "illegal" and statement["legal_grounds"] == "StGB 130"
    assert statement["automated"] is False
    assert statement["explanation"].startswith("Rude.")
    assert statement["redress"] == "https://planet.example/appeal"
    [entry] = [e for e in results(runtime, site.slug) if e["event"] == "moderated"]
    assert '"ground":"illegal"' in entry["statement"]


def test_appeals_one_per_decision_decided_by_another_moderator(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    site = site_and_key[0]
    comment = add_comment(runtime, site, Status.FLAGGED)
    first, _ = add_user(runtime)
    second, _ = add_user(runtime, "other@example.com", Role.MODERATOR)
    url = f"/api/v1/comments/{comment.id}/appeals"
    assert client.post(url, headers=auth, json={"message": "x"}).status_code == 409  # flagged
    review.moderate(runtime.store, runtime.publishing, first, comment.id, Status.REJECTED, "spam")
    filed = client.post(url, headers=auth, json={"message": "It was a joke"})
    assert filed.status_code == 202
    again = client.post(url, headers=auth, json={"message": "again"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "duplicate"
    appeal_id = filed.get_json()["id"]
    with pytest.raises(AppealRefused, match="another moderator"):
        decide_appeal(runtime.store, runtime.publishing, first, appeal_id, True, "fine after all")
    decision = decide_appeal(
        runtime.store, runtime.publishing, second, appeal_id, True, "Sarcasm, not abuse"
    )
    assert decision.new_status is Status.APPROVED
    [entry] = [e for e in results(runtime, site.slug) if e["event"] == "appeal"]
    assert entry["decided_by"] == "moderator" and entry["status"] == "approved"
    assert entry["reason"] == "Sarcasm, not abuse"
    taught = runtime.store.labels.all()
    labels = [(x.label, x.source) for x in taught if x.source == "appeal"]
    assert sorted(labels) == [("ham", "appeal"), ("ok", "appeal")]


def test_the_openapi_document_lists_the_newsroom_endpoints(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    for path in (
        "/api/v1/comments/{comment_id}/reports",
        "/api/v1/comments/{comment_id}/appeals",
        "/api/v1/authors/export",
        "/api/v1/authors",
    ):
        assert path in document["paths"]
    statement = document["components"]["schemas"]["Comment"]["properties"]["statement"]
    assert statement["$ref"].endswith("/Statement")


def test_erasure_needs_an_email_and_is_idempotent(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    assert client.delete("/api/v1/authors", headers=auth).status_code == 422
    assert client.get("/api/v1/authors/export?email=", headers=auth).status_code == 422
    add_comment(runtime, site_and_key[0], Status.APPROVED, email="a@example.com")
    first = client.delete("/api/v1/authors?email=a@example.com", headers=auth).get_json()
    second = client.delete("/api/v1/authors?email=a@example.com", headers=auth).get_json()
    assert (first["comments_erased"], second["comments_erased"]) == (1, 0)
    assert client.delete("/api/v1/authors?email=a@example.com").status_code == 401
