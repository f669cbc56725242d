"""Gram hashing for a whole batch at once: numpy rolling hashes for char n-grams.

Creating one Python string per char n-gram (about 460 per comment) and hashing it was a third
of the scoring time. Here the char n-grams of every text in a batch are hashed in a few numpy
passes over the code points; only word grams (a few dozen per comment) stay Python strings.
``term_hashes`` gives the same number for a vocabulary term as the batch pass gives for the
same gram in a text, so a stored vocabulary (strings) can be looked up with either.

The per-text gram order is the one ``features.analyze`` produces: char grams by length, then by
position, then words, then word bigrams (explanations rely on it).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WORD_PREFIX = "\x01"  # keeps word features apart from char n-grams in one vocabulary
WORD_PATTERN = re.compile(r"[a-z0-9']+|[!?]")
_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit multiplier of the polynomial hash
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)  # splitmix64 finaliser constants
_MIX2 = np.uint64(0x94D049BB133111EB)


def _finalise(h: np.ndarray, n: int) -> np.ndarray:
    """Mix the gram length in and scramble the bits (splitmix64), as signed int64."""
    h = h ^ np.uint64(n << 56)
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return np.asarray((h ^ (h >> np.uint64(31))).view(np.int64))


def _codepoints(text: str) -> np.ndarray:
    """The code points of ``text`` as uint64."""
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


def _word_hashes(terms: Sequence[str]) -> np.ndarray:
    """Hash word terms (prefixed strings) with Python's per-process string hash."""
    return np.fromiter(map(hash, terms), dtype=np.int64, count=len(terms))


def term_hashes(terms: Sequence[str]) -> np.ndarray:
    """Hash vocabulary terms exactly as ``batch_gram_hashes`` hashes the same grams in text."""
    out = np.empty(len(terms), dtype=np.int64)
    is_word = np.fromiter((t.startswith(WORD_PREFIX) for t in terms), dtype=bool,
                          count=len(terms))
    words = np.flatnonzero(is_word).tolist()
    out[words] = _word_hashes([terms[i] for i in words])
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    for n in np.unique(lengths[~is_word]).tolist():
        idx = np.flatnonzero((lengths == n) & ~is_word).tolist()
        points = _codepoints("".join(terms[i] for i in idx)).reshape(len(idx), n)
        h = np.zeros(len(idx), dtype=np.uint64)
        for k in range(n):
            h = h * _MULT + points[:, k]
        out[idx] = _finalise(h, n)
    return out


@dataclass
class GramBatch:
    """Hashes of all grams of a batch of texts, grouped by text (``offsets``)."""

    hashes: np.ndarray  # int64, one per gram, texts one after another
    offsets: np.ndarray  # len(texts) + 1: text r owns hashes[offsets[r]:offsets[r + 1]]
    padded: str  # all padded texts joined: char gram g of length n is padded[start:start + n]
    char_starts: np.ndarray  # start in ``padded`` of each char gram, -1 for word grams
    char_lengths: np.ndarray  # length of each char gram, 0 for word grams
    words: list[str]  # the prefixed word grams, in gram order

    def rows(self) -> np.ndarray:
        """The text (row) index of every gram."""
        return np.repeat(np.arange(len(self.offsets) - 1, dtype=np.int64), np.diff(self.offsets))

    def strings(self, indices: np.ndarray) -> list[str]:
        """Return the grams at ``indices`` as strings (the vocabulary's terms)."""
        word_rank = np.cumsum(self.char_starts < 0) - 1
        out: list[str] = []
        for i in indices.tolist():
            start = int(self.char_starts[i])
            if start >= 0:
                out.append(self.padded[start:start + int(self.char_lengths[i])])
            else:
                out.append(self.words[int(word_rank[i])])
        return out


def batch_gram_hashes(norms: Sequence[str], ngram_range: tuple[int, int]) -> GramBatch:
    """Hash the char n-grams (padded with one space each side) and word uni/bi-grams of texts."""
    lo, hi = ngram_range
    padded_texts = [f" {t} " for t in norms]
    sizes = np.fromiter(map(len, padded_texts), dtype=np.int64, count=len(norms))
    text_start = np.zeros(len(norms) + 1, dtype=np.int64)
    np.cumsum(sizes, out=text_start[1:])
    padded = "".join(padded_texts)
    points = _codepoints(padded)
    # distance from each position to the end of its own text: a gram may not cross texts
    owner = np.repeat(np.arange(len(norms), dtype=np.int64), sizes)
    room = text_start[1:][owner] - np.arange(len(points), dtype=np.int64)
    char_counts = [np.maximum(sizes - n + 1, 0) for n in range(lo, hi + 1)]
    word_lists = [WORD_PATTERN.findall(t) for t in norms]
    n_words = np.fromiter(map(len, word_lists), dtype=np.int64, count=len(norms))
    per_text = sum(char_counts) + n_words + np.maximum(n_words - 1, 0)
    offsets = np.zeros(len(norms) + 1, dtype=np.int64)
    np.cumsum(per_text, out=offsets[1:])
    hashes = np.empty(int(offsets[-1]), dtype=np.int64)
    char_starts = np.full(len(hashes), -1, dtype=np.int64)
    char_lengths = np.zeros(len(hashes), dtype=np.int64)
    block_start = offsets[:-1].copy()  # where the current gram-length block of each text begins
    rolling = np.zeros(len(points), dtype=np.uint64)
    for n in range(1, hi + 1):
        rolling = rolling[: len(points) - n + 1] * _MULT + points[n - 1:]
        if n < lo:
            continue
        starts = np.flatnonzero(room[: len(rolling)] >= n)
        dest = block_start[owner[starts]] + (starts - text_start[owner[starts]])
        hashes[dest] = _finalise(rolling[starts], n)
        char_starts[dest] = starts
        char_lengths[dest] = n
        block_start += char_counts[n - lo]
    words = [gram for text_words in word_lists for gram in word_grams(text_words)]
    word_dest = _word_positions(block_start, n_words)
    hashes[word_dest] = _word_hashes(words)
    return GramBatch(hashes, offsets, padded, char_starts, char_lengths, words)


def word_grams(words: list[str]) -> list[str]:
    """A text's prefixed word unigrams, then its word bigrams."""
    return [WORD_PREFIX + w for w in words] + [
        f"{WORD_PREFIX}{a} {b}" for a, b in zip(words, words[1:], strict=False)
    ]


def _word_positions(block_start: np.ndarray, n_words: np.ndarray) -> np.ndarray:
    """Destination of each word gram: right after its text's char grams."""
    n_word_grams = n_words + np.maximum(n_words - 1, 0)
    owner = np.repeat(np.arange(len(n_words), dtype=np.int64), n_word_grams)
    first = np.zeros(len(n_words) + 1, dtype=np.int64)
    np.cumsum(n_word_grams, out=first[1:])
    return np.asarray(block_start[owner] + (np.arange(int(first[-1])) - first[owner]))
