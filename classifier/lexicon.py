"""Lexicon features: counts over published word lists (``classifier/lexicons/``).

A few thousand labelled comments cannot teach every slur or insult; published lists already
name them. The toxicity head's calibration stacks these counts beside its linear margin, so
their weights are learnt on out-of-fold scores of the training rows (``heads.submit_head``):
chosen by cross-validation on the training rows, they lifted the Jigsaw hold-out from
0.9728 to 0.9754 and Fox News from 0.6201 to 0.631 (docs/model.md).

List entries go through the same ``normalize`` as comments, so ``f u c k``, ``sh1t`` and
Cyrillic lookalikes hit the same entry as the plain word.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from classifier.normalize import normalize

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
PROFANITY_FILES = ("better-profanity-wordlist.txt", "ldnoobw-en.json")
VALENCE_FILE = "vader_lexicon.txt"
# Not a feature: words naming groups of people, which scoring keeps from deciding a rejection
# on their own (see classifier/lexicons/identity-terms.txt and ModelBundle.score).
IDENTITY_FILE = "identity-terms.txt"
LEXICON_NAMES = ("profane_log", "profane_any", "profane_share", "negative_valence",
                 "positive_valence")


_WORD = re.compile(r"[a-z0-9']+")  # the vectorizer's WORD_PATTERN without its "!"/"?" tokens


def _words(text: str) -> list[str]:
    """The word tokens of a normalised text."""
    return _WORD.findall(text)


def _read_entries(path: Path) -> list[str]:
    """Entries of one list: a JSON array, or one entry per line ("#" starts a comment line)."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [str(entry) for entry in json.loads(raw)]
    return [line.strip() for line in raw.splitlines()
            if line.strip() and not line.startswith("#")]


def _read_valence(path: Path) -> dict[str, float]:
    """VADER's mean valence per single-word entry (normalised like comments)."""
    valence: dict[str, float] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        token, _, rest = line.partition("\t")
        words = _words(normalize(token))
        if len(words) == 1 and rest:
            valence.setdefault(words[0], float(rest.split("\t")[0]))
    return valence


@dataclass(frozen=True)
class Lexicon:
    """Profane words and phrases plus sentiment valence, all in normalised form."""

    profane_words: frozenset[str]
    profane_phrases: dict[str, tuple[tuple[str, ...], ...]]  # by first word
    valence: dict[str, float]
    digest: str
    identity_words: frozenset[str] = frozenset()

    def profane_positions(self, words: Sequence[str]) -> list[tuple[int, int]]:
        """(first, end) word positions of each profane word or phrase in ``words``."""
        hits = []
        for i, word in enumerate(words):
            if word in self.profane_words:
                hits.append((i, i + 1))
            for phrase in self.profane_phrases.get(word, ()):
                if tuple(words[i:i + len(phrase)]) == phrase:
                    hits.append((i, i + len(phrase)))
        return hits

    def profane_spans(self, norm: str) -> list[tuple[int, int]]:
        """Character spans, in the normalised text, of its profane words and phrases."""
        found = list(_WORD.finditer(norm))
        return [(found[a].start(), found[b - 1].end())
                for a, b in self.profane_positions([m.group() for m in found])]

    def identity_spans(self, norm: str) -> list[tuple[int, int]]:
        """Character spans, in the normalised text, of words naming a group of people."""
        return [m.span() for m in _WORD.finditer(norm) if m.group() in self.identity_words]

    def row(self, norm: str) -> list[float]:
        """The ``LEXICON_NAMES`` features of one normalised text."""
        return self._row_of_words(_words(norm))

    def row_without_identity(self, norm: str) -> list[float]:
        """The features of the text as if its identity words were not there."""
        return self._row_of_words([w for w in _words(norm) if w not in self.identity_words])

    def _row_of_words(self, words: list[str]) -> list[float]:
        """The ``LEXICON_NAMES`` features of a text's word tokens."""
        hits = sum(map(self.profane_words.__contains__, words))
        if not self.profane_phrases.keys().isdisjoint(words):
            hits += sum(1 for a, b in self.profane_positions(words) if b - a > 1)
        values = [v for v in map(self.valence.get, words) if v]
        negative = -sum(v for v in values if v < 0)
        positive = sum(v for v in values if v > 0)
        return [math.log1p(hits), float(hits > 0), hits / max(len(words), 1),
                math.log1p(negative), math.log1p(positive)]

    def features(self, norms: Iterable[str]) -> np.ndarray:
        """Feature matrix (texts x ``LEXICON_NAMES``) of normalised texts."""
        rows = [self.row(norm) for norm in norms]
        return np.asarray(rows, dtype=np.float64).reshape(len(rows), len(LEXICON_NAMES))


def lexicon_digest(directory: Path = LEXICON_DIR) -> str:
    """sha256 over the list files: a model records it and refuses other lists."""
    digest = hashlib.sha256()
    for name in (*PROFANITY_FILES, VALENCE_FILE):
        digest.update(name.encode())
        digest.update((directory / name).read_bytes())
    return digest.hexdigest()


@functools.cache
def load_lexicon(directory: Path = LEXICON_DIR) -> Lexicon:
    """Read and normalise the bundled lists (once per process)."""
    entries = [tuple(_words(normalize(entry))) for name in PROFANITY_FILES
               for entry in _read_entries(directory / name)]
    phrases: dict[str, set[tuple[str, ...]]] = {}
    for entry in entries:
        if len(entry) > 1:
            phrases.setdefault(entry[0], set()).add(entry)
    return Lexicon(
        profane_words=frozenset(e[0] for e in entries if len(e) == 1),
        profane_phrases={first: tuple(sorted(found)) for first, found in phrases.items()},
        valence=_read_valence(directory / VALENCE_FILE),
        digest=lexicon_digest(directory),
        identity_words=frozenset(word for entry in _read_entries(directory / IDENTITY_FILE)
                                 for word in _words(normalize(entry))),
    )
