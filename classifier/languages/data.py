"""The labelled data of each language and its fixed evaluation split (seeded, never changes)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from classifier.data import Row, load_dataset

# language -> the toxicity data set shipped in classifier/datasets (see its README for licences)
LANGUAGE_SETS = {
    "de": "germeval-2018-de",
    "pt": "told-br-pt",
    "zh": "cold-zh",
    "ko": "korean-hate-speech-ko",
}
# Fixed forever: the evaluation rows of each language must stay the rows no model trains on.
LANGUAGE_SPLIT_SEED = 20261218
EVALUATION_FRACTION = 0.2


def evaluation_split(rows: list[Row],
                     seed: int = LANGUAGE_SPLIT_SEED) -> tuple[list[int], list[int]]:
    """(train, evaluation) row indices: a stratified, seeded 20 % per label held out.

    Rows whose text repeats an earlier row's text go wherever that first row went, so an
    evaluation text is never also a training text.
    """
    rng = np.random.default_rng(seed)
    first: dict[str, int] = {}
    unique = [i for i, r in enumerate(rows) if first.setdefault(r.text, i) == i]
    held: set[int] = set()
    for label in sorted({rows[i].label for i in unique}):
        idx = np.array([i for i in unique if rows[i].label == label])
        idx = idx[rng.permutation(len(idx))]
        held.update(int(i) for i in idx[: int(round(len(idx) * EVALUATION_FRACTION))])
    evaluation = [i for i, r in enumerate(rows) if first[r.text] in held]
    train = [i for i, r in enumerate(rows) if first[r.text] not in held]
    return train, evaluation


def language_rows(language: str, datasets_dir: Path | None = None) -> tuple[list[Row], list[Row]]:
    """(training rows, evaluation rows) of a language under its fixed split."""
    rows = load_dataset(LANGUAGE_SETS[language], datasets_dir)
    train, evaluation = evaluation_split(rows)
    return [rows[i] for i in train], [rows[i] for i in evaluation]
