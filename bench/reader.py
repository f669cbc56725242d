"""Reads a results stream with blocking XREAD and notes when each comment's entry arrived.

It runs as its own process so the load generator's threads never delay its timestamps.
"""

from __future__ import annotations

import argparse
import signal
import threading
import time
from pathlib import Path
from typing import cast

import orjson
import redis


def read_stream(
    redis_url: str,
    stream: str,
    after: str,
    expect: int,
    max_seconds: float,
    stop: threading.Event | None = None,
) -> dict[str, float]:
    """Comment id -> time.monotonic() of arrival, for up to `expect` entries after id `after`."""
    client = redis.Redis.from_url(redis_url, socket_timeout=10)
    arrived: dict[str, float] = {}
    last = after
    deadline = time.monotonic() + max_seconds
    stop = stop or threading.Event()
    while len(arrived) < expect and time.monotonic() < deadline and not stop.is_set():
        replies = cast(
            list[tuple[bytes, list[tuple[bytes, dict[bytes, bytes]]]]],
            client.xread({stream: last}, count=1000, block=500),
        )
        now = time.monotonic()
        for _key, entries in replies or []:
            for entry_id, fields in entries:
                last = entry_id.decode()
                comment_id = fields.get(b"comment_id")
                if comment_id is not None:
                    arrived.setdefault(comment_id.decode(), now)
    client.close()
    return arrived


def main(argv: list[str] | None = None) -> None:
    """Read until `--expect` entries arrived or `--max-seconds` passed; write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--stream", required=True)
    parser.add_argument("--after", default="$", help="read entries after this id")
    parser.add_argument("--expect", type=int, required=True)
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: stop.set())
    print("reader ready", flush=True)
    cpu_before = time.process_time()
    arrived = read_stream(args.redis, args.stream, args.after, args.expect, args.max_seconds, stop)
    cpu = time.process_time() - cpu_before
    args.out.write_bytes(orjson.dumps({"arrived": arrived, "cpu_seconds": cpu}))


if __name__ == "__main__":
    main()
