"""End-to-end benchmark: real gunicorn, Celery, Redis and database, against a bare-intake ceiling.

    .venv/bin/python -m bench.e2e [--comments N] [--runs K] [--concurrency C]
                                  [--database sqlite|postgresql|both]

Each run starts everything afresh (Redis, database, web, worker), warms up, then posts N comments
from C threads and reads the verdicts from the site's results stream. Runs alternate: bare app,
ours, bare, ours, ... (with --database both: bare, SQLite, PostgreSQL, bare, ...,
so both databases are measured against the same ceiling). Then one open-loop run (per
database) paces arrivals at half the bare ceiling for latency.
Results are printed and written into docs/performance.md (see that file for how to read them).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import orjson
import redis
from sqlalchemy import func, select

from bench.procs import ROOT, Child, ServerClock, cpu_seconds, rss_mb
from bench.stack import (
    DEFAULT_POSTGRES_URL,
    SCORING_PATHS,
    Stack,
    StackConfig,
    trained_models_dir,
)
from domain.store import Store
from domain.store.tables import decisions

DOCS = ROOT / "docs" / "performance.md"


@dataclass
class RunResult:
    """The figures of one run."""

    kind: str
    mode: str
    sent: int = 0
    accepted: int = 0
    verdicts: int = 0
    accepted_per_s: float = 0.0
    verdicts_per_s: float = 0.0
    latency_ms: dict[str, float] = field(default_factory=dict)
    cpu_per_1000: dict[str, float] = field(default_factory=dict)
    rss_mb: dict[str, list[float]] = field(default_factory=dict)
    batches: dict[str, float] = field(default_factory=dict)
    max_queue_depth: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    rate: float = 0.0
    schedule_lag_p99_ms: float = 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank q-th percentile (0-100) of the values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class DepthSampler:
    """Samples the pending queue's length every 100 ms, to see the backlog under load."""

    def __init__(self, redis_url: str, key: str) -> None:
        self._client = redis.Redis.from_url(redis_url, socket_timeout=2)
        self._key = key
        self._stop = threading.Event()
        self.max_depth = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> DepthSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._client.close()

    def _run(self) -> None:
        """Poll LLEN until stopped."""
        while not self._stop.wait(0.1):
            try:
                self.max_depth = max(self.max_depth, int(self._client.llen(self._key)))
            except redis.RedisError:
                return


def _load(stack: Stack, count: int, concurrency: int, rate: float, tag: str) -> dict[str, Any]:
    """Run the load generator as its own process and return what it wrote."""
    out = stack.root / f"load-{tag}.json"
    args = ["bench.loadgen", "--url", stack.url, "--key", stack.key, "--comments", str(count)]
    args += ["--concurrency", str(concurrency), "--rate", str(rate), "--tag", tag]
    args += ["--out", str(out), "--max-seconds", "300"]
    loadgen = Child.python("loadgen", args, dict(os.environ))
    try:
        loadgen.wait(360)
    finally:
        loadgen.stop()  # a no-op once it exited; bounds a stuck one
    if not out.exists():
        raise RuntimeError(f"load generator failed:\n{loadgen.output()}")
    return dict(orjson.loads(out.read_bytes()))


def _wait_stream_length(stack: Stack, length: int, timeout: float = 120.0) -> str:
    """Wait until the stream holds `length` entries; return the id of the last one."""
    client = redis.Redis.from_url(stack.redis.url)
    deadline = time.monotonic() + timeout
    while client.xlen(stack.stream) < length and time.monotonic() < deadline:
        time.sleep(0.05)
    last = cast(list[tuple[bytes, Any]], client.xrevrange(stack.stream, count=1))
    client.close()
    return last[0][0].decode() if last else "0-0"


def _batch_sizes(database_url: str, since: datetime) -> dict[str, float]:
    """Batch sizes seen by the workers: a batch's decisions share one created_at."""
    store = Store(database_url)
    with store.db.read() as connection:
        sizes = list(
            connection.execute(
                select(func.count())
                .select_from(decisions)
                .where(decisions.c.created_at >= since)
                .group_by(decisions.c.created_at)
            ).scalars()
        )
    store.dispose()
    if not sizes:
        return {}
    return {
        "batches": len(sizes),
        "mean": statistics.fmean(sizes),
        "p50": percentile(sizes, 50),
        "max": max(sizes),
    }


def run_once(
    kind: str,
    config: StackConfig,
    models: Path,
    count: int,
    concurrency: int,
    rate: float = 0.0,
    warmup: int = 200,
    tag: str = "run",
) -> RunResult:
    """Start a fresh stack, warm it up, measure one load, stop everything."""
    stack = Stack(kind, config, models)
    reader: Child | None = None
    try:
        stack.start()
        warm = _load(stack, warmup, concurrency, 0.0, f"{tag}-warmup")
        after = _wait_stream_length(stack, len(warm["accepted"]))
        reader_out = stack.root / "reader.json"
        reader = Child.python(
            "reader",
            ["bench.reader", "--redis", stack.redis.url, "--stream", stack.stream,
             "--after", after, "--expect", str(count), "--max-seconds", "400",
             "--out", str(reader_out)],
            dict(os.environ),
        )  # fmt: skip
        reader.wait_for("reader ready", timeout=60)
        pids = stack.component_pids()
        before = {name: cpu_seconds(group) for name, group in pids.items()}
        server = ServerClock(stack.database_url)
        server.start()
        since = datetime.now(UTC)
        with DepthSampler(stack.redis.url, "moderation:queue:pending") as sampler:
            load = _load(stack, count, concurrency, rate, tag)
            try:
                reader.wait(120)
            except RuntimeError:
                reader.stop()  # SIGTERM: it writes what arrived so far
        after_cpu = {name: cpu_seconds(group) for name, group in pids.items()}
        server_spent = server.seconds()
        read = orjson.loads(reader_out.read_bytes())
        result = _summarise(kind, load, read, before, after_cpu, rate)
        if server_spent is not None:
            result.cpu_per_1000["postgres"] = server_spent * 1000 / max(result.accepted, 1)
        result.max_queue_depth = sampler.max_depth
        result.rss_mb = {
            name: [round(rss_mb(pid) or 0.0, 1) for pid in group[1:] or group]
            for name, group in pids.items()
            if name != "redis"
        }
        if kind == "ours":
            result.batches = _batch_sizes(stack.database_url, since)
        return result
    finally:
        if reader is not None:
            reader.stop()
        stack.stop()


def _summarise(
    kind: str,
    load: dict[str, Any],
    read: dict[str, Any],
    before: dict[str, dict[int, float]],
    after: dict[str, dict[int, float]],
    rate: float,
) -> RunResult:
    """Turn raw send and arrival times into rates, latencies and CPU per 1,000 comments."""
    accepted: dict[str, list[float]] = load["accepted"]
    arrived: dict[str, float] = read["arrived"]
    start = load["started"]
    latencies = [
        (arrived[cid] - sent) * 1000 for cid, (sent, _done) in accepted.items() if cid in arrived
    ]
    last_response = max((done for _sent, done in accepted.values()), default=start)
    last_verdict = max((arrived[cid] for cid in accepted if cid in arrived), default=start)
    verdicts = len(latencies)
    result = RunResult(
        kind=kind,
        mode="paced" if rate > 0 else "closed",
        sent=load["sent"],
        accepted=len(accepted),
        verdicts=verdicts,
        accepted_per_s=len(accepted) / max(last_response - start, 1e-9),
        verdicts_per_s=verdicts / max(last_verdict - start, 1e-9),
        statuses=load["statuses"],
        rate=rate,
    )
    result.latency_ms = {
        q: percentile(latencies, p) for q, p in (("p50", 50), ("p95", 95), ("p99", 99))
    }
    lag = load.get("schedule_lag") or []
    result.schedule_lag_p99_ms = percentile(lag, 99) * 1000 if lag else 0.0
    per = 1000 / max(len(accepted), 1)
    for name, used in after.items():
        spent = sum(seconds - before[name].get(pid, 0.0) for pid, seconds in used.items())
        result.cpu_per_1000[name] = spent * per
    result.cpu_per_1000["loadgen"] = load["cpu_seconds"] * per
    result.cpu_per_1000["reader"] = read["cpu_seconds"] * per
    return result


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": memory,
        "python": platform.python_version(),
        "load average at start": load,
    }


def _median_range(values: list[float], fmt: str = "{:.0f}") -> str:
    """`median (min-max)` of a list of numbers."""
    if not values:
        return "-"
    median = fmt.format(statistics.median(values))
    if len(values) == 1:
        return median
    return f"{median} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def report(
    args: argparse.Namespace,
    config: StackConfig,
    bare: list[RunResult],
    ours: list[RunResult],
    paced: list[RunResult],
    host: dict[str, str],
) -> str:
    """The results as a Markdown section (also printed)."""
    ceiling = statistics.median(r.accepted_per_s for r in bare) if bare else float("nan")
    e2e = statistics.median(r.verdicts_per_s for r in ours) if ours else float("nan")
    lines = [
        f"### {config.database}: web workers {config.web_workers}, worker concurrency "
        f"{config.worker_concurrency}, batch {config.batch_size}, {args.comments} comments "
        f"x {args.runs} runs, {args.concurrency} connections"
        + "".join(f", {name}={value}" for name, value in config.extra_env),
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on "
        + ", ".join(f"{k} {v}" for k, v in host.items())
        + f"; load average at end {' '.join(Path('/proc/loadavg').read_text().split()[:3])}.",
        "",
        f"Command: `.venv/bin/python -m bench.e2e {' '.join(sys.argv[1:])}`",
        "",
        "| closed loop | accepted/s | verdicts/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---|---|---|---|",
    ]
    for name, runs in (("bare intake (ceiling)", bare), ("ours, end to end", ours)):
        lines.append(
            f"| {name} | {_median_range([r.accepted_per_s for r in runs])} "
            f"| {_median_range([r.verdicts_per_s for r in runs])} "
            + " ".join(
                f"| {_median_range([r.latency_ms[q] for r in runs], '{:.1f}')}"
                for q in ("p50", "p95", "p99")
            )
            + " |"
        )
    lines += [
        "",
        f"**End-to-end verdict rate / bare ceiling: {e2e / ceiling:.0%}** "
        f"(medians of {len(ours)} and {len(bare)} runs; ours per run: "
        + ", ".join(f"{r.verdicts_per_s / ceiling:.0%}" for r in ours)
        + ")",
        "",
    ]
    if paced:
        lines += [
            "| open loop (paced) | offered/s | verdicts | p50 ms | p95 ms | p99 ms | "
            "generator lag p99 ms |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in paced:
            lines.append(
                f"| ours, {r.rate / ceiling:.0%} of the ceiling | {r.rate:.0f} "
                f"| {r.verdicts}/{r.accepted} "
                f"| {r.latency_ms['p50']:.1f} | {r.latency_ms['p95']:.1f} "
                f"| {r.latency_ms['p99']:.1f} | {r.schedule_lag_p99_ms:.1f} |"
            )
        lines.append("")
    components = ["web", "worker", "redis", "loadgen", "reader"]
    if any("postgres" in r.cpu_per_1000 for r in ours):
        components.append("postgres")  # the server's own CPU: on this machine, so counted
    lines += [
        "CPU seconds per 1,000 comments (median of runs):",
        "",
        "| run | " + " | ".join(components) + " | total |",
        "|---|" + "---|" * (len(components) + 1),
    ]
    for name, runs in (("bare", bare), ("ours", ours), ("ours paced", paced)):
        if not runs:
            continue
        cells = [statistics.median(r.cpu_per_1000.get(c, 0.0) for r in runs) for c in components]
        lines.append(
            f"| {name} | " + " | ".join(f"{c:.2f}" for c in cells) + f" | {sum(cells):.2f} |"
        )
    lines.append("")
    if bare and ours:
        bare_cpu = statistics.median(sum(r.cpu_per_1000.values()) for r in bare)
        ours_cpu = statistics.median(sum(r.cpu_per_1000.values()) for r in ours)
        lines += [
            f"CPU-implied ratio (bare CPU per comment / ours, all components): "
            f"{bare_cpu / ours_cpu:.0%}. On a quiet machine where both runs are CPU-bound the "
            "measured ratio tends to this; on a loaded one, trust this more than the rates.",
            "",
        ]
    if ours:
        last = ours[-1]
        lines += [
            f"Worker batches (last closed-loop run): {_fmt(last.batches)}; "
            f"max pending queue depth {last.max_queue_depth}.",
            f"RSS MB after the run: worker processes {last.rss_mb.get('worker')}, "
            f"web processes {last.rss_mb.get('web')}.",
        ]
        if paced:
            lines.append(f"Worker batches at half the ceiling: {_fmt(paced[-1].batches)}.")
        bad = {s: n for r in ours + paced for s, n in r.statuses.items() if s != "202"}
        missing = sum(r.accepted - r.verdicts for r in ours + paced)
        lines.append(f"Non-202 answers: {bad or 'none'}; accepted without a verdict: {missing}.")
    return "\n".join(lines) + "\n"


def scoring_paths_report(bare: list[RunResult], paths: dict[str, list[RunResult]]) -> str:
    """Scoring paths side by side; each run is compared with the runs of its own round."""
    lines = [
        "Scoring paths side by side (closed loop; rounds alternate bare, consumer, variants):",
        "",
        "| scoring path | verdicts/s | / bare, per round | / consumer, per round | p50 ms "
        "| p99 ms | web CPU | worker CPU | total CPU | mean batch |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    consumer = paths["consumer"]
    for name, runs in paths.items():
        to_bare = [r.verdicts_per_s / b.accepted_per_s for r, b in zip(runs, bare, strict=False)]
        to_consumer = [
            r.verdicts_per_s / c.verdicts_per_s for r, c in zip(runs, consumer, strict=False)
        ]
        lines.append(
            f"| {name} | {_median_range([r.verdicts_per_s for r in runs])} "
            f"| {_ratios(to_bare)} | {_ratios(to_consumer)} "
            f"| {_median_range([r.latency_ms['p50'] for r in runs], '{:.1f}')} "
            f"| {_median_range([r.latency_ms['p99'] for r in runs], '{:.1f}')} "
            + "".join(
                f"| {statistics.median(r.cpu_per_1000.get(c, 0.0) for r in runs):.2f} "
                for c in ("web", "worker")
            )
            + f"| {statistics.median(sum(r.cpu_per_1000.values()) for r in runs):.2f} "
            f"| {statistics.median(r.batches.get('mean', 0.0) for r in runs):.1f} |"
        )
    return "\n".join(lines) + "\n\nCPU in seconds per 1,000 comments (medians).\n"


def _ratios(values: list[float]) -> str:
    """`median% (each run%)`."""
    if not values:
        return "-"
    return f"{statistics.median(values):.0%} ({', '.join(f'{v:.0%}' for v in values)})"


def _fmt(values: dict[str, float]) -> str:
    """Compact `name value` pairs."""
    return ", ".join(f"{k} {v:.0f}" if k != "mean" else f"{k} {v:.1f}" for k, v in values.items())


def write_docs(section: str, database: str) -> None:
    """Replace this database's results section in docs/performance.md (or append it)."""
    begin, end = f"<!-- bench.e2e:{database}:begin -->", f"<!-- bench.e2e:{database}:end -->"
    text = DOCS.read_text() if DOCS.exists() else "# Performance\n"
    block = f"{begin}\n{section}{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOCS.write_text(text)


def main(argv: list[str] | None = None) -> None:
    """Parse options, run bare/ours alternately, then the paced run; print and record."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--worker-concurrency", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--warmup", type=int, default=300)
    parser.add_argument(
        "--latency-comments",
        type=int,
        default=None,
        help="comments in the paced run (default: --comments; 0 skips it)",
    )
    parser.add_argument(
        "--latency-rate",
        type=float,
        default=None,
        help="paced arrivals/s (default: half the bare ceiling)",
    )
    parser.add_argument(
        "--models-dir", type=Path, help="a trained models folder (default: train once into a cache)"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting for the service's processes (repeatable); defaults otherwise",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        choices=[name for name in SCORING_PATHS if name != "consumer"],
        help="also run ours with this prototype scoring path, alternated with the others",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not touch docs/performance.md")
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    args = parser.parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    configs = {
        database: StackConfig(
            web_workers=args.web_workers,
            worker_concurrency=args.worker_concurrency,
            batch_size=args.batch_size,
            database=database,
            postgres_url=args.postgres_url,
            extra_env=tuple(_setting(item) for item in args.env),
        )
        for database in databases
    }
    host = machine()
    models = args.models_dir or trained_models_dir()
    bare: list[RunResult] = []
    ours: dict[str, list[RunResult]] = {database: [] for database in databases}
    variants: dict[str, list[RunResult]] = {name: [] for name in args.variant}
    first = configs[databases[0]]
    for index in range(args.runs):
        result = run_once("bare", first, models, args.comments,
                          args.concurrency, warmup=args.warmup, tag=f"bare{index}")
        bare.append(result)
        print(_one_line(result), flush=True)
        for database in databases:
            result = run_once("ours", configs[database], models, args.comments,
                              args.concurrency, warmup=args.warmup, tag=f"{database}{index}")
            ours[database].append(result)
            print(database, _one_line(result), flush=True)
        for name, runs in variants.items():  # other scoring paths, on the first database
            result = run_once("ours", replace(first, scoring_path=name), models, args.comments,
                              args.concurrency, warmup=args.warmup, tag=f"{name}{index}")
            runs.append(result)
            print(f"[{name}] " + _one_line(result), flush=True)
    paced: dict[str, list[RunResult]] = {database: [] for database in databases}
    latency_comments = args.comments if args.latency_comments is None else args.latency_comments
    if latency_comments > 0:
        ceiling = statistics.median(r.accepted_per_s for r in bare) if bare else 500.0
        rate = args.latency_rate or ceiling / 2
        for database in databases:
            result = run_once("ours", configs[database], models, latency_comments,
                              args.concurrency, rate=rate, warmup=args.warmup,
                              tag=f"paced-{database}")
            paced[database].append(result)
            print(database, _one_line(result), flush=True)
    for database in databases:
        section = report(args, configs[database], bare, ours[database], paced[database], host)
        print()
        print(section)
        if not args.no_docs:
            write_docs(section, database)
    if variants:
        print()
        print(scoring_paths_report(bare, {"consumer": ours[databases[0]], **variants}))
    if args.json:
        args.json.write_bytes(
            orjson.dumps(
                {"machine": host, "bare": bare, "ours": ours, "paced": paced},
                option=orjson.OPT_INDENT_2,
            )
        )


def _setting(item: str) -> tuple[str, str]:
    """Split NAME=VALUE."""
    name, equals, value = item.partition("=")
    if not equals:
        raise SystemExit(f"--env wants NAME=VALUE, got {item!r}")
    return name, value


def _one_line(r: RunResult) -> str:
    """Progress line for one run."""
    return (
        f"{r.kind:5} {r.mode:6} accepted {r.accepted}/{r.sent} at {r.accepted_per_s:.0f}/s, "
        f"verdicts {r.verdicts} at {r.verdicts_per_s:.0f}/s, p50/p99 "
        f"{r.latency_ms['p50']:.1f}/{r.latency_ms['p99']:.1f} ms, batches {_fmt(r.batches)}, "
        f"cpu/1000 " + " ".join(f"{k} {v:.2f}" for k, v in r.cpu_per_1000.items())
    )


if __name__ == "__main__":
    main()
