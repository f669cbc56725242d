"""Which unlabelled comments would teach the model most (the review queue's 'informative' order).

'Most uncertain first' alone spends moderators' time on near-duplicates of one borderline
comment, and on oddities no later comment will resemble. A label teaches the most when:

- the model hesitates (its score sits near the flag line: either answer moves the adapter);
- the comment is new (unlike the comments already labelled: a near-copy of a labelled one
  teaches nothing more);
- the comment is typical (like many of the waiting comments: its label generalises to them).

``informativeness`` multiplies the three, each in [0, 1]. Similarity is the cosine of the
model's own character n-gram vectors (``ModelBundle.context_vectors``): no encoder needed.
``assess`` also orders the waiting comments greedily: after each pick the picked comment
counts as labelled for the novelty of the rest, so a near-copy of a pick drops down the order
(behind every comment that is worth more than a copy of a labelled one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from classifier.scoring import ModelBundle

TYPICALITY_FLOOR = 0.5  # an untypical comment keeps half its worth: oddities still get seen
# Cosine at or above which two comments count as alike: rewordings and near-copies (two
# unrelated news comments sit near 0.05, and 99.99 % of such pairs below 0.3).
ALIKE = 0.5
_CHUNK = 1000  # labelled texts compared at a time (bounds the dense similarity block)

# Per axis, each text's flag line (a probability): its site's line instead of the model's.
Lines = Mapping[str, Sequence[float]]


def _line_logits(bundle: ModelBundle, axis: str, count: int,
                 lines: Lines | None) -> np.ndarray:
    """The flag line of each text on one axis, as a logit."""
    flag = np.full(count, float(bundle.thresholds[axis]["flag"]))
    if lines is not None and axis in lines:
        flag = np.asarray(lines[axis], dtype=np.float64)
    flag = np.clip(flag, 1e-6, 1 - 1e-6)
    return np.asarray(np.log(flag / (1.0 - flag)))


def _hesitation(bundle: ModelBundle, texts: Sequence[str], axes: Sequence[str],
                lines: Lines | None = None) -> np.ndarray:
    """The highest hesitation over the axes (the texts are scored once)."""
    logits = bundle.predict_logits(texts)
    parts = [np.exp(-np.abs(logits[:, bundle.heads.index(axis)]
                            - _line_logits(bundle, axis, len(texts), lines)))
             for axis in axes]
    return np.asarray(np.max(parts, axis=0))


def hesitation(bundle: ModelBundle, texts: Sequence[str], axis: str,
               lines: Sequence[float] | None = None) -> np.ndarray:
    """1 on the flag line, falling towards 0 as the score's logit moves away from it.

    ``lines``: each text's flag line (its site's), else the model's recommended one.
    """
    return _hesitation(bundle, [str(t) for t in texts], [axis],
                       None if lines is None else {axis: lines})


def _closest(vectors: sp.csr_matrix, others: sp.csr_matrix) -> np.ndarray:
    """Each vector's highest similarity to any of the others (0 when there are none)."""
    closest = np.zeros(vectors.shape[0])
    for start in range(0, others.shape[0], _CHUNK):
        block = (vectors @ others[start:start + _CHUNK].T).toarray()
        closest = np.maximum(closest, block.max(axis=1))
    return np.asarray(np.clip(closest, 0.0, 1.0))


def novelty(bundle: ModelBundle, texts: Sequence[str], labelled: Sequence[str]) -> np.ndarray:
    """1 minus the highest similarity to any labelled comment (1 when nothing is labelled)."""
    if not labelled:
        return np.ones(len(texts))
    return 1.0 - _closest(bundle.context_vectors(texts), bundle.context_vectors(labelled))


def _typicality(similarity: np.ndarray) -> np.ndarray:
    """Mean similarity to the other texts, rescaled into [TYPICALITY_FLOOR, 1]."""
    n = len(similarity)
    if n < 2:
        return np.ones(n)
    mean = (similarity.sum(axis=1) - similarity.diagonal()) / (n - 1)
    top = float(mean.max())
    scaled = mean / top if top > 0 else np.ones(n)
    return np.asarray(TYPICALITY_FLOOR + (1.0 - TYPICALITY_FLOOR) * scaled)


def _similarity(bundle: ModelBundle, texts: Sequence[str]) -> np.ndarray:
    """The waiting texts' similarity to each other (dense: the ranked pool is bounded)."""
    vectors = bundle.context_vectors(texts)
    return np.asarray((vectors @ vectors.T).toarray(), dtype=np.float64)


def typicality(bundle: ModelBundle, texts: Sequence[str]) -> np.ndarray:
    """Mean similarity to the other waiting comments, rescaled into [TYPICALITY_FLOOR, 1]."""
    if len(texts) < 2:
        return np.ones(len(texts))
    return _typicality(_similarity(bundle, texts))


def informativeness(bundle: ModelBundle, texts: Sequence[str], labelled: Sequence[str] = (),
                    axes: Sequence[str] = ("spam", "toxicity")) -> np.ndarray:
    """How much a moderator's label on each waiting comment would teach, in [0, 1].

    ``labelled``: texts already labelled (e.g. the latest few thousand labels).
    """
    texts = [str(t) for t in texts]
    if not texts:
        return np.zeros(0)
    return np.asarray(_hesitation(bundle, texts, axes) * novelty(bundle, texts, list(labelled))
                      * typicality(bundle, texts))


@dataclass(frozen=True)
class Assessment:
    """Why each waiting text would teach the model, and the order to label them in."""

    hesitation: np.ndarray  # highest over the axes, in [0, 1]
    novelty: np.ndarray  # against the labelled texts only, in [0, 1]
    typicality: np.ndarray  # in [TYPICALITY_FLOOR, 1]
    alike: np.ndarray  # how many other waiting texts are alike (cosine >= ALIKE)
    order: list[int]  # indices, most informative first (greedy, see ``assess``)
    worth: np.ndarray  # each text's informativeness when it was picked


def assess(bundle: ModelBundle, texts: Sequence[str], labelled: Sequence[str] = (),
           axes: Sequence[str] = ("spam", "toxicity"), lines: Lines | None = None,
           limit: int | None = None) -> Assessment:
    """Score the waiting texts once and order them, most informative first.

    The order is greedy: after each pick, the picked text counts as labelled for the novelty
    of the rest, so a near-copy of a pick drops to where a copy of a labelled comment belongs
    (behind different comments, unless those are clear of every line). ``limit`` stops after
    that many picks.
    """
    texts = [str(t) for t in texts]
    n = len(texts)
    if not n:
        empty = np.zeros(0)
        return Assessment(empty, empty, empty, np.zeros(0, dtype=int), [], empty)
    hesitant = _hesitation(bundle, texts, axes, lines)
    similarity = _similarity(bundle, texts)
    typical = _typicality(similarity)
    closest = (_closest(bundle.context_vectors(texts), bundle.context_vectors(list(labelled)))
               if labelled else np.zeros(n))
    alike = (similarity >= ALIKE).sum(axis=1) - (similarity.diagonal() >= ALIKE)
    order: list[int] = []
    worth = np.zeros(n)
    current = closest.copy()
    for _ in range(n if limit is None else min(limit, n)):
        value = hesitant * (1.0 - np.clip(current, 0.0, 1.0)) * typical
        value[order] = -1.0
        best = int(np.argmax(value))
        order.append(best)
        worth[best] = value[best]
        current = np.maximum(current, similarity[best])
    return Assessment(hesitant, 1.0 - closest, typical, np.asarray(alike, dtype=int), order,
                      worth)


def most_informative(bundle: ModelBundle, texts: Sequence[str], k: int,
                     labelled: Sequence[str] = (),
                     axes: Sequence[str] = ("toxicity",)) -> list[int]:
    """Indices of k texts to label next, chosen greedily so each pick counts the ones before.

    After each pick the picked text joins ``labelled`` for the novelty of the rest, so a
    near-copy of a pick comes only after the comments worth more than a labelled copy.
    """
    return assess(bundle, texts, labelled, axes, limit=k).order
