"""Article context: how much a comment resembles the approved comments of its own article.

Comment spam on a page is often off-topic: a self-promotion, a chain message or a troll that
says nothing about the article. A comment's own words cannot tell that, but the comments
already approved on the same article can: on-topic comments share their words. The signal is
the mean cosine similarity (char n-gram TF-IDF block) between a comment and its ``k`` nearest
reference comments of the same article, posted before it: the approved comments whose spam
score is confidently low (or that a moderator approved). Approved template spam the model
missed ("like this comment if you're watching in 2015") would otherwise make its own copies
look on-topic. Standardised with the training rows' mean and spread, and capped on the
reassuring side, it becomes one more input of the spam head's calibration, so its weight is
learnt on out-of-fold scores like the blend of the other inputs.

A comment with fewer than ``k`` earlier reference comments on its article gets no adjustment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize as l2_normalize

# The most recent approved comments of an article that a comment is compared with: fewer
# made the signal noisier (LMFAO's held-out AUC fell as the window shrank to 50 and 20).
REFERENCE_LIMIT = 200
# A worker keeps a reference comment as its strongest char n-grams (rescaled to unit length);
# training compares with whole vectors. A news comment has ~650 distinct n-grams on average
# (5 KB a vector): a worker could then hold the references of only ~30 busy articles and
# re-vectorised them batch after batch (18-28 ms of CPU a comment); at 128 it holds about four
# times as many. Held-out videos' spam ROC AUC, replayed with references cut so, moved by at
# most 0.0005 (docs/model.md, "Article context").
REFERENCE_TERMS = 128
# Chosen per model by the out-of-fold ROC AUC on the training rows, as the weight is learnt.
NEIGHBOUR_CHOICES = (3, 5, 10)
REFERENCE_MAX_SPAM_CHOICES = (0.1, 0.2, 0.3)
MAX_REASSURANCE_CHOICES = (0.5, 1.0, 2.0, float("inf"))


@dataclass(frozen=True)
class ArticleContext:
    """The fitted context term of a head: neighbours, standardisation and weight (logits)."""

    neighbours: int
    mean: float
    std: float
    weight: float
    reference_max_spam: float  # approved comments above this spam score are no reference
    # similarity counts towards ham up to this many standard deviations above the mean
    max_reassurance: float = np.inf
    reference_limit: int = REFERENCE_LIMIT

    @classmethod
    def from_metadata(cls, data: dict[str, Any] | None) -> ArticleContext | None:
        """The context term recorded in a model's metadata, if it has one."""
        if not data:
            return None
        return cls(int(data["neighbours"]), float(data["mean"]), float(data["std"]),
                   float(data["weight"]), float(data["reference_max_spam"]),
                   float(data.get("max_reassurance") or np.inf),
                   int(data.get("reference_limit", REFERENCE_LIMIT)))

    def as_metadata(self) -> dict[str, Any]:
        """JSON-ready fields for metadata.json."""
        return {"neighbours": self.neighbours, "mean": round(self.mean, 6),
                "std": round(self.std, 6), "weight": round(self.weight, 6),
                "reference_max_spam": self.reference_max_spam,
                "max_reassurance": None if np.isinf(self.max_reassurance) else self.max_reassurance,
                "reference_limit": self.reference_limit}

    def standardized(self, similarity: np.ndarray) -> np.ndarray:
        """Similarities in training standard deviations; 0 (no effect) where unknown."""
        z = np.nan_to_num((similarity - self.mean) / self.std, nan=0.0)
        return np.minimum(z, self.max_reassurance)

    def logit_shift(self, similarity: np.ndarray) -> np.ndarray:
        """What the context adds to the head's logit (positive for an off-topic comment)."""
        return self.weight * self.standardized(similarity)


CompactRow = tuple[np.ndarray, np.ndarray]  # one context vector: int32 columns, float32 values


def compact_row(vectors: sp.csr_matrix, i: int) -> CompactRow:
    """Row i of context vectors as a reference keeps it (``strongest_terms``, 32-bit types)."""
    start, end = vectors.indptr[i], vectors.indptr[i + 1]
    indices, data = vectors.indices[start:end], vectors.data[start:end]
    if end - start > REFERENCE_TERMS:
        kept = _strongest_positions(data, REFERENCE_TERMS)
        indices, data = indices[kept], data[kept] / np.linalg.norm(data[kept])
    return indices.astype(np.int32), data.astype(np.float32)


def stacked_rows(rows: Sequence[CompactRow], dimensions: int) -> ReferenceSet:
    """A ReferenceSet of kept rows (``compact_row``), in their order."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(indices) for indices, _ in rows], out=indptr[1:])
    return ReferenceSet(sp.csr_matrix(
        (np.concatenate([data for _, data in rows]),
         np.concatenate([indices for indices, _ in rows]), indptr),
        shape=(len(rows), dimensions),
    ))


def strongest_terms(rows: sp.spmatrix, terms: int = REFERENCE_TERMS) -> sp.csr_matrix:
    """Each row cut to its ``terms`` largest values and rescaled to unit length (rows with
    fewer are returned as they are), so that cutting twice is cutting once."""
    rows = sp.csr_matrix(rows)
    lengths = np.diff(rows.indptr)
    long_rows = np.flatnonzero(lengths > terms)
    if not len(long_rows):
        return rows
    keep = np.ones(rows.nnz, dtype=bool)
    scale = np.ones(rows.shape[0])
    for i in long_rows:
        start, end = rows.indptr[i], rows.indptr[i + 1]
        kept = _strongest_positions(rows.data[start:end], terms)
        keep[start:end] = False
        keep[start + kept] = True
        scale[i] = 1.0 / max(float(np.linalg.norm(rows.data[start + kept])), 1e-12)
    kept_lengths = np.minimum(lengths, terms)
    indptr = np.concatenate([[0], np.cumsum(kept_lengths)])
    data = rows.data[keep] * np.repeat(scale, kept_lengths)
    return sp.csr_matrix((data, rows.indices[keep], indptr), shape=rows.shape)


def _strongest_positions(values: np.ndarray, terms: int) -> np.ndarray:
    """Positions of the ``terms`` largest values, in their original order (ties: always the
    same choice, so a row kept by ``compact_row`` equals the one ``strongest_terms`` keeps)."""
    return np.sort(np.argpartition(values, len(values) - terms)[len(values) - terms:])


def context_vectors(tfidf_char_block: sp.csr_matrix) -> sp.csr_matrix:
    """Unit-length rows of the char n-gram block: the space comments are compared in."""
    return sp.csr_matrix(l2_normalize(tfidf_char_block, copy=True))


class ReferenceSet:
    """Reference rows prepared for repeated comparison: kept in the compact space of the
    columns they use, so memory and work follow their non-zeros, not the vocabulary's size
    (a transposed 200k-column matrix would carry a 200k-entry index array)."""

    def __init__(self, rows: sp.spmatrix) -> None:
        rows = sp.csr_matrix(rows)
        self.size = rows.shape[0]
        self.columns, local = np.unique(rows.indices, return_inverse=True)
        compact = sp.csr_matrix((rows.data, local.reshape(-1), rows.indptr),
                                shape=(self.size, len(self.columns)))
        self._transposed = compact.T.tocsr()  # (used columns x rows), row-major

    @property
    def nbytes(self) -> int:
        """Memory held."""
        t = self._transposed
        return int(self.columns.nbytes + t.data.nbytes + t.indices.nbytes + t.indptr.nbytes)

    def similarities(self, probes: sp.csr_matrix) -> np.ndarray:
        """Dot products of each probe row with each reference row, shape (probes, size)."""
        last = max(len(self.columns) - 1, 0)
        position = np.minimum(np.searchsorted(self.columns, probes.indices), last)
        shared = (self.columns[position] == probes.indices) if len(self.columns) else (
            np.zeros(len(probes.indices), dtype=bool))  # columns no reference row uses add 0
        kept_before = np.concatenate([[0], np.cumsum(shared)])
        compact = sp.csr_matrix(
            (probes.data[shared], position[shared], kept_before[probes.indptr]),
            shape=(probes.shape[0], len(self.columns)),
        )
        return np.asarray((compact @ self._transposed).toarray())


def as_reference_set(reference: sp.spmatrix | ReferenceSet | None,
                     limit: int | None = None) -> ReferenceSet | None:
    """A ReferenceSet of a matrix's last ``limit`` rows (a ReferenceSet or None as given)."""
    if reference is None or isinstance(reference, ReferenceSet):
        return reference
    return ReferenceSet(reference[-limit:] if limit and reference.shape[0] > limit else reference)


def nearest_similarity(vectors: sp.csr_matrix, references: Sequence[ReferenceSet | None],
                       neighbours: int) -> np.ndarray:
    """Mean similarity of each row to its ``neighbours`` most similar reference rows.

    ``references[i]`` holds the comparison rows of ``vectors[i]`` (None: none); a row with
    fewer than ``neighbours`` references gets NaN. Rows sharing one reference set (the
    comments of one article in a batch) are compared with it in one sparse product.
    """
    out = np.full(vectors.shape[0], np.nan)
    sharing: dict[int, tuple[ReferenceSet, list[int]]] = {}
    for i, reference in enumerate(references):
        if reference is not None and reference.size >= neighbours:
            sharing.setdefault(id(reference), (reference, []))[1].append(i)
    for reference, rows in sharing.values():
        similarities = reference.similarities(vectors[rows])
        nearest = np.partition(similarities, -neighbours, axis=1)[:, -neighbours:]
        out[rows] = nearest.mean(axis=1)
    return out


def earlier_references(groups: Sequence[str], posted_at: Sequence[str], reference: np.ndarray,
                       limit: int = REFERENCE_LIMIT) -> list[np.ndarray | None]:
    """For each row, the reference rows of its group posted before it (the last ``limit``).

    Rows without a group (no article) get None. Ties in ``posted_at`` keep the input order.
    """
    out: list[np.ndarray | None] = [None] * len(groups)
    for members in _group_members(groups):
        order = sorted(members, key=lambda i: posted_at[i])
        seen: list[int] = []
        for i in order:
            out[i] = np.asarray(seen[-limit:], dtype=np.int64)
            if reference[i]:
                seen.append(i)
    return out


def _group_members(groups: Sequence[str]) -> Iterable[list[int]]:
    """Row positions per non-empty group, in first-seen order."""
    members: dict[str, list[int]] = {}
    for i, group in enumerate(groups):
        if group:
            members.setdefault(group, []).append(i)
    return members.values()


def sequential_similarity(vectors: sp.csr_matrix, groups: Sequence[str],
                          posted_at: Sequence[str], reference: np.ndarray, neighbours: int,
                          limit: int = REFERENCE_LIMIT, chunk: int = 256) -> np.ndarray:
    """``nearest_similarity`` of each row against the earlier reference rows of its group.

    Rows are taken ``chunk`` at a time in their group's time order and compared, in one sparse
    product, with every reference any of them may see (at most ``limit`` + ``chunk`` rows of a
    group): a ``ReferenceSet`` built per row cost 90 % of a small model's training.
    """
    out = np.full(vectors.shape[0], np.nan)
    earlier = earlier_references(groups, posted_at, reference, limit)
    in_time_order = [i for members in _group_members(groups)
                     for i in sorted(members, key=lambda i: posted_at[i])]
    references = {i: found for i in in_time_order
                  if (found := earlier[i]) is not None and len(found) >= neighbours}
    rows = list(references)
    for start in range(0, len(rows), chunk):
        part = rows[start:start + chunk]
        seen = np.unique(np.concatenate([references[i] for i in part]))
        similarities = (vectors[part] @ vectors[seen].T).toarray()
        for k, i in enumerate(part):
            mine = similarities[k, np.searchsorted(seen, references[i])]
            out[i] = np.partition(mine, -neighbours)[-neighbours:].mean()
    return out
