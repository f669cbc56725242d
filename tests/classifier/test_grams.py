"""Batch gram hashing agrees with the reference gram definition (``features.analyze``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.features import analyze
from classifier.grams import batch_gram_hashes, term_hashes
from classifier.normalize import normalize

# raw text may hold any code point except the word-gram marker, which normalisation removes
texts = st.text(st.characters(codec="utf-8", exclude_characters="\x01"), max_size=60)


@settings(max_examples=150, deadline=None)
@given(st.lists(texts, max_size=6), st.sampled_from([(2, 5), (1, 3), (3, 3)]))
def test_batch_hashes_are_the_hashes_of_the_reference_grams(
    raw: list[str], ngram_range: tuple[int, int]
) -> None:
    """Every text's grams, in order, hash as their strings do; the strings are recoverable."""
    norms = [normalize(t) for t in raw] + raw  # normalised and raw (any code point) alike
    batch = batch_gram_hashes(norms, ngram_range)
    for row, norm in enumerate(norms):
        reference = analyze(norm, ngram_range)
        mine = slice(batch.offsets[row], batch.offsets[row + 1])
        assert batch.hashes[mine].tolist() == term_hashes(reference).tolist()
        positions = np.arange(batch.offsets[row], batch.offsets[row + 1])
        assert batch.strings(positions) == reference


def test_different_grams_hash_differently() -> None:
    """Grams of different lengths or letters do not collide (length is mixed into the hash)."""
    grams = ["ab", "ba", " a", "a ", "abc", "\x01ab", "aab", "abab", "ab ab"]
    assert len(set(term_hashes(grams).tolist())) == len(grams)


def test_empty_batch() -> None:
    """No texts, or only empty ones, give padding grams only and consistent offsets."""
    assert len(batch_gram_hashes([], (2, 5)).hashes) == 0
    batch = batch_gram_hashes(["", ""], (2, 5))
    assert batch.offsets.tolist() == [0, 1, 2]  # the two-space pad is one 2-gram
