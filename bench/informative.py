"""Does the queue's informative order pay? (python -m bench.informative)

A publisher is simulated with a news-comment set under the project's fixed split
(classifier.data.news_split): Civil Comments (`civil-comments-toxic-spans`, the default) or
`--publisher fox-news-comments`. The base model is trained without the set (once, then cached
beside the test suite's models). Per seed, the waiting pool is what the queue would rank:
``--pool`` comments (default: the queue's POOL) drawn from the set's train split among those
the base model flags (a comment under every flag line never waits for a moderator;
``--pool-from all`` draws from every comment, which Fox needs: the base flags 40 of its 1,069).
A moderator labels the first 100 / 250 / 500 of the pool in one of three orders:

- oldest: the pool as drawn (the sets carry no usable dates, so a random order);
- most uncertain: the queue's SQL sort, the nearer axis's score closest to its flag line first;
- informative: the queue's new sort, ``classifier.active_learning.assess`` as
  ``domain.review.informative.rank`` calls it (both axes, greedy, nothing labelled before).

The labels retrain the model as ``moderation retrain`` does (domain/training/retrain.py: one
fifth of the labels held out by a hash of the text, the adapter fitted on the rest, the gate
comparing the candidate with the current model, here the base); "adapted" is the candidate,
"ships" what the publisher runs after the gate. ROC AUC on the publisher's held-out comments:
the dev split while choosing anything (the default), the test split once for the figures
reported in docs/model.md (``--split test``). Medians over seeds; prints Markdown tables.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from bench.stack import MODEL_CACHE
from classifier import ModelBundle, ModelRegistry
from classifier.active_learning import assess
from classifier.adaptation import adapt_to_labels
from classifier.data import CIVIL, Row, load_dataset, news_split
from classifier.recipe import recipe_fingerprint
from domain.review.informative import POOL
from domain.store.labels import Label
from domain.training.gate import gate
from domain.training.retrain import (
    evaluate,
    evaluation_sets,
    publisher_gains,
    split_weighted_labels,
)
from domain.vocabulary import AXES

SIZES = (100, 250, 500)
FOX = "fox-news-comments"
ORDERS = ("oldest", "uncertainty", "informative")
TITLES = {"oldest": "oldest first (random)", "uncertainty": "most uncertain",
          "informative": "informative"}


def base_without(name: str) -> ModelBundle:
    """The default recipe trained without one set, cached per code and data fingerprint."""
    from classifier.training import train_bundle

    folder = MODEL_CACHE / f"{recipe_fingerprint()}-without-{name}"
    return ModelRegistry(folder).ensure_current(train=lambda: train_bundle(exclude={name}))


def flagged(base: ModelBundle, texts: Sequence[str]) -> np.ndarray:
    """Which texts the base model flags on some axis (its own flag lines)."""
    scores = base.predict_heads(texts)
    lines = np.array([base.thresholds[axis]["flag"] for axis in AXES])
    return np.asarray((scores[:, [base.heads.index(a) for a in AXES]] >= lines).any(axis=1))


def orders(base: ModelBundle, texts: Sequence[str],
           axes: Sequence[str] = AXES) -> dict[str, list[int]]:
    """The pool's indices in each order a moderator can choose (``axes``: the informative
    order's; the queue's are both)."""
    scores = base.predict_heads(texts)
    distance = np.min([np.abs(scores[:, base.heads.index(axis)] - base.thresholds[axis]["flag"])
                       for axis in AXES], axis=0)
    return {"oldest": list(range(len(texts))),
            "uncertainty": [int(i) for i in np.argsort(distance, kind="stable")],
            "informative": assess(base, texts, (), axes).order}


class Retrainer:
    """Retrains as ``moderation retrain`` does; the base's own metrics are computed once."""

    def __init__(self, base: ModelBundle) -> None:
        self.base = base
        self._base_sets = evaluate(base, evaluation_sets([]))

    def __call__(self, rows: Sequence[Row]) -> tuple[ModelBundle, bool, bool]:
        """The adapted candidate, whether its toxicity adapter was kept (else it is the base
        again) and whether the gate would promote it over the base."""
        labels = [Label(r.text, r.label, "moderator") for r in rows]
        train, held_out, weights = split_weighted_labels(labels)
        candidate = adapt_to_labels(self.base, train, weights)
        if "toxicity" not in candidate.metadata.get("adapters", {}):
            return candidate, False, False  # the same model as the base: nothing to promote
        sets = evaluation_sets(held_out)
        mine = {name: rows for name, rows in sets.items() if name.startswith("moderators/")}
        current = {**self._base_sets, **evaluate(self.base, mine)}
        verdict = gate(evaluate(candidate, sets), current,
                       publisher_gains(candidate, self.base, sets))
        return candidate, True, verdict.promote


Point = dict[str, Any]


def run(name: str, seeds: int, pool_size: int, pool_from: str, split: str,
        axes: Sequence[str], log: Callable[[str], None]) -> tuple[list[Point], float]:
    """Per seed, label size and order: ROC AUC of the candidate and of what ships."""
    data = news_split(load_dataset(name))
    t0 = time.perf_counter()
    base = base_without(name)
    log(f"base without {name}: {time.perf_counter() - t0:.0f} s")
    held = data[split]
    y = np.array([r.label == "toxic" for r in held], dtype=int)
    texts = [r.text for r in held]
    head = base.heads.index("toxicity")
    base_auc = float(roc_auc_score(y, base.predict_heads(texts)[:, head]))
    train = data["train"]
    eligible = np.arange(len(train))
    if pool_from == "flagged":
        eligible = np.flatnonzero(flagged(base, [r.text for r in train]))
    log(f"pool drawn from {len(eligible)} of {len(train)} train comments ({pool_from})")
    retrain = Retrainer(base)
    points: list[Point] = []
    for seed in range(seeds):
        picked = np.random.default_rng(seed).permutation(eligible)[:pool_size]
        if len(picked) < max(SIZES):
            raise SystemExit(f"a pool of {len(picked)} is smaller than {max(SIZES)} labels: "
                             "use --pool-from all")
        pool = [train[i] for i in picked]
        t0 = time.perf_counter()
        ranked = orders(base, [r.text for r in pool], axes)
        log(f"seed {seed}: orders in {time.perf_counter() - t0:.1f} s")
        for order, indices in ranked.items():
            for n in SIZES:
                rows = [pool[i] for i in indices[:n]]
                candidate, kept, promoted = retrain(rows)
                auc = float(roc_auc_score(y, candidate.predict_heads(texts)[:, head]))
                points.append({"seed": seed, "order": order, "labels": n, "adapted": auc,
                               "ships": auc if promoted else base_auc, "kept": kept,
                               "promoted": promoted,
                               "toxic": sum(r.label == "toxic" for r in rows) / len(rows)})
                log(str(points[-1]))
    return points, base_auc


def table(points: list[Point], base_auc: float, key: str, title: str) -> str:
    """One measure over the seeds, labels by order (ROC AUC: median (min-max), with the base
    beside them; "retrained": in how many pools the adapter was kept / promoted)."""
    auc = key in ("adapted", "ships")
    lines = [title, "", "| labels | " + " | ".join(TITLES[o] for o in ORDERS)
             + (" | base alone |" if auc else " |"),
             "| --- |" + " --- |" * (len(ORDERS) + auc)]
    for n in SIZES:
        cells = []
        for order in ORDERS:
            chosen = [p for p in points if p["order"] == order and p["labels"] == n]
            if auc:
                values = [p[key] for p in chosen]
                cells.append(f"{np.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")
            elif key == "retrained":
                kept, promoted = (sum(p[k] for p in chosen) for k in ("kept", "promoted"))
                cells.append(f"{kept} / {promoted} of {len(chosen)}")
            else:
                cells.append(f"{np.median([p[key] for p in chosen]):.2f}")
        lines.append(f"| {n} | " + " | ".join(cells) + (f" | {base_auc:.3f} |" if auc else " |"))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    """Simulate the publisher and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publisher", choices=(CIVIL, FOX), default=CIVIL,
                        help="the simulated publisher's set (the base is trained without it)")
    parser.add_argument("--seeds", type=int, default=3, help="pools drawn (medians over them)")
    parser.add_argument("--pool", type=int, default=POOL, help="waiting comments per pool")
    parser.add_argument("--pool-from", choices=("flagged", "all"), default="flagged")
    parser.add_argument("--split", choices=("dev", "test"), default="dev",
                        help="held-out comments scored: dev while choosing, test to report")
    parser.add_argument("--axes", choices=("both", "toxicity"), default="both",
                        help="the informative order's axes (the queue uses both)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    axes = AXES if args.axes == "both" else ("toxicity",)
    points, base_auc = run(args.publisher, args.seeds, args.pool, args.pool_from, args.split, axes,
                           lambda text: print(text, file=sys.stderr, flush=True))
    n_held = len(news_split(load_dataset(args.publisher))[args.split])
    where = f"{args.publisher}, its {n_held:,} {args.split} comments"
    print(table(points, base_auc, "adapted", f"ROC AUC of the adapted model on {where}, median "
                f"(min-max) of {args.seeds} pools of {args.pool} ({args.pool_from}; informative on "
                f"{args.axes})") + "\n")
    print(table(points, base_auc, "ships", "What ships after the gate (the base when it refuses "
                "the candidate), same measure") + "\n")
    print(table(points, base_auc, "retrained", "Pools where the adapter was kept (it beat the "
                "base out of fold on the labels) / the gate promoted it") + "\n")
    print(table(points, base_auc, "toxic", "Share of toxic posts among the labels, median")
          + "\n")
    print(f"{time.perf_counter() - started:.0f} s in all", file=sys.stderr)


if __name__ == "__main__":
    main()
