"""The closing lines of the in-process CPU benchmarks (bench.intake_cpu, bench.worker_cpu)."""

from __future__ import annotations

import cProfile
import pstats
import statistics


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

