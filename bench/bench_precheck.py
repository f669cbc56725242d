"""Pre-check latency: POST /api/v1/comments:check at a steady rate while the pipeline runs.

    python -m bench.bench_precheck [--rate 50] [--seconds 60] [--intake-rate 100] [--rules 200]

Starts our stack (gunicorn web, a Celery worker, Redis, SQLite) on this machine, gives the
site `--rules` word rules, a regex and pre-moderation of new authors, then sends pre-checks
at `--rate` a second (open loop: each request leaves on schedule, however slow the last one
was) while another thread posts comments at `--intake-rate` a second for the worker to score.
Prints a table of the pre-checks' latency percentiles. The target (issue #21): p99 under
50 ms at 50 checks a second on two cores. Not a test: timings belong here, not in tests.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

import orjson
import requests

from bench.loadgen import request_bodies, run_load
from bench.stack import SITE, Stack, StackConfig, trained_models_dir
from domain.policies.rules import clean_rule
from domain.store import Store


def _configure(stack: Stack, rules: int) -> None:
    """Rules and a policy like a newsroom's: many words, one regex, new authors held."""
    store = Store(stack.database_url)
    site = store.sites.by_slug(SITE)
    assert site is not None
    words = [(*clean_rule("word", "flag", f"banned{n}"), None) for n in range(rules)]
    words.append((*clean_rule("regex", "reject", r"\bwin \d+ ?(k|euros?)"), None))
    store.rules.add(site.id, words)
    store.sites.set_policy(SITE, {"premoderation": "new_authors"})
    store.dispose()


def _checks(stack: Stack, rate: float, seconds: float, latencies: list[float]) -> int:
    """Send pre-checks on a fixed schedule from a few threads; returns the errors."""
    bodies = request_bodies(int(rate * seconds), "check", seed=11)
    headers = {"Authorization": f"Bearer {stack.key}", "Content-Type": "application/json"}
    url = f"{stack.url}/api/v1/comments:check"
    start = time.monotonic() + 0.2
    errors = 0
    lock = threading.Lock()
    slots = iter(range(len(bodies)))

    def sender() -> None:
        nonlocal errors
        session = requests.Session()
        for index in slots:
            due = start + index / rate
            time.sleep(max(0.0, due - time.monotonic()))
            sent = time.monotonic()
            try:
                ok = session.post(url, data=bodies[index], headers=headers, timeout=10).ok
            except requests.RequestException:
                ok = False
            # measured from when the request was due: a late start counts against us
            with lock:
                latencies.append(time.monotonic() - min(sent, due) if ok else float("inf"))
                errors += not ok

    threads = [threading.Thread(target=sender) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="pre-checks a second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--intake-rate", type=float, default=100.0,
                        help="comments a second posted meanwhile (0: none)")
    parser.add_argument("--rules", type=int, default=200)
    args = parser.parse_args(argv)
    stack = Stack("ours", StackConfig(), trained_models_dir()).start()
    try:
        _configure(stack, args.rules)
        warm = {"article_id": "a", "sender_name": "w", "email": "w@example.org", "comment": "hi"}
        for _ in range(20):  # each gunicorn worker loads the model on its first check
            requests.post(f"{stack.url}/api/v1/comments:check", data=orjson.dumps(warm),
                          headers={"Authorization": f"Bearer {stack.key}",
                                   "Content-Type": "application/json"}, timeout=120)
        intake = None
        if args.intake_rate > 0:
            bodies = request_bodies(int(args.intake_rate * args.seconds), "intake")
            intake = threading.Thread(target=run_load, args=(
                stack.url, stack.key, bodies, 8, args.intake_rate, args.seconds + 30))
            intake.start()
        latencies: list[float] = []
        errors = _checks(stack, args.rate, args.seconds, latencies)
        if intake is not None:
            intake.join()
    finally:
        stack.stop()
    _print(args, latencies, errors)


def _print(args: argparse.Namespace, latencies: list[float], errors: int) -> None:
    """The table: rate, load, and the latency percentiles in milliseconds."""
    done = sorted(x for x in latencies if x != float("inf"))
    cuts = statistics.quantiles(done, n=100, method="inclusive") if len(done) > 1 else [0.0] * 99

    def ms(value: float) -> str:
        return f"{value * 1000:.1f}"

    print("| checks/s | intake/s | rules | checks | errors | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| {args.rate:g} | {args.intake_rate:g} | {args.rules} | {len(latencies)} | {errors} "
          f"| {ms(cuts[49])} | {ms(cuts[89])} | {ms(cuts[98])} | {ms(done[-1] if done else 0)} |")


if __name__ == "__main__":
    main()
