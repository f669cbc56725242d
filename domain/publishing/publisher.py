"""Hands verdicts back to sites through Redis: a stream per site plus a pub/sub channel."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import orjson
import redis

from domain.infra import redis_keys
from domain.records import Decision

# Write the guard, the stream entry and the channel message atomically, once per decision:
# a decision published twice (a retried task, the sweep) adds no second entry.
_PUBLISH_ONCE = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  local entry = redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[2], '*', unpack(ARGV, 4))
  redis.call('PUBLISH', KEYS[2], ARGV[3])
  return entry
end
return false
"""


def result_payload(decision: Decision) -> dict[str, Any]:
    """The JSON document a site receives for one decision."""
    return {
        "event": decision.event.value,
        "comment_id": decision.comment_id,
        "article_id": decision.article_id,
        "site": decision.site_slug,
        "status": decision.new_status.value,
        "previous_status": decision.previous_status.value,
        "spam": decision.spam,
        "toxicity": decision.toxicity,
        "reasons": list(decision.reasons),
        "reason": decision.reason,
        "model_version": decision.model_version,
        "language": decision.language,
        "decided_by": decision.decided_by.value,
        "decided_at": decision.created_at.isoformat(),
        "decision_id": decision.id,
        # a rejection's statement of reasons (JSON); empty for other decisions
        "statement": decision.statement,
    }


def stream_fields(payload: dict[str, Any]) -> list[str]:
    """Flatten a payload into stream field/value strings (lists as JSON, None as empty)."""
    flat: list[str] = []
    for name, value in payload.items():
        if value is None:
            text = ""
        elif isinstance(value, list | dict):
            text = orjson.dumps(value).decode()
        else:
            text = str(value)
        flat += [name, text]
    return flat


class Publisher(Protocol):
    """Something that delivers decisions to sites; returns the ids it delivered or found done."""

    def publish(self, decisions: Sequence[Decision]) -> list[int]: ...


class RedisPublisher:
    """Publishes to `moderation:results:<site>` (stream and channel) in one round trip."""

    def __init__(self, client: redis.Redis, stream_maxlen: int, guard_ttl_seconds: int) -> None:
        self._client = client
        self._script = client.register_script(_PUBLISH_ONCE)
        self._maxlen = stream_maxlen
        self._guard_ttl = guard_ttl_seconds

    def publish(self, decisions: Sequence[Decision]) -> list[int]:
        """Publish each decision once; raises redis errors so the caller can retry later."""
        if not decisions:
            return []
        try:
            self._send(decisions)
        except redis.exceptions.NoScriptError:
            # Redis restarted or flushed its script cache; the guard makes a resend harmless.
            self._client.script_load(_PUBLISH_ONCE)
            self._send(decisions)
        return [decision.id for decision in decisions]

    def _send(self, decisions: Sequence[Decision]) -> None:
        """One pipelined EVALSHA per decision in a single round trip.

        (A registered Script inside a pipeline would first ask SCRIPT EXISTS: a second
        round trip on every batch.)
        """
        pipeline = self._client.pipeline(transaction=False)
        for decision in decisions:
            payload = result_payload(decision)
            pipeline.evalsha(
                self._script.sha,
                2,
                redis_keys.published_guard(decision.id),
                redis_keys.results(decision.site_slug),
                self._guard_ttl,
                self._maxlen,
                orjson.dumps(payload),
                *stream_fields(payload),
            )
        pipeline.execute()
