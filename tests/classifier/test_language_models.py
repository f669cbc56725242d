"""The other languages' models: n-gram hashing, spans without spaces, the artefact on disk."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from classifier.data import Row
from classifier.languages import LanguageArtifactError, LanguageModels, LanguageRegistry
from classifier.languages.data import evaluation_split, language_rows
from classifier.languages.hashing import char_grams
from classifier.languages.spam import SIGNALS, SpamSignals
from classifier.languages.training import Variant, fit_language


def _small(language: str, n: int = 600) -> list[Row]:
    """The first n training rows of a language (a model fitted in a second)."""
    return language_rows(language)[0][:n]


@pytest.fixture(scope="module")
def models() -> LanguageModels:
    """German and Chinese models fitted on a few hundred training rows."""
    fitted = {lang: fit_language(lang, _small(lang), Variant((1, 3), 4.0)) for lang in ("de", "zh")}
    for model in fitted.values():
        model.thresholds = {"flag": 0.0, "reject": 1.0}  # explain everything
    spam = SpamSignals(np.zeros(len(SIGNALS)), 0.0, {"flag": 0.5, "reject": 0.9})
    return LanguageModels(fitted, spam, {"version": "languages-test", "sklearn_version": "x"})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=5))
def test_grams_stay_inside_their_text_and_count_every_position(texts: list[str]) -> None:
    grams = char_grams(texts, (1, 3))
    expected = sum(max(len(t) - n + 1, 0) for t in texts for n in (1, 2, 3))
    assert len(grams.rows) == expected
    for row, start, length in zip(grams.rows, grams.starts, grams.lengths, strict=True):
        assert start + length <= len(texts[row])


def test_the_same_gram_hashes_to_the_same_column_in_any_text() -> None:
    one = char_grams(["傻逼"], (2, 2))
    two = char_grams(["你这个傻逼"], (2, 2))
    assert one.columns[0] in set(two.columns.tolist())


def test_chinese_highlights_are_character_runs_inside_the_text(models: LanguageModels) -> None:
    text = "你这个傻逼，滚出去"
    [score] = models.score([text], "zh")
    assert score.spans
    assert all(0 <= s.begin < s.end <= len(text) and s.end - s.begin <= 8 for s in score.spans)


def test_german_highlights_are_whole_words(models: LanguageModels) -> None:
    text = "Du bist ein dummes Arschloch"
    [score] = models.score([text], "de")
    words = {(0, 2), (3, 7), (8, 11), (12, 18), (19, 28)}
    assert score.spans and all((s.begin, s.end) in words for s in score.spans)


def test_the_artefact_round_trips_and_refuses_tampering(
    models: LanguageModels, tmp_path: Path
) -> None:
    import sklearn

    models.metadata["sklearn_version"] = sklearn.__version__
    registry = LanguageRegistry(tmp_path)
    registry.save(models)
    registry.promote(models.version)
    loaded = registry.ensure_current()
    texts = ["Du Idiot", "Danke für den Artikel"]
    assert np.allclose(loaded.models["de"].predict(texts), models.models["de"].predict(texts),
                       atol=1e-5)
    arrays = tmp_path / "languages" / models.version / "languages.npz"
    arrays.write_bytes(arrays.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(LanguageArtifactError):
        registry.load(models.version)


def test_the_evaluation_split_is_fixed_and_keeps_repeated_texts_together() -> None:
    rows = [Row(f"text {i % 50}", "toxic" if i % 3 else "ok", "s") for i in range(200)]
    train, held = evaluation_split(rows)
    assert (train, held) == evaluation_split(rows)
    assert not {rows[i].text for i in train} & {rows[i].text for i in held}
