"""Spam signals that do not depend on the language: links, contact details, money, repetition.

A comment in German or Korean is not read by the English spam head (its n-grams are English);
these few counts, weighted by a logistic regression fitted on the spam sets and on ordinary
comments of every language, apply to all of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classifier.normalize import EMAIL_TOKEN, MONEY_TOKEN, PHONE_TOKEN, URL_TOKEN, normalize

SIGNALS = ("links", "emails", "phones", "money", "repeated_words", "repeated_chars",
           "digits", "capitals", "exclamations", "length")
_TOKENS = {name: token.strip() for name, token in
           (("links", URL_TOKEN), ("emails", EMAIL_TOKEN), ("phones", PHONE_TOKEN),
            ("money", MONEY_TOKEN))}
_RUN = re.compile(r"(.)\1{3,}")


def signals(text: str) -> list[float]:
    """The language-free signals of one comment, each scaled to about [0, 1]."""
    text = text[:2000]
    words = normalize(text).split()
    counted = [min(words.count(token), 3) / 3 for token in _TOKENS.values()]
    repeated = 1 - len(set(words)) / len(words) if len(words) >= 4 else 0.0
    runs = max((len(m.group(0)) for m in _RUN.finditer(text)), default=0)
    letters = [c for c in text if c.isalpha()]
    capitals = sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
    digits = sum(c.isdigit() for c in text) / len(text) if text else 0.0
    return [*counted, repeated, min(runs, 10) / 10, digits, capitals,
            min(text.count("!"), 5) / 5, math.log1p(len(text)) / math.log(501)]


def signal_matrix(texts: Sequence[str]) -> np.ndarray:
    """Signals of many comments, one row each."""
    return np.array([signals(t) for t in texts], dtype=np.float64).reshape(-1, len(SIGNALS))


@dataclass
class SpamSignals:
    """A logistic regression over ``SIGNALS`` with its recommended lines."""

    coef: np.ndarray
    intercept: float
    thresholds: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probability that each comment is spam."""
        if not texts:
            return np.zeros(0)
        z = signal_matrix(texts) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50, 50))))
