"""Newsroom duties end to end: HTTP, a real Celery worker, Redis streams, the CLI, kill -9."""

from __future__ import annotations

import signal

import orjson
import pytest
import redis
import requests

from config import Settings
from domain import review
from domain.infra.collaborators import Runtime
from domain.vocabulary import Role, Status
from tests.support.processes import ManagedProcess, run_command, settings_env, start_worker
from tests.support.review import PASSWORD
from tests.support.streams import read_results

ORDINARY = "Interesting comparison of the two spheres of influence, thanks for the history."
SPAM = "Check out my channel http://bit.ly/free-money subscribe!!! free iPhone giveaway click here"
AUTHOR = "jt@example.com"


def call(method: str, url: str, key: str, **kwargs: object) -> requests.Response:
    """A site's server calling the API with its key."""
    headers = {"Authorization": f"Bearer {key}"}
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)  # type: ignore[arg-type]


def post_comment(base_url: str, key: str, text: str) -> str:
    """Post a comment by the test author; its id."""
    body = {
        "article_id": "a1",
        "sender_name": "Jt",
        "email": AUTHOR,
        "comment": text,
        "author_ip": "198.51.100.7",
    }
    answer = call("POST", f"{base_url}/api/v1/comments", key, json=body)
    assert answer.status_code == 202
    return str(answer.json()["id"])


def test_a_report_on_a_pending_comment_counts_once_the_worker_approves_it(
    runtime: Runtime, base_url: str, settings: Settings
) -> None:
    _, key = runtime.store.sites.create("planet")
    comment_id = post_comment(base_url, key, ORDINARY)  # no worker yet: it stays pending
    report = {"reason": "illegal", "reporter": "reader-9", "legal_grounds": "StGB 130"}
    answer = call("POST", f"{base_url}/api/v1/comments/{comment_id}/reports", key, json=report)
    assert answer.status_code == 202 and answer.json() == {"report_count": 1}
    assert runtime.store.comments.get(comment_id).status is Status.PENDING  # type: ignore[union-attr]

    worker = start_worker(settings)
    try:
        verdict, reported = read_results(
            redis.Redis.from_url(settings.redis_url or ""), "planet", 2
        )
    finally:
        worker.stop()
    assert (verdict["event"], verdict["status"]) == ("verdict", "approved")
    assert (reported["event"], reported["status"]) == ("reported", "flagged")
    assert "reports:illegal" in orjson.loads(reported["reasons"])

    # A moderator rejects it: the statement names the legal grounds readers gave.
    moderator, _ = runtime.store.users.create("first@example.com", PASSWORD, Role.MODERATOR)
    review.moderate(
        runtime.store, runtime.publishing, moderator, comment_id, Status.REJECTED, "other"
    )
    got = call("GET", f"{base_url}/api/v1/comments/{comment_id}", key).json()
    assert got["statement"]["ground"] == "illegal" and got["statement"]["automated"] is False
    assert got["statement"]["legal_grounds"] == "StGB 130"


def test_a_model_rejection_is_explained_appealed_and_reversed_then_the_author_erased(
    runtime: Runtime, base_url: str, settings: Settings
) -> None:
    site, key = runtime.store.sites.create("planet")
    strict = {"spam": {"flag": 0.2, "reject": 0.3}, "toxicity": {"flag": 0.9, "reject": 0.99}}
    runtime.store.sites.set_policy("planet", {"thresholds": strict, "redress": "Reply to us."})
    spam_id = post_comment(base_url, key, SPAM)
    client = redis.Redis.from_url(settings.redis_url or "")
    worker = start_worker(settings)
    try:
        [verdict] = read_results(client, "planet", 1)
    finally:
        worker.stop()
    assert verdict["status"] == "rejected" and verdict["decided_by"] == "model"
    statement = orjson.loads(verdict["statement"])
    assert statement["automated"] is True and statement["ground"] == "terms"
    assert "spam" in statement["explanation"] and statement["redress"] == "Reply to us."
    got = call("GET", f"{base_url}/api/v1/comments/{spam_id}", key).json()
    assert got["statement"] == statement

    appeals = f"{base_url}/api/v1/comments/{spam_id}/appeals"
    assert call("POST", appeals, key, json={"message": "I sell nothing"}).status_code == 202
    assert call("POST", appeals, key, json={"message": "again"}).status_code == 409
    [appeal] = runtime.store.appeals.for_comments([spam_id])[spam_id]
    moderator, _ = runtime.store.users.create("mod@example.com", PASSWORD, Role.MODERATOR)
    from domain.newsroom.appeals import decide_appeal

    decide_appeal(
        runtime.store, runtime.publishing, moderator, appeal.id, True, "A fan's link, not spam"
    )
    entries = read_results(client, "planet", 2)
    assert (entries[1]["event"], entries[1]["status"]) == ("appeal", "approved")
    assert entries[1]["decided_by"] == "moderator"
    strong = [x for x in runtime.store.labels.all() if x.source == "appeal"]
    assert {x.label for x in strong} == {"ham", "ok"}

    exported = call(
        "GET", f"{base_url}/api/v1/authors/export", key, params={"email": AUTHOR}
    ).json()
    assert [c["comment"] for c in exported["comments"]] == [SPAM]
    assert exported["appeals"][0]["message"] == "I sell nothing"
    assert {d["event"] for d in exported["decisions"]} == {"verdict", "appeal"}
    assert {x["label"] for x in exported["labels"]} == {"ham", "ok"}

    erased = call("DELETE", f"{base_url}/api/v1/authors", key, params={"email": AUTHOR})
    assert erased.status_code == 200 and erased.json()["comments_erased"] == 1
    again = call("DELETE", f"{base_url}/api/v1/authors", key, params={"email": AUTHOR})
    assert again.json()["comments_erased"] == 0  # idempotent: nothing left
    assert (
        call("GET", f"{base_url}/api/v1/authors/export", key, params={"email": AUTHOR}).json()[
            "comments"
        ]
        == []
    )
    assert not [x for x in runtime.store.labels.all() if x.comment_id == spam_id]  # retracted
    assert [d.id for d in runtime.store.comments.history(spam_id)]  # the audit stays
    stream = b"".join(v for _, f in client.xrange("moderation:results:planet") for v in f.values())
    for personal in (b"jt@example.com", b"Jt", b"198.51.100.7", b"bit.ly", b"I sell"):
        assert personal not in stream
    jobs = runtime.store.authors.jobs(site.id, AUTHOR)
    assert [j.status for j in jobs] == ["done", "done"] and all(j.email is None for j in jobs)


@pytest.mark.faults
def test_an_erasure_killed_midway_completes_on_the_next_run(
    runtime: Runtime, base_url: str, settings: Settings
) -> None:
    site, key = runtime.store.sites.create("planet")
    ids = [post_comment(base_url, key, f"{ORDINARY} #{n}") for n in range(4)]
    erase = ManagedProcess(
        ["authors", "erase", "planet", AUTHOR, "--batch-size", "1", "--pause-ms", "600000"],
        settings_env(settings),
        "erase",
    )
    try:
        erase.wait_for("erased 1 comment(s) so far")
        erase.signal_group(signal.SIGKILL)
        erase.wait(30)
    finally:
        erase.stop()
    comments = [runtime.store.comments.get(i) for i in ids]
    erased = [c for c in comments if c is not None and c.email == ""]
    intact = [c for c in comments if c is not None and c.email == AUTHOR]
    assert len(erased) == 1 and len(intact) == 3  # never half an author's comment
    assert erased[0].body == "" and erased[0].sender_name == "" and erased[0].author_ip is None
    assert all(c.body and c.sender_name == "Jt" for c in intact)
    [job] = runtime.store.authors.unfinished()

    resumed = run_command(settings, "authors", "resume")
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed erasure {job.id}: 4 comment(s) erased" in resumed.stdout
    assert all(runtime.store.comments.get(i).body == "" for i in ids)  # type: ignore[union-attr]
    assert runtime.store.authors.unfinished() == []
    assert [j.email for j in runtime.store.authors.jobs(site.id, AUTHOR)] == [None]
