"""Perspective-style attributes derived from the heads we train, each with a stated rule.

We have no labelled data for severe toxicity, insults or threats in English (the Jigsaw copy we
ship kept only its `toxic` column), so these are not learnt heads: each is the toxicity head's
probability shaped by something it does not see on its own. docs/model.md gives the rules, what
they were checked against and what could not be evaluated.
"""

from __future__ import annotations

import re

from classifier.scoring import Score

# Who a remark is aimed at: the reader ("you") or a named person or group of people.
_TARGET = re.compile(
    r"\b(?:you|your|youre|you're|u|ur|ya|yourself|thou|he|she|him|her|his|hes|he's|shes|she's|"
    r"they|them|their|theyre|they're|author|writer|reporter|journalist|editor|guy|man|woman|"
    r"people|person)\b",
    re.IGNORECASE,
)
_VIOLENCE = r"(?:kill|murder|shoot|stab|hurt|burn|hang|strangle|choke|rape|bomb|punch)"
# A statement of intent or wish to harm someone; plain violent vocabulary ("the war killed
# thousands") is not a threat.
_THREAT = re.compile(
    r"\b(?:i|we|im|i'm|ill|i'll|we'll)\s+(?:will\s+|shall\s+|am\s+|are\s+|gonna\s+|going\s+to\s+|"
    r"want\s+to\s+|wanna\s+|would\s+|should\s+)*(?:\w+\s+){0,1}" + _VIOLENCE + r"\w*\b"
    r"|\b" + _VIOLENCE + r"\s+(?:you|u|ya|yourself|him|her|them)\b"
    r"|\b(?:you|u)\s+(?:will|should|deserve\s+to|better|gonna|are\s+going\s+to)\s+"
    r"(?:\w+\s+){0,1}(?:die|be\s+killed|be\s+shot|suffer|hang|burn|pay)\b"
    r"|\bhope\s+(?:you|u|he|she|they)\s+(?:\w+\s+){0,1}(?:die|dies|suffer|suffers|burn|burns)\b"
    r"|\bi\s+know\s+where\s+(?:you|u)\s+live\b|\bwatch\s+your\s+back\b|\bkys\b",
    re.IGNORECASE,
)

UNTARGETED_INSULT = 0.6  # an insult needs a target; untargeted abuse keeps 60 % of its toxicity
THREAT_FLOOR = (
    0.3  # stated intent to harm, in a text the toxicity head finds civil ("we will beat them")
)
UNSTATED_THREAT = 0.2  # toxic text without such a sentence is rarely a threat


def severe_toxicity(score: Score) -> float:
    """Toxicity confirmed by the tweet heads: high only where hateful or offensive too."""
    confirming = max(
        score.attributes.get("hate_speech", 0.0), score.attributes.get("offensive", 0.0)
    )
    return round(score.toxicity * confirming, 6)


def insult(text: str, score: Score) -> float:
    """Toxicity aimed at a person: full when the text names a target, reduced otherwise."""
    factor = 1.0 if _TARGET.search(text) else UNTARGETED_INSULT
    return round(score.toxicity * factor, 6)


def threat(text: str, score: Score) -> float:
    """A stated intent or wish to harm someone, scaled by toxicity; otherwise a small share."""
    if _THREAT.search(text):
        return round(THREAT_FLOOR + (1 - THREAT_FLOOR) * score.toxicity, 6)
    return round(UNSTATED_THREAT * score.toxicity, 6)


def states_threat(text: str) -> bool:
    """Whether the text holds a sentence of the threat pattern (for evaluation and tests)."""
    return bool(_THREAT.search(text))
