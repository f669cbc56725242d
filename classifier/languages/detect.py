"""Language identification of one comment: offline, cheap, and unsure rather than wrong.

Scripts that belong to one language (Hangul, kana) or one family (Han) decide first; CLD2
(pycld2, Apache-2.0, about 20 microseconds a comment) decides the rest when it calls its own
answer reliable. When it does not (short texts, slang, emoji), the site's default language
breaks the tie only if the text could be in it: English is checked against a word list, so an
unsure Latin-script text that is not English (transliterated Russian, Portuguese slang) comes
back ``und`` and goes to the site's policy instead of the English model.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pycld2

from classifier.languages.words import WORD, english_words

UNDETERMINED = "und"
# CLD2 still answers with a few retired or regional codes; ISO 639-1 is the contract.
_CODE_FIXES = {"iw": "he", "jw": "jv", "in": "id", "mo": "ro", "zh-Hant": "zh"}
_NOISE = re.compile(r"@\w+|https?://\S+|www\.\S+|\S+@\S+\.\w+|\|LBR\|")
# _NOISE cannot match a text without one of these: most comments skip it (its e-mail
# alternative backtracks over every word).
_NOISE_MARKS = ("@", "://", "www.", "|LBR|")
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A script counts when it holds this share of a text's letters ("这篇文章 is rubbish" is Chinese).
SCRIPT_SHARE = 0.3
# Share of a Latin-script text's words that must be English for an unsure text to count as English.
ENGLISH_SHARE = 0.7
# An unsure text with fewer letters than this takes the site's default language (too short to tell).
SHORT_LETTERS = 12
OTHER_DEFAULT_LETTERS = 40


@dataclass(frozen=True)
class Detection:
    """A comment's language (ISO 639-1 or ``und``), how sure we are, and what else it holds."""

    language: str
    confidence: float
    languages: tuple[str, ...] = ()  # every language found, main one first (code-switching)

    @property
    def detected(self) -> tuple[str, ...]:
        """What to report as the detected languages (never empty)."""
        return self.languages or (self.language,)


_SCRIPTS = {
    "hangul": re.compile("[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]"),
    "kana": re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]"),
    "han": re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff]"),
}
_LETTER = re.compile(r"[^\W\d_]")
_ASCII_NON_LETTERS = bytes(b for b in range(128) if not chr(b).isalpha())
_LATIN = re.compile("[a-zA-Z\u00c0-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]")


def _without_noise(text: str) -> str:
    """The text without mentions, links, e-mail addresses and line-break markers."""
    if any(mark in text for mark in _NOISE_MARKS):
        return _NOISE.sub(" ", text)
    return text


def _script_counts(text: str) -> dict[str, int]:
    """Letters in all, and per script family: hangul, kana, han, latin (regexes: C speed)."""
    if text.isascii():  # most comments: every letter is Latin, counted in one C pass
        letters = len(text.encode("ascii").translate(None, _ASCII_NON_LETTERS))
        return {"letters": letters, "latin": letters, "hangul": 0, "kana": 0, "han": 0}
    letters = len(_LETTER.findall(text))
    if not letters:
        return {"letters": 0, "latin": 0, "hangul": 0, "kana": 0, "han": 0}
    latin = len(_LATIN.findall(text))
    counts = {"letters": letters, "latin": latin, "hangul": 0, "kana": 0, "han": 0}
    if latin < letters:  # an ASCII-only comment (most of them) skips the other scans
        for script, pattern in _SCRIPTS.items():
            counts[script] = len(pattern.findall(text))
    return counts


def _by_script(counts: dict[str, int]) -> Detection | None:
    """Korean, Japanese or Chinese when their script carries the text, else None."""
    letters = counts["letters"]
    if counts["kana"] and (counts["kana"] + counts["han"]) >= SCRIPT_SHARE * letters:
        return Detection("ja", (counts["kana"] + counts["han"]) / letters)
    for script, language in (("hangul", "ko"), ("han", "zh")):
        if counts[script] >= SCRIPT_SHARE * letters:
            return Detection(language, counts[script] / letters)
    return None


def _cld2(text: str) -> tuple[bool, list[tuple[str, int]]]:
    """CLD2's reliability flag and (ISO code, percent) of each language it found."""
    clean = _UNSAFE.sub(" ", text).encode("utf-8", "ignore").decode("utf-8")
    try:
        reliable, _, found = pycld2.detect(clean, bestEffort=False)
    except pycld2.error:  # what the cleaning above missed; never a 500 on a comment
        return False, []
    codes = []
    for _, code, percent, _ in found:
        code = _CODE_FIXES.get(code, code)
        if code != "un" and len(code) == 2 and percent > 0:
            codes.append((code, int(percent)))
    return bool(reliable), codes


def english_share(text: str) -> float:
    """Share of the words of ``text`` that are common English words (0 when it has none)."""
    words = WORD.findall(text.lower())
    if not words:
        return 0.0
    known = english_words()
    return sum(w in known for w in words) / len(words)


def _unsure(text: str, counts: dict[str, int], default: str,
            found: list[tuple[str, int]]) -> Detection:
    """CLD2 is unsure: the default language if the text could be in it, else ``und``."""
    languages = tuple(code for code, _ in found)
    letters = counts["letters"]
    if default == "en" and counts["latin"] >= letters / 2:
        share = english_share(text)
        if share >= ENGLISH_SHARE:
            return Detection("en", round(share, 3), languages)
    # Without a word list for the default language, a text of a site with another default is
    # given the benefit of the doubt for longer: its readers mostly write that language.
    short = SHORT_LETTERS if default == "en" else OTHER_DEFAULT_LETTERS
    if letters < short and default != UNDETERMINED:
        return Detection(default, 0.0, languages)
    return Detection(UNDETERMINED, 0.0, languages)


def detect_language(text: str, default: str = "en") -> Detection:
    """Detect the language of one comment.

    ``default`` is the site's default language (``und`` for none): the answer for a text with
    no letters (emoji, numbers) and the tie-breaker for a short text CLD2 cannot place.
    """
    if not isinstance(text, str):
        text = str(text)
    text = _without_noise(text[:2000])
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    counts = _script_counts(text)
    if not counts["letters"]:
        return Detection(default or UNDETERMINED, 0.0)
    by_script = _by_script(counts)
    reliable, found = _cld2(text)
    languages = tuple(code for code, _ in found)
    if by_script is not None:
        others = tuple(c for c in languages if c != by_script.language)
        return Detection(by_script.language, round(by_script.confidence, 3),
                         (by_script.language, *others))
    if reliable and found:
        return Detection(found[0][0], found[0][1] / 100, languages)
    return _unsure(text, counts, default or UNDETERMINED, found)


def detect_languages(texts: list[str], defaults: list[str]) -> list[Detection]:
    """Detect each text's language with its own site's default language."""
    return [detect_language(t, d) for t, d in zip(texts, defaults, strict=True)]
