"""A bounded HTTP load generator: threads with a requests.Session each, closed or open loop.

Run alone against a running service (only 127.0.0.1 is accepted)::

    .venv/bin/python -m bench.loadgen --url http://127.0.0.1:8000 --key KEY --comments 1000
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import orjson
import requests

from classifier.data import DATASETS_DIR

MAX_CHARS = 500
MIN_CHARS = 50
# Roughly what a news site sees: mostly ordinary remarks, some spam, some abuse.
MIX = {"ordinary": 0.7, "spammy": 0.15, "toxic": 0.15}
SOURCES = {
    "ordinary": [("fox-news-comments", "ok"), ("jigsaw-toxic-wikipedia", "ok")],
    "spammy": [("youtube-spam", "spam"), ("sms-spam", "spam")],
    "toxic": [("fox-news-comments", "toxic"), ("jigsaw-toxic-wikipedia", "toxic")],
}


def _texts_of(kind: str) -> list[str]:
    """Texts of one kind from the bundled data sets, 50 to 500 characters after truncation."""
    texts = []
    for name, label in SOURCES[kind]:
        with (DATASETS_DIR / name / "comments.csv").open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                text = " ".join(row["text"].split())[:MAX_CHARS]
                if row["label"] == label and len(text) >= MIN_CHARS:
                    texts.append(text)
    return texts


def sample_texts(count: int, seed: int = 7) -> list[str]:
    """A reproducible mix of ordinary, spammy and toxic comments of realistic lengths."""
    rng = random.Random(seed)
    pools = {kind: _texts_of(kind) for kind in MIX}
    kinds = rng.choices(list(MIX), weights=list(MIX.values()), k=count)
    return [rng.choice(pools[kind]) for kind in kinds]


def request_bodies(count: int, tag: str, seed: int = 7) -> list[bytes]:
    """JSON bodies as a site's server would post them; authors are unique per comment."""
    bodies = []
    for index, text in enumerate(sample_texts(count, seed)):
        body = {
            "article_id": f"article-{index % 50}",
            "sender_name": f"Reader {index}",
            "email": f"reader-{tag}-{index}@example.org",
            "comment": text,
            "author_ip": f"10.{index // 65536 % 256}.{index // 256 % 256}.{index % 256}",
            "user_agent": "Mozilla/5.0 (bench)",
        }
        bodies.append(orjson.dumps(body))
    return bodies


@dataclass
class LoadResult:
    """What one load run sent and got back (times are time.monotonic(), system-wide)."""

    started: float = 0.0
    finished: float = 0.0
    sent: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    # comment id -> [send time, response time]
    accepted: dict[str, list[float]] = field(default_factory=dict)
    schedule_lag: list[float] = field(default_factory=list)
    cpu_seconds: float = 0.0


def run_load(
    url: str,
    key: str,
    bodies: list[bytes],
    concurrency: int,
    rate: float = 0.0,
    max_seconds: float = 300.0,
) -> LoadResult:
    """POST every body once from `concurrency` threads; paced at `rate`/s when rate > 0."""
    if urlsplit(url).hostname != "127.0.0.1":
        raise ValueError("the load generator only targets 127.0.0.1")
    endpoint = url.rstrip("/") + "/api/v1/comments"
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    result = LoadResult()
    lock = threading.Lock()
    counter = itertools.count()
    start = time.monotonic() + 0.05
    deadline = start + max_seconds

    def worker() -> None:
        """Take the next body until all are sent or time is up."""
        session = requests.Session()
        accepted: dict[str, list[float]] = {}
        statuses: dict[str, int] = {}
        lags: list[float] = []
        errors = 0
        while True:
            index = next(counter)
            if index >= len(bodies):
                break
            if rate > 0:
                due = start + index / rate
                pause = due - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                else:
                    lags.append(-pause)
            sent_at = time.monotonic()
            if sent_at > deadline:
                break
            try:
                response = session.post(endpoint, data=bodies[index], headers=headers, timeout=30)
            except requests.RequestException:
                errors += 1
                continue
            done_at = time.monotonic()
            status = str(response.status_code)
            statuses[status] = statuses.get(status, 0) + 1
            if response.status_code == 202:
                accepted[response.json()["id"]] = [sent_at, done_at]
        session.close()
        with lock:
            result.accepted.update(accepted)
            result.errors += errors
            result.schedule_lag.extend(lags)
            for status, number in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + number

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    pause = start - time.monotonic()
    if pause > 0:
        time.sleep(pause)
    result.started = start
    cpu_before = time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(1.0, deadline - time.monotonic() + 35))
    result.finished = time.monotonic()
    result.cpu_seconds = time.process_time() - cpu_before
    result.sent = sum(result.statuses.values()) + result.errors
    return result


def main(argv: list[str] | None = None) -> None:
    """Run one load and write what happened as JSON (for bench.e2e, or by hand)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", default="bench")
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rate", type=float, default=0.0, help="paced arrivals/s (0: closed loop)")
    parser.add_argument("--max-seconds", type=float, default=300.0)
    parser.add_argument("--tag", default="manual", help="makes authors unique across runs")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, help="write the result as JSON here")
    args = parser.parse_args(argv)
    bodies = request_bodies(args.comments, args.tag, args.seed)
    print("loadgen ready", flush=True)
    result = run_load(args.url, args.key, bodies, args.concurrency, args.rate, args.max_seconds)
    if args.out:
        args.out.write_bytes(orjson.dumps(asdict(result)))
    elapsed = result.finished - result.started
    print(
        f"sent {result.sent} in {elapsed:.2f} s ({result.sent / max(elapsed, 1e-9):.0f}/s), "
        f"statuses {result.statuses}, errors {result.errors}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
