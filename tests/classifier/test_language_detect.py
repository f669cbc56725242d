"""Language identification: right on clear texts, unsure (never confidently wrong) otherwise."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from classifier.languages import UNDETERMINED, detect, detect_language


@pytest.mark.parametrize(("text", "language"), [
    ("Эта статья полная чушь, автор идиот", "ru"),
    ("Das ist eine sehr gute Analyse der Lage, vielen Dank für den Artikel.", "de"),
    ("Essa matéria é muito boa, parabéns ao jornal pela cobertura.", "pt"),
    ("这篇文章写得很好", "zh"),
    ("이 기사 정말 좋네요", "ko"),
    ("この記事はひどい", "ja"),
    ("Este artículo es una basura total, el autor no sabe nada", "es"),
    ("Great article, thanks for explaining the budget so clearly.", "en"),
])
def test_clear_texts_get_their_language(text: str, language: str) -> None:
    assert detect_language(text).language == language


def test_code_switching_keeps_the_script_that_carries_the_text_and_lists_both() -> None:
    detection = detect_language("这篇文章 is rubbish")
    assert detection.language == "zh"
    assert "en" in detection.detected


@pytest.mark.parametrize("text", ["👍👍👍", "12345", "!!!", "🙂 🙃"])
def test_texts_without_letters_take_the_sites_default(text: str) -> None:
    assert detect_language(text, "de").language == "de"
    assert detect_language(text, UNDETERMINED).language == UNDETERMINED


def test_short_unsure_texts_take_the_default_but_unsure_foreign_text_is_undetermined() -> None:
    assert detect_language("lol ok", "en").language == "en"
    assert detect_language("Super!", "de").language == "de"
    # unsure Portuguese slang on an English site is not waved through as English
    assert detect_language("vão se foder po", "en").language != "en"


@pytest.mark.parametrize("text", [
    "eta statya polnaya chush, avtor idiot",
    "ty polnyi idiot i tvoya statya gavno",
])
def test_transliterated_russian_is_never_taken_for_english(text: str) -> None:
    assert detect_language(text, "en").language != "en"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=600), st.sampled_from(["en", "de", UNDETERMINED]))
def test_any_text_gets_an_iso_code_or_und_without_raising(text: str, default: str) -> None:
    detection = detect_language(text, default)
    assert detection.language == UNDETERMINED or (
        len(detection.language) == 2 and detection.language.isalpha())
    assert 0.0 <= detection.confidence <= 1.0


# The shortcuts of detection (no noise regex without its marks, ASCII letters counted in one
# pass) answer exactly what the regexes answer, on any text and on texts full of the marks.
NOISY_TEXT = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.sampled_from(["@", "://", "http://", "https://", "www.", "|LBR|", ".org", " ", "é"]),
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300)
@example("read https://example.org/a first")
@example("write to a.reader@example.org")
@example("@editor www.example.org|LBR|thanks")
@given(st.one_of(NOISY_TEXT, st.text(max_size=200), st.from_regex(r"[ -~]{0,200}", fullmatch=True)))
def test_the_shortcuts_count_and_clean_exactly_as_the_regexes(text: str) -> None:
    assert detect._without_noise(text) == detect._NOISE.sub(" ", text)
    letters = len(detect._LETTER.findall(text))
    counts = detect._script_counts(text)
    assert counts["letters"] == letters
    if letters:
        assert counts["latin"] == len(detect._LATIN.findall(text))
    if text.isascii():
        assert all(counts[script] == 0 for script in detect._SCRIPTS)
