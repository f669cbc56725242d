"""The review pages' newsroom parts, in-process: the reported and appealed queues."""

from __future__ import annotations

from flask.testing import FlaskClient

from domain import review
from domain.infra.collaborators import Runtime
from domain.records import Site
from domain.vocabulary import Role, Status
from tests.support.review import add_comment, add_user, csrf_token, log_in, models_dir  # noqa: F401


def test_reports_show_escaped_in_the_reported_queue(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.APPROVED)
    client.post(
        f"/api/v1/comments/{comment.id}/reports",
        headers=auth,
        json={
            "reason": "illegal",
            "reporter": "r1",
            "message": "<script>x</script>",
            "legal_grounds": "StGB 130",
        },
    )
    add_user(runtime)
    log_in(client)
    html = client.get("/review?status=reported").get_data(as_text=True)
    assert comment.id in html and "StGB 130" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x</script>" not in html


def test_an_appeal_form_without_csrf_is_refused_and_with_it_decides(
    client: FlaskClient, auth: dict[str, str], runtime: Runtime, site_and_key: tuple[Site, str]
) -> None:
    comment = add_comment(runtime, site_and_key[0], Status.FLAGGED)
    first, _ = add_user(runtime, "first@example.com")
    review.moderate(runtime.store, runtime.publishing, first, comment.id, Status.REJECTED, "spam")
    appeal_id = client.post(
        f"/api/v1/comments/{comment.id}/appeals", headers=auth, json={"message": "Not spam"}
    ).get_json()["id"]
    add_user(runtime, "mod@example.com", Role.MODERATOR)
    log_in(client)
    assert "Not spam" in client.get("/review?status=appealed").get_data(as_text=True)
    url = f"/review/appeals/{appeal_id}/decision"
    assert client.post(url, data={"outcome": "uphold", "reason": "x"}).status_code == 400
    token = csrf_token(client, "/review?status=appealed")
    answer = client.post(
        url,
        data={
            "outcome": "uphold",
            "reason": "Advertising",
            "csrf_token": token,
            "next": "/review?status=appealed",
        },
    )
    assert answer.status_code == 303
    assert client.get("/review?status=appealed").get_data(as_text=True).count("Not spam") == 0
    again = client.post(url, data={"outcome": "reverse", "reason": "x", "csrf_token": token})
    assert again.status_code == 303  # already decided: a message, never a second outcome
    assert runtime.store.comments.get(comment.id).status is Status.REJECTED  # type: ignore[union-attr]
    assert (
        client.post(
            "/review/appeals/999/decision",
            data={"outcome": "uphold", "reason": "x", "csrf_token": token},
        ).status_code
        == 404
    )
