"""Which unlabelled comments would teach the model most (the review queue's 'informative' order).

'Most uncertain first' alone spends moderators' time on near-duplicates of one borderline
comment, and on oddities no later comment will resemble. A label teaches the most when:

- the model hesitates (its score sits near the flag line: either answer moves the adapter);
- the comment is new (unlike the comments already labelled: a near-copy of a labelled one
  teaches nothing more);
- the comment is typical (like many of the waiting comments: its label generalises to them).

``informativeness`` multiplies the three, each in [0, 1]. Similarity is the cosine of the
model's own character n-gram vectors (``ModelBundle.context_vectors``): no encoder needed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifier.scoring import ModelBundle

TYPICALITY_FLOOR = 0.5  # an untypical comment keeps half its worth: oddities still get seen


def hesitation(bundle: ModelBundle, texts: Sequence[str], axis: str) -> np.ndarray:
    """1 on the flag line, falling towards 0 as the score's logit moves away from it."""
    logits = bundle.predict_logits(texts)[:, bundle.heads.index(axis)]
    flag = float(np.clip(bundle.thresholds[axis]["flag"], 1e-6, 1 - 1e-6))
    line = np.log(flag / (1.0 - flag))
    return np.asarray(np.exp(-np.abs(logits - line)))


def novelty(bundle: ModelBundle, texts: Sequence[str], labelled: Sequence[str]) -> np.ndarray:
    """1 minus the highest similarity to any labelled comment (1 when nothing is labelled)."""
    if not labelled:
        return np.ones(len(texts))
    similarity = bundle.context_vectors(texts) @ bundle.context_vectors(labelled).T
    return np.asarray(1.0 - np.clip(similarity.max(axis=1).toarray().ravel(), 0.0, 1.0))


def typicality(bundle: ModelBundle, texts: Sequence[str]) -> np.ndarray:
    """Mean similarity to the other waiting comments, rescaled into [TYPICALITY_FLOOR, 1]."""
    if len(texts) < 2:
        return np.ones(len(texts))
    vectors = bundle.context_vectors(texts)
    mean = (np.asarray((vectors @ vectors.T).sum(axis=1)).ravel() - 1.0) / (len(texts) - 1)
    top = float(mean.max())
    scaled = mean / top if top > 0 else np.ones(len(texts))
    return np.asarray(TYPICALITY_FLOOR + (1.0 - TYPICALITY_FLOOR) * scaled)


def informativeness(bundle: ModelBundle, texts: Sequence[str], labelled: Sequence[str] = (),
                    axes: Sequence[str] = ("spam", "toxicity")) -> np.ndarray:
    """How much a moderator's label on each waiting comment would teach, in [0, 1].

    ``labelled``: texts already labelled (e.g. the latest few thousand labels). The hook for
    the review queue: score the waiting comments and sort by this, highest first.
    """
    texts = [str(t) for t in texts]
    if not texts:
        return np.zeros(0)
    hesitant = np.max([hesitation(bundle, texts, axis) for axis in axes], axis=0)
    return np.asarray(hesitant * novelty(bundle, texts, list(labelled))
                      * typicality(bundle, texts))


def most_informative(bundle: ModelBundle, texts: Sequence[str], k: int,
                     labelled: Sequence[str] = (),
                     axes: Sequence[str] = ("toxicity",)) -> list[int]:
    """Indices of k texts to label next, chosen greedily so each pick counts the ones before.

    After each pick the picked text joins ``labelled`` for the novelty of the rest, so a
    batch never holds two near-copies.
    """
    chosen: list[int] = []
    known = list(labelled)
    hesitant = np.max([hesitation(bundle, texts, axis) for axis in axes], axis=0)
    typical = typicality(bundle, texts)
    vectors = bundle.context_vectors(texts)
    closest = np.zeros(len(texts))
    if known:
        closest = np.asarray((vectors @ bundle.context_vectors(known).T).max(axis=1)
                             .toarray().ravel())
    for _ in range(min(k, len(texts))):
        worth = hesitant * (1.0 - np.clip(closest, 0.0, 1.0)) * typical
        worth[chosen] = -1.0
        best = int(np.argmax(worth))
        chosen.append(best)
        closest = np.maximum(closest, np.asarray((vectors @ vectors[best].T).toarray().ravel()))
    return chosen
