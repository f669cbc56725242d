"""What the in-process CPU benchmarks share (bench.intake_cpu, bench.worker_cpu): their common
options and their closing lines."""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics


def parser_with_common_options(description: str | None) -> argparse.ArgumentParser:
    """A parser with the options both benchmarks take: Redis, database, rounds and profile."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    return parser

def print_rounds(what: str, per_round: list[float], profiler: cProfile.Profile | None,
                 top: int, server_per_round: list[float] | None = None) -> None:
    """The median and each round's CPU ms per unit of work (and the local PostgreSQL server's,
    when it could be read), then the profile's top functions."""
    print(f"CPU ms per {what}: {_summary(per_round)}")
    if server_per_round:
        print(f"PostgreSQL server CPU ms per {what}: {_summary(server_per_round)}")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top * 2)


def _summary(per_round: list[float]) -> str:
    rounds = ", ".join(f"{ms:.3f}" for ms in per_round)
    return f"median {statistics.median(per_round):.3f} (rounds {rounds})"

