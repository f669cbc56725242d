#!/usr/bin/env python3
"""Example consumer for a publishing site: read verdicts from Redis and act on them.

Run beside your site's backend:

    REDIS_URL=redis://127.0.0.1:6379/0 python examples/consume_results.py daily-planet

It reads the stream `moderation:results:<site>` with a consumer group, so a backend that was
down catches up on everything it missed, several backend processes share the work (give each a
different --consumer name), and an entry is acknowledged only after it was handled. Entries a
crashed consumer had read but not acknowledged are claimed again after --claim-after seconds.
Needs only `pip install redis`.
"""

from __future__ import annotations

import argparse
import json
import os
import socket

import redis

GROUP = "site-backend"
BLOCK_SECONDS = 5


def handle(fields: dict[str, str]) -> None:
    """Replace this with your site's logic: publish, hide or queue the comment."""
    if fields["status"] == "approved":
        action = "publish"
    elif fields["status"] == "rejected":
        action = "hide"
    else:  # flagged: a moderator will decide; a `moderated` event follows
        action = "hold for review"
    reasons = json.loads(fields.get("reasons") or "[]")
    print(
        f"{fields['event']:9} comment {fields['comment_id']} on {fields['article_id']}: "
        f"{fields['status']} by {fields['decided_by']} -> {action} "
        f"(spam {fields.get('spam') or '-'}, toxicity {fields.get('toxicity') or '-'}, "
        f"reasons {', '.join(reasons) or '-'})"
    )


def ensure_group(client: redis.Redis, stream: str) -> None:
    """Create the consumer group at the start of the stream, once."""
    try:
        client.xgroup_create(stream, GROUP, id="0", mkstream=True)
    except redis.ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


def consume(client: redis.Redis, stream: str, consumer: str, claim_after: int, once: bool) -> int:
    """Read, handle and acknowledge entries until interrupted (or the stream is drained)."""
    handled = 0
    while True:
        # First take back entries a crashed consumer left unacknowledged, then new ones.
        # XAUTOCLAIM answers [next id, entries] (Redis 6.2) or [next id, entries, deleted] (7+).
        claimed = client.xautoclaim(stream, GROUP, consumer, claim_after * 1000, "0-0")[1]
        batches = [(stream, claimed)] if claimed else []
        batches += (
            client.xreadgroup(GROUP, consumer, {stream: ">"}, count=100, block=BLOCK_SECONDS * 1000)
            or []
        )
        for _, entries in batches:
            for entry_id, fields in entries:
                handle(fields)
                client.xack(stream, GROUP, entry_id)
                handled += 1
        if once and not batches:
            return handled


def main() -> None:
    """Parse arguments and consume."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", help="the site's slug, as given to `moderation sites create`")
    parser.add_argument("--consumer", default=socket.gethostname(), help="this consumer's name")
    parser.add_argument("--claim-after", type=int, default=60, help="seconds before re-claiming")
    parser.add_argument("--once", action="store_true", help="stop when nothing is waiting")
    args = parser.parse_args()
    client = redis.Redis.from_url(
        os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        decode_responses=True,
        socket_timeout=BLOCK_SECONDS + 5,  # longer than a blocking read
    )
    stream = f"moderation:results:{args.site}"
    ensure_group(client, stream)
    try:
        count = consume(client, stream, args.consumer, args.claim_after, args.once)
    except KeyboardInterrupt:
        return
    print(f"handled {count} result(s)")


if __name__ == "__main__":
    main()
