"""The whole pipeline with real parts: HTTP intake, Redis, a Celery worker, the results stream."""

from __future__ import annotations

import time

import redis
import requests

from config import Settings
from domain.infra import redis_keys
from domain.infra.collaborators import Runtime
from domain.scoring.sweep import sweep
from tests.support.processes import ManagedProcess, results_of_a_worker_run
from tests.support.streams import read_results

ORDINARY = "Interesting comparison of the two spheres of influence, thanks for the history."
SPAM = "Check out my channel http://bit.ly/free-money subscribe!!! free iPhone giveaway click here"
INSULT = "you are a stupid idiot and a moron, shut up"


def post(base_url: str, key: str, comment: str, article: str = "a1") -> requests.Response:
    """Post a comment as a site's server would."""
    return requests.post(
        f"{base_url}/api/v1/comments",
        json={
            "article_id": article,
            "sender_name": "Reader",
            "email": "r@example.com",
            "comment": comment,
            "author_ip": "198.51.100.7",
        },
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    )


def test_a_posted_comment_gets_its_verdict_in_the_sites_stream(
    runtime: Runtime, base_url: str, worker: ManagedProcess
) -> None:
    _, key = runtime.store.sites.create("planet")
    _, other_key = runtime.store.sites.create("other")
    client = redis.Redis.from_url(runtime.settings.redis_url or "")
    client.xgroup_create(redis_keys.results("planet"), "site-backend", id="0", mkstream=True)

    ids = [post(base_url, key, text).json()["id"] for text in (ORDINARY, SPAM, INSULT)]
    results = read_results(client, "planet", 3)

    by_id = {entry["comment_id"]: entry for entry in results}
    assert set(by_id) == set(ids)
    assert by_id[ids[0]]["status"] == "approved"
    assert by_id[ids[1]]["status"] in {"rejected", "flagged"}
    assert by_id[ids[2]]["status"] in {"rejected", "flagged"}
    for entry in results:
        assert entry["event"] == "verdict" and entry["decided_by"] == "model"
        assert entry["article_id"] == "a1" and entry["model_version"]
        assert 0.0 <= float(entry["spam"]) <= 1.0 and 0.0 <= float(entry["toxicity"]) <= 1.0

    # A site consumes with a consumer group and acknowledges what it handled.
    stream = redis_keys.results("planet")
    batch = client.xreadgroup("site-backend", "web-1", {stream: ">"}, count=10)
    entry_ids = [entry_id for _, entries in batch for entry_id, _ in entries]
    assert len(entry_ids) == 3
    assert client.xack(redis_keys.results("planet"), "site-backend", *entry_ids) == 3

    status = requests.get(
        f"{base_url}/api/v1/comments/{ids[1]}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=10,
    ).json()
    assert status["status"] == by_id[ids[1]]["status"]
    assert status["scores"]["spam"] > 0.5 and status["model_version"]
    assert status["reasons"]
    assert not client.exists(redis_keys.results("other"))
    assert (
        requests.get(
            f"{base_url}/api/v1/comments/{ids[1]}",
            headers={"Authorization": f"Bearer {other_key}"},
            timeout=10,
        ).status_code
        == 404
    )


def test_comments_posted_while_no_worker_runs_are_scored_once_it_starts(
    runtime: Runtime, base_url: str, settings: Settings
) -> None:
    _, key = runtime.store.sites.create("planet")
    ids = [post(base_url, key, f"{ORDINARY} #{n}").json()["id"] for n in range(20)]
    results = results_of_a_worker_run(settings, "planet", 20)
    assert sorted(entry["comment_id"] for entry in results) == sorted(ids)


def test_the_sweep_rescues_comments_whose_queue_entry_was_lost(
    runtime: Runtime, base_url: str, worker: ManagedProcess
) -> None:
    _, key = runtime.store.sites.create("planet")
    client = redis.Redis.from_url(runtime.settings.redis_url or "")
    # Simulate Redis losing the queue: the comment is stored but nobody will score it.
    runtime.__dict__["queue"] = type("Lost", (), {"enqueue": lambda self, ids: False})()
    comment_id = post(base_url, key, ORDINARY).json()["id"]
    del runtime.__dict__["queue"]
    time.sleep(runtime.settings.pending_grace_seconds + 0.5)
    grace = runtime.settings.pending_grace_seconds
    report = sweep(runtime.store, runtime.queue, runtime.publishing, grace)
    assert report.requeued == [comment_id]
    [entry] = read_results(client, "planet", 1)
    assert entry["comment_id"] == comment_id
