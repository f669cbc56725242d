"""Function words: never highlighted as the reason for a score.

They carry weight only through the phrases around them ("you are"), and a moderator reads a
highlighted "is" as noise. scikit-learn's list, less the content words it also holds (its
documentation names the list's known oddities).
"""

from __future__ import annotations

import re

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

FUNCTION_WORDS = ENGLISH_STOP_WORDS - {
    "bill", "bottom", "call", "cry", "detail", "empty", "fill", "find", "fire", "found", "free",
    "front", "full", "give", "interest", "mill", "move", "show", "sincere", "system", "thick",
    "thin", "top",
}  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9']+")  # the word part of features.analyze's token pattern


def is_function_word(word: str) -> bool:
    """Whether a whitespace-separated, normalised word is only function words ("you're", "is,")."""
    tokens = [part for t in _TOKEN.findall(word) for part in t.split("'") if part]
    return bool(tokens) and all(t in FUNCTION_WORDS for t in tokens)
