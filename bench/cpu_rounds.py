"""The closing lines of the in-process CPU benchmarks (bench.intake_cpu, bench.worker_cpu)."""

from __future__ import annotations

import cProfile
import pstats
import statistics


def print_rounds(what: str, per_round: list[float], profiler: cProfile.Profile | None,
                 top: int) -> None:
    """The median and each round's CPU ms per unit of work, then the profile's top functions."""
    rounds = ", ".join(f"{ms:.3f}" for ms in per_round)
    print(f"CPU ms per {what}: median {statistics.median(per_round):.3f} (rounds {rounds})")
    if profiler:
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(top)
        stats.sort_stats("cumulative").print_stats(top * 2)
