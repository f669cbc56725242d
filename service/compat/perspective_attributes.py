"""The Perspective attributes we answer, how each is scored, and the languages each serves.

A language check asks `serves(name, languages)`; each attribute carries its own list, so a
per-attribute list of supported languages can replace the English-only default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from classifier import Score
from domain.scoring import derived

ENGLISH = ("en",)


@dataclass(frozen=True)
class Attribute:
    """A Perspective attribute: how to read it from a score, whose spans explain it, languages."""

    name: str
    value: Callable[[str, Score], float]
    span_axis: str = "toxicity"
    languages: tuple[str, ...] = ENGLISH


def _attribute(head: str) -> Callable[[str, Score], float]:
    """Reads one sub-head of the model (`hate_speech`, `offensive`)."""
    return lambda _text, score: float(score.attributes[head])


ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("TOXICITY", lambda _t, s: float(s.toxicity)),
        Attribute("SEVERE_TOXICITY", lambda _t, s: derived.severe_toxicity(s)),
        Attribute("IDENTITY_ATTACK", _attribute("hate_speech")),
        Attribute("INSULT", derived.insult),
        Attribute("PROFANITY", _attribute("offensive")),
        Attribute("THREAT", derived.threat),
        Attribute("SPAM", lambda _t, s: float(s.spam), span_axis="spam"),
    )
}


def serves(name: str, languages: list[str]) -> bool:
    """Whether we score attribute `name` for every requested language (none sent: English)."""
    attribute = ATTRIBUTES.get(name)
    if attribute is None:
        return False
    codes = [code.split("-")[0].lower() for code in languages] or ["en"]
    return all(code in attribute.languages for code in codes)
