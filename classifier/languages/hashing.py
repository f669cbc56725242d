"""Hashed character n-gram counts of a batch, in numpy passes (no string per n-gram).

The rolling polynomial hash of classifier/grams.py, without padding or word grams: sklearn's
HashingVectorizer(analyzer='char') made a Python string per n-gram and cost 0.4-0.7 ms a
comment, above the whole scoring budget.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from classifier.grams import _MULT, _codepoints, _finalise

N_FEATURES = 2**20


@dataclass(frozen=True)
class Grams:
    """Every n-gram occurrence of a batch: its text, its start in that text, length, column."""

    rows: np.ndarray
    starts: np.ndarray
    lengths: np.ndarray
    columns: np.ndarray

    def counts(self, n_texts: int) -> sp.csr_matrix:
        """Occurrence counts as a (texts x N_FEATURES) matrix."""
        ones = np.ones(len(self.rows), dtype=np.float32)
        x = sp.csr_matrix((ones, (self.rows, self.columns)), shape=(n_texts, N_FEATURES))
        x.sum_duplicates()
        return x


def char_grams(texts: Sequence[str], ngram_range: tuple[int, int]) -> Grams:
    """All character n-grams of the texts with lengths in ``ngram_range``, hashed to columns."""
    low, high = ngram_range
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    text_start = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(sizes, out=text_start[1:])
    points = _codepoints("".join(texts))
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), sizes)
    # distance to the end of its own text: a gram may not cross into the next text
    room = text_start[1:][owner] - np.arange(len(points), dtype=np.int64)
    rows, starts, lengths, columns = [], [], [], []
    rolling = np.zeros(len(points), dtype=np.uint64)
    for n in range(1, high + 1):
        rolling = rolling[: len(points) - n + 1] * _MULT + points[n - 1:]
        if n < low:
            continue
        at = np.flatnonzero(room[: len(rolling)] >= n)
        rows.append(owner[at])
        starts.append(at - text_start[owner[at]])
        lengths.append(np.full(len(at), n, dtype=np.int64))
        columns.append(np.abs(_finalise(rolling[at], n) % N_FEATURES))
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return Grams(empty, empty, empty, empty)
    return Grams(*(np.concatenate(part) for part in (rows, starts, lengths, columns)))
