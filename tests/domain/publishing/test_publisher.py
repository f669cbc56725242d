"""Publishing to a real Redis: stream entry and channel message, exactly once per decision."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import redis

from domain.infra import redis_keys
from domain.publishing.publisher import RedisPublisher
from domain.records import Decision
from domain.vocabulary import DecidedBy, Event, Status


def decision(decision_id: int = 1) -> Decision:
    """A model verdict for the planet site."""
    return Decision(
        id=decision_id,
        comment_id="c1",
        site_id=1,
        site_slug="planet",
        article_id="a1",
        event=Event.VERDICT,
        decided_by=DecidedBy.MODEL,
        previous_status=Status.PENDING,
        new_status=Status.APPROVED,
        created_at=datetime(2026, 11, 28, tzinfo=UTC),
        model_version="v1",
        spam=0.01,
        toxicity=0.02,
        reasons=("spam:links",),
    )


def test_a_decision_lands_in_the_stream_and_on_the_channel(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    listener = client.pubsub()
    listener.subscribe(redis_keys.results("planet"))
    listener.get_message(timeout=1)  # the subscribe confirmation
    RedisPublisher(client, 1000, 60).publish([decision()])
    [(_, fields)] = client.xrange(redis_keys.results("planet"))
    entry = {k.decode(): v.decode() for k, v in fields.items()}
    assert entry["event"] == "verdict"
    assert entry["comment_id"] == "c1" and entry["article_id"] == "a1"
    assert entry["status"] == "approved" and entry["decided_by"] == "model"
    assert float(entry["spam"]) == 0.01 and entry["model_version"] == "v1"
    assert orjson.loads(entry["reasons"]) == ["spam:links"]
    message = listener.get_message(timeout=2)
    assert message is not None
    assert orjson.loads(message["data"])["comment_id"] == "c1"


def test_publishing_the_same_decision_twice_adds_one_entry(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    publisher = RedisPublisher(client, 1000, 60)
    publisher.publish([decision(7)])
    publisher.publish([decision(7), decision(8)])
    assert client.xlen(redis_keys.results("planet")) == 2


def test_publishing_survives_a_redis_that_forgot_its_scripts(redis_url: str) -> None:
    """After a Redis restart (empty script cache) the publisher reloads its script and resends
    the batch; decisions already published by the first attempt still appear once."""
    client = redis.Redis.from_url(redis_url)
    publisher = RedisPublisher(client, 1000, 60)
    publisher.publish([decision(21)])
    client.script_flush()
    assert publisher.publish([decision(21), decision(22)]) == [21, 22]
    ids = [orjson.loads(f[b"decision_id"]) for _, f in client.xrange(redis_keys.results("planet"))]
    assert sorted(ids) == [21, 22]
