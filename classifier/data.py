"""Loading the bundled labelled data sets and the fixed evaluation splits."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DATASETS_DIR = Path(__file__).resolve().parent / "datasets"
SPAM_SETS = ("youtube-spam", "sms-spam")
CIVIL = "civil-comments-toxic-spans"
TOXICITY_SETS = ("jigsaw-toxic-wikipedia", "davidson-hate-offensive", "fox-news-comments", CIVIL)
ALL_SETS = SPAM_SETS + TOXICITY_SETS
VIDEOS = ("Psy", "KatyPerry", "LMFAO", "Eminem")
SPLIT_SEED = 20261128  # fixed forever: retrained models are evaluated on the same held-out rows
TEST_FRACTION = 0.2
# News comments (Civil Comments): train / dev / test, written down before any model was tried
# on them. Only the train part is ever trained on; dev is for a second look while developing,
# test is read once per reported figure (docs/model.md).
NEWS_SPLIT_SEED = 20261206
NEWS_FRACTIONS = {"dev": 0.1, "test": 0.2}


@dataclass(frozen=True)
class Row:
    """One labelled text with its source set and optional group / fine label."""

    text: str
    label: str
    source: str
    group: str = ""  # the YouTube video: the article a comment was posted under
    fine_label: str = ""
    posted_at: str = ""
    # how clearly the annotators agreed on the label: 1 = unanimous, 0 = a tie (1 where a set
    # records no votes); Civil Comments keeps its votes (annotators, not_toxic_votes)
    agreement: float = 1.0


def agreement(record: dict[str, str]) -> float:
    """|2 * share of the majority's votes - 1| of a record with vote counts, else 1."""
    try:
        annotators, not_toxic = int(record["annotators"]), int(record["not_toxic_votes"])
    except (KeyError, TypeError, ValueError):
        return 1.0
    return abs(2 * not_toxic / annotators - 1) if annotators > 0 else 1.0


def load_dataset(name: str, datasets_dir: Path | None = None) -> list[Row]:
    """Read ``<datasets_dir>/<name>/comments.csv`` into rows (csv module: quoted newlines)."""
    path = (datasets_dir or DATASETS_DIR) / name / "comments.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return [
            Row(text=r["text"], label=r["label"], source=name, group=r.get("video", "") or "",
                fine_label=r.get("fine_label", "") or "", posted_at=r.get("date", "") or "",
                agreement=agreement(r))
            for r in csv.DictReader(fh)
        ]


def jigsaw_split(rows: list[Row]) -> tuple[np.ndarray, np.ndarray]:
    """Return (train, test) indices of the fixed stratified 20 % Jigsaw hold-out split."""
    rng = np.random.default_rng(SPLIT_SEED)
    labels = np.array([r.label for r in rows])
    test: list[np.ndarray] = []
    for label in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == label)
        idx = idx[rng.permutation(len(idx))]
        test.append(idx[: int(round(len(idx) * TEST_FRACTION))])
    test_idx = np.sort(np.concatenate(test)) if test else np.zeros(0, np.int64)
    mask = np.ones(len(rows), dtype=bool)
    mask[test_idx] = False
    return np.flatnonzero(mask), test_idx


def news_split(rows: list[Row]) -> dict[str, list[Row]]:
    """The fixed stratified train / dev / test split of a news-comment set (NEWS_SPLIT_SEED)."""
    rng = np.random.default_rng(NEWS_SPLIT_SEED)
    part = np.full(len(rows), "train", dtype=object)
    labels = np.array([r.label for r in rows])
    for label in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == label)
        idx = idx[rng.permutation(len(idx))]
        start = 0
        for name, fraction in NEWS_FRACTIONS.items():
            size = int(round(len(idx) * fraction))
            part[idx[start:start + size]] = name
            start += size
    parts = {name: [r for r, p in zip(rows, part, strict=True) if p == name]
             for name in ("train", "dev", "test")}
    parts["train"] = without_texts_of(parts["train"], parts["dev"], parts["test"])
    return parts


def without_texts_of(train: list[Row], *held_out: list[Row]) -> list[Row]:
    """Train rows minus those whose text is also held out (sets repeat posts: spam, 'Dumb.').

    The split assigns rows, not texts; a text in both parts would be scored after being
    trained on and flatter the figure. The held-out parts stay exactly as the seed drew them.
    """
    seen = {r.text for rows in held_out for r in rows}
    return [r for r in train if r.text not in seen]


def civil_holdout(datasets_dir: Path | None = None) -> dict[str, list[Row]]:
    """Civil Comments news posts under the fixed split: {"train", "dev", "test"} rows."""
    return news_split(load_dataset(CIVIL, datasets_dir))


def jigsaw_holdout(datasets_dir: Path | None = None) -> tuple[list[Row], list[Row]]:
    """Return (train rows, held-out test rows) of Jigsaw under the fixed split."""
    return _fixed_holdout(load_dataset("jigsaw-toxic-wikipedia", datasets_dir))


def youtube_holdout(datasets_dir: Path | None = None) -> tuple[list[Row], list[Row]]:
    """Return (train rows, held-out test rows) of YouTube spam under the same fixed split."""
    return _fixed_holdout(load_dataset("youtube-spam", datasets_dir))


def _fixed_holdout(rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """(train, test) rows of the fixed 20 % split; no test text is trained on."""
    train_idx, test_idx = jigsaw_split(rows)
    test = [rows[i] for i in test_idx]
    return without_texts_of([rows[i] for i in train_idx], test), test


def base_holdout(datasets_dir: Path | None = None) -> dict[str, list[tuple[str, str]]]:
    """The fixed held-out (text, label) rows per axis that every production model leaves out.

    Retraining compares a candidate with the current model on these rows, so they must never
    be trained on: 20 % of the YouTube comments (spam) and 20 % of Jigsaw (toxicity).
    """
    return {
        "spam": [(r.text, r.label) for r in youtube_holdout(datasets_dir)[1]],
        "toxicity": [(r.text, r.label) for r in jigsaw_holdout(datasets_dir)[1]],
    }
