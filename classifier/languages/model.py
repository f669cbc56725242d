"""One language's toxicity model: hashed character n-grams, tf-idf, one logistic regression.

Character n-grams (``analyzer='char'``, not ``char_wb``) work for scripts without spaces
(Chinese, Japanese) as for German. Hashing keeps no vocabulary in memory: a language costs
two float32 arrays of ``N_FEATURES`` (8 MB), and explanations hash each n-gram of the text to
find its weight.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from classifier.languages.hashing import char_grams
from classifier.scoring import MAX_SPANS, Span

MAX_CHARS = 500  # the form's limit: longer training texts are cut the same way
# Languages written without spaces between words: highlights are runs of characters.
UNSPACED = frozenset({"zh", "ja", "th"})
_MENTION = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
_REPEAT = re.compile(r"(.)\1{3,}")
_WORD = re.compile(r"\S+")


def prepare(text: str) -> str:
    """The text a language model reads: NFKC, lower case, tweets' @names and links as tokens."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).replace("|LBR|", " ").lower()
    text = _URL.sub(" http ", _MENTION.sub("@user", text))
    return " ".join(_REPEAT.sub(r"\1\1\1", text).split())


def gram_counts(texts: Sequence[str], ngram_range: tuple[int, int]) -> sp.csr_matrix:
    """Raw hashed n-gram counts of prepared texts."""
    return char_grams(texts, ngram_range).counts(len(texts))


def tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf times idf, each row scaled to unit length (grams with idf 0 drop out).

    Works on ``data`` in place of a copy: broadcasting a 2**20-wide idf row cost 0.4 ms a text.
    """
    x = counts.tocsr(copy=True)
    x.data = np.log1p(x.data) * idf[x.indices]
    squares = np.add.reduceat(x.data**2, x.indptr[:-1]) if x.nnz else np.zeros(x.shape[0])
    squares[np.diff(x.indptr) == 0] = 0.0  # reduceat gives an empty row its neighbour's value
    norms = np.sqrt(squares)
    norms[norms == 0] = 1.0
    x.data /= np.repeat(norms, np.diff(x.indptr)).astype(x.data.dtype)
    return x


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically safe logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))


@dataclass
class LanguageModel:
    """Toxicity of texts in one language, with the lines its evaluation recommends."""

    language: str
    ngram_range: tuple[int, int]
    idf: np.ndarray
    coef: np.ndarray
    intercept: float
    thresholds: dict[str, float] = field(default_factory=dict)  # {"flag": p, "reject": p}
    metrics: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ngram_range = (int(self.ngram_range[0]), int(self.ngram_range[1]))

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Tf-idf rows of raw texts."""
        return tfidf(gram_counts([prepare(t) for t in texts], self.ngram_range), self.idf)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each text is toxic."""
        if not texts:
            return np.zeros(0)
        return _sigmoid(self.features(texts) @ self.coef + self.intercept)

    def spans(self, text: str) -> list[Span]:
        """The words (or, without spaces, runs of characters) that push toxicity up most."""
        lowered = text.lower() if len(text.lower()) == len(text) else text
        grams = char_grams([lowered], self.ngram_range)
        idf = self.idf[grams.columns]
        # the row's length as tfidf() scales it (raw counts of the unprepared text: close enough
        # for ranking words, and no second pass over the prepared text)
        _, first, counts = np.unique(grams.columns, return_index=True, return_counts=True)
        norm = float(np.linalg.norm(np.log1p(counts) * idf[first])) or 1.0
        weights = self.coef[grams.columns] * idf / (grams.lengths * norm)
        # each gram adds its weight to the characters it covers: a difference array, no loop
        size = len(lowered) + 1
        change = (np.bincount(grams.starts, weights, size)
                  - np.bincount(grams.starts + grams.lengths, weights, size))
        push = np.cumsum(change)[: len(lowered)]
        pieces = (_runs(push) if self.language in UNSPACED
                  else [(m.start(), m.end()) for m in _WORD.finditer(lowered)])
        scored = sorted(((float(push[b:e].sum()), b, e) for b, e in pieces), reverse=True)
        return [Span(begin=b, end=e, axis="toxicity", weight=round(w, 4))
                for w, b, e in scored[:MAX_SPANS] if w > 0]


def _runs(push: np.ndarray, longest: int = 8) -> list[tuple[int, int]]:
    """Runs of consecutive characters that push up, cut to at most ``longest`` characters."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, value in enumerate([*push.tolist(), 0.0]):
        if value > 0 and start is None:
            start = i
        elif (value <= 0 or i - (start or 0) >= longest) and start is not None:
            runs.append((start, i))
            start = i if value > 0 else None
    return runs
