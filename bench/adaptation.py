"""Learning curve of retraining on one publisher's labels (python -m bench.adaptation).

A publisher is simulated with a news-comment set the base model never saw: the base is
trained without it, the publisher labels n of its comments (drawn from the set's fixed train
split), and every model is scored on the publisher's unseen comments (the fixed test split).
Columns: the adapted model (classifier.adaptation, what `moderation retrain` ships), the same
labels alone (a TF-IDF logistic regression that never saw the base data), the base model
alone, the former recipe (a full retrain with the labels as weighted extra rows) and the peer
alt-profanity-check. Prints a Markdown table and writes docs/img/adaptation-<set>.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from classifier.adaptation import adapt_to_labels
from classifier.data import CIVIL, Row, civil_holdout, load_dataset, news_split
from classifier.scoring import ModelBundle
from classifier.training import train_bundle

ROOT = Path(__file__).resolve().parent.parent
SIZES = (0, 250, 500, 1000, 2000)
FOX = "fox-news-comments"


def publisher(name: str) -> dict[str, list[Row]]:
    """The simulated publisher's fixed train / dev / test comments."""
    return civil_holdout() if name == CIVIL else news_split(load_dataset(name))


def labels_alone(rows: Sequence[Row], test: Sequence[str]) -> np.ndarray:
    """Scores of a TF-IDF logistic regression trained on the publisher's labels only."""
    model = make_pipeline(
        TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2),
        LogisticRegression(solver="liblinear", class_weight="balanced"))
    search = GridSearchCV(model, {"logisticregression__C": [0.25, 1.0, 4.0, 16.0]},
                          scoring="roc_auc", cv=3)
    search.fit([r.text for r in rows], [r.label == "toxic" for r in rows])
    return np.asarray(search.predict_proba(list(test))[:, 1])


def toxicity(bundle: ModelBundle, texts: Sequence[str]) -> np.ndarray:
    """A bundle's toxicity scores."""
    return bundle.predict_heads(texts)[:, bundle.heads.index("toxicity")]


Point = dict[str, Any]  # one label count: each model's ROC AUC


def curve(name: str, seeds: int, weighted: bool, log: TextIO = sys.stderr) -> list[Point]:
    """One row per label count: ROC AUC of each model on the publisher's unseen comments."""
    from profanity_check import predict_prob

    split = publisher(name)
    train, test = split["train"], split["test"]
    texts = [r.text for r in test]
    y = np.array([r.label == "toxic" for r in test], dtype=int)
    t0 = time.perf_counter()
    base = train_bundle(exclude={name})
    print(f"base without {name}: {time.perf_counter() - t0:.0f} s", file=log)
    base_auc = roc_auc_score(y, toxicity(base, texts))
    peer_auc = roc_auc_score(y, predict_prob(texts))
    out: list[Point] = []
    for n in [*SIZES, len(train)]:
        if n > len(train):
            continue
        row: Point = {"labels": n, "base": base_auc, "peer": peer_auc}
        runs: dict[str, list[float]] = {"adapted": [], "alone": [], "weighted": [], "seconds": []}
        for seed in range(seeds if 0 < n < len(train) else 1):
            picked = [train[i] for i in np.random.default_rng(seed).permutation(len(train))[:n]]
            pairs = [(r.text, r.label) for r in picked]
            t0 = time.perf_counter()
            adapted = adapt_to_labels(base, pairs)
            runs["seconds"].append(time.perf_counter() - t0)
            runs["adapted"].append(roc_auc_score(y, toxicity(adapted, texts)))
            if n:
                runs["alone"].append(roc_auc_score(y, labels_alone(picked, texts)))
            if weighted and n and seed == 0:
                full = train_bundle(exclude={name}, extra_labels=pairs)
                runs["weighted"].append(roc_auc_score(y, toxicity(full, texts)))
        row.update({key: float(np.mean(v)) if v else None for key, v in runs.items()})
        row["adapted_sd"] = float(np.std(runs["adapted"])) if len(runs["adapted"]) > 1 else None
        print(row, file=log, flush=True)
        out.append(row)
    return out


def table(name: str, rows: list[Point], n_test: int) -> str:
    """The learning curve as Markdown."""
    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.3f}"

    lines = [f"Publisher simulated with `{name}`: ROC AUC on its {n_test} unseen comments",
             "", "| labels | adapted (shipped) | labels alone | base alone | full retrain, "
             "labels weighted x3 (former) | alt-profanity-check | adapter fit, s |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        sd = f" ± {r['adapted_sd']:.3f}" if r.get("adapted_sd") else ""
        lines.append(f"| {r['labels']} | {cell(r['adapted'])}{sd} | {cell(r['alone'])} | "
                     f"{cell(r['base'])} | {cell(r['weighted'])} | {cell(r['peer'])} | "
                     f"{cell(r['seconds'])} |")
    return "\n".join(lines)


def plot(name: str, rows: list[Point], path: Path) -> None:
    """The learning curve as a picture."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    sizes = [max(int(r["labels"]), 1) for r in rows]
    for key, label in (("adapted", "adapted (shipped)"), ("alone", "labels alone"),
                       ("weighted", "full retrain, labels weighted"),
                       ("base", "base model alone"), ("peer", "alt-profanity-check")):
        points = [(s, r[key]) for s, r in zip(sizes, rows, strict=True) if r[key] is not None]
        if points:
            ax.plot(*zip(*points, strict=True), marker="o", label=label)
    ax.set(xscale="symlog", xlabel="publisher's labels (0 = none)", ylabel="ROC AUC, unseen",
           title=f"Learning a publisher's comments: {name}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: Sequence[str] | None = None) -> None:
    """Run the learning curve for each simulated publisher."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--publisher", action="append", choices=[CIVIL, FOX])
    parser.add_argument("--seeds", type=int, default=3, help="label draws per point")
    parser.add_argument("--no-weighted", action="store_true",
                        help="skip the full retrain with weighted labels (slow)")
    args = parser.parse_args(argv)
    for name in args.publisher or [CIVIL, FOX]:
        rows = curve(name, args.seeds, not args.no_weighted)
        print(table(name, rows, len(publisher(name)["test"])) + "\n", flush=True)
        plot(name, rows, ROOT / "docs" / "img" / f"adaptation-{name}.png")


if __name__ == "__main__":
    main()
