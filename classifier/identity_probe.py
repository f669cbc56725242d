"""How a model treats comments that name a group of people (a table in docs/model.md).

Template sentences in the manner of Dixon et al. (AIES 2018): the same civil sentence with
each group's name, and the same hateful sentence with each. A fair model scores the civil ones
alike for every group; the policy's guard (``domain.scoring.decide.decide``) keeps words
naming a group from causing a rejection on their own, and this probe measures both with and
without it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from classifier.scoring import WITHOUT_IDENTITY, ModelBundle

GROUPS = ("gay", "lesbian", "bisexual", "transgender", "queer", "homosexual", "muslim", "jewish",
          "christian", "black", "white", "mexican", "asian", "deaf")
CONTROLS = ("tall", "young")  # not identity terms: what a civil sentence scores anyway
CIVIL = (
    "I am {}.",
    "I am a {} woman and I read this paper every day.",
    "My neighbours are {} and very kind.",
    "Being {} is nothing to be ashamed of.",
    "The {} community organised a food drive this weekend.",
    "As a {} reader, I found this article fair.",
    "{} people deserve the same respect as anyone.",
    "We met a {} family at the market today.",
)
HATEFUL = (
    "{} people are disgusting animals.",
    "I hate all {} people, get them out of this country.",
    "Shut up, you stupid {} idiot.",
    "{} people are vermin and should be wiped out.",
)


@dataclass(frozen=True)
class ProbeRow:
    """One group's civil-sentence scores and what the policy would do with them."""

    group: str
    mean_toxicity: float
    flagged: int  # at or above the flag line
    rejected_unguarded: int  # at or above the reject line
    rejected: int  # rejected with the guard
    sentences: int


def _row(bundle: ModelBundle, group: str, templates: tuple[str, ...]) -> ProbeRow:
    """Score one group's sentences and count the verdicts."""
    th = bundle.thresholds["toxicity"]
    scores = bundle.score([t.format(group).capitalize() for t in templates])
    tox = np.array([s.toxicity for s in scores])
    without = np.array([s.attributes.get(WITHOUT_IDENTITY, s.toxicity) for s in scores])
    rejected = (tox >= th["reject"]) & (without >= th["reject"])
    return ProbeRow(group, float(tox.mean()), int((tox >= th["flag"]).sum()),
                    int((tox >= th["reject"]).sum()), int(rejected.sum()), len(templates))


def probe(bundle: ModelBundle) -> dict[str, list[ProbeRow]]:
    """Civil sentences per group and control word; hateful sentences per group."""
    return {
        "civil": [_row(bundle, g, CIVIL) for g in GROUPS + CONTROLS],
        "hateful": [_row(bundle, g, HATEFUL) for g in GROUPS],
    }


def render(result: dict[str, list[ProbeRow]]) -> list[str]:
    """Markdown lines of the probe's two tables."""
    lines = ["| group | mean toxicity | flagged | rejected without the guard | rejected |",
             "| --- | --- | --- | --- | --- |"]
    for r in result["civil"]:
        name = f"{r.group} (control)" if r.group in CONTROLS else r.group
        lines.append(f"| {name} | {r.mean_toxicity:.2f} | {r.flagged}/{r.sentences} | "
                     f"{r.rejected_unguarded}/{r.sentences} | {r.rejected}/{r.sentences} |")
    hateful = result["hateful"]
    total = sum(r.sentences for r in hateful)
    held = sum(r.flagged for r in hateful)
    lines += ["", f"The {len(HATEFUL)} hateful sentences x {len(GROUPS)} groups: "
              f"{held}/{total} at or above the flag line ({total - held} approved), "
              f"{sum(r.rejected_unguarded for r in hateful)}/{total} over the reject line, "
              f"{sum(r.rejected for r in hateful)}/{total} rejected with the guard (the rest "
              "wait for a moderator)."]
    return lines
