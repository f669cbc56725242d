"""How long `moderation retrain` takes with a publisher's labels (python -m bench.retrain).

Issue #17's target: retraining with 10,000 labels finishes in under 2 minutes on two cores.
Each run is an installation as an operator has it, driven through the real command line in a
fresh data folder (SQLite): `moderation train --promote` (the first model, or the base model
after an upgrade changed the recipe), `moderation labels import` of N toxicity labels, then
`moderation retrain --json`, which reuses the saved base model and fits the adapters. The
labels are Civil Comments news posts of the fixed train split (CC0, shipped), so the labels
are real, hard news-comment labels. Prints a Markdown table of medians (min-max).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from statistics import median

import numpy as np

from classifier.data import civil_holdout

ROOT = Path(__file__).resolve().parent.parent
MODERATION = [sys.executable, "-m", "cli"]


def write_labels(path: Path, n: int) -> int:
    """Write n Civil Comments train posts as a text,label CSV; return how many were written."""
    train = civil_holdout()["train"]
    picked = [train[i] for i in np.random.default_rng(0).permutation(len(train))[:n]]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["text", "label"])
        out.writerows((r.text, r.label) for r in picked)
    return len(picked)


def timed(args: Sequence[str], env: dict[str, str]) -> tuple[float, str]:
    """Run one `moderation` command; its wall seconds and standard output."""
    started = time.perf_counter()
    done = subprocess.run([*MODERATION, *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"moderation {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


Run = dict[str, float | int | bool | str]


def one_run(n_labels: int) -> Run:
    """One fresh installation: train, import n labels, retrain; the seconds of each step."""
    with tempfile.TemporaryDirectory(prefix="bench-retrain-") as tmp:
        env = {**os.environ, "MODERATION_DATA_DIR": tmp, "DATABASE_URL": "",
               "MODERATION_MODELS_DIR": "", "MODEL_STORE_URL": ""}
        labels = Path(tmp) / "labels.csv"
        written = write_labels(labels, n_labels)
        train_s, _ = timed(["train", "--promote"], env)
        import_s, _ = timed(["labels", "import", str(labels)], env)
        retrain_s, out = timed(["retrain", "--json"], env)
        report = json.loads(out)
        adapters = report.get("adapters", {})
        return {"labels": written, "train": train_s, "import": import_s, "retrain": retrain_s,
                "promoted": bool(report.get("promoted")),
                "adapted": "toxicity" in adapters, "reason": str(report.get("reason", ""))}


def table(runs: dict[int, list[Run]]) -> str:
    """Medians (min-max) of each step per label count, as Markdown."""
    def cell(values: list[float]) -> str:
        return f"{median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

    lines = ["| labels | first model (`train`), s | `labels import`, s | `retrain`, s "
             "| under 2 min | adapter fitted | promoted |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for rs in runs.values():
        retrain = [float(r["retrain"]) for r in rs]
        lines.append(
            f"| {rs[0]['labels']:,} | {cell([float(r['train']) for r in rs])} | "
            f"{cell([float(r['import']) for r in rs])} | {cell(retrain)} | "
            f"{'yes' if median(retrain) < 120 else 'no'} | "
            f"{sum(bool(r['adapted']) for r in rs)}/{len(rs)} | "
            f"{sum(bool(r['promoted']) for r in rs)}/{len(rs)} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Time retraining for each label count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, action="append",
                        help="label counts (default: 10000)")
    parser.add_argument("--runs", type=int, default=3, help="fresh installations per count")
    args = parser.parse_args(argv)
    runs: dict[int, list[Run]] = {}
    for n in args.labels or [10_000]:
        for i in range(args.runs):
            result = one_run(n)
            print(f"{n} labels, run {i + 1}: {result}", file=sys.stderr, flush=True)
            runs.setdefault(n, []).append(result)
    load = os.getloadavg()
    print(table(runs))
    for n, rs in runs.items():
        print(f"\nThe gate, first run with {n:,} labels: {rs[0]['reason']}")
    print(f"\n{os.cpu_count()} cores; load average at the end {load[0]:.1f} / {load[1]:.1f} "
          f"/ {load[2]:.1f}")


if __name__ == "__main__":
    main()
