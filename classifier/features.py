"""Fast feature extraction: char + word n-gram TF-IDF over normalised text plus a few meta features.

The vectorizer is a scikit-learn transformer, but its transform path avoids scikit-learn's
per-call overhead (validation, analyzer plumbing) because scoring must take well under 1 ms.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from classifier.grams import (
    WORD_PATTERN,
    WORD_PREFIX,
    batch_gram_hashes,
    term_hashes,
    word_grams,
)
from classifier.normalize import (
    EMAIL_TOKEN,
    MAX_CHARS,
    MONEY_TOKEN,
    PHONE_TOKEN,
    URL_TOKEN,
    normalize,
)

META_NAMES = ("links", "contact", "money", "caps_ratio", "exclaim", "repeated", "length")
_URL_T = URL_TOKEN.strip()
_EMAIL_T = EMAIL_TOKEN.strip()
_PHONE_T = PHONE_TOKEN.strip()
_MONEY_T = MONEY_TOKEN.strip()


def analyze(norm: str, ngram_range: tuple[int, int] = (2, 5)) -> list[str]:
    """Return char n-grams and word uni/bi-grams of an already normalised text.

    The reference definition of the grams: ``grams.batch_gram_hashes`` hashes exactly these,
    in this order, for a whole batch without building the strings.
    """
    padded = f" {norm} "
    lo, hi = ngram_range
    size = len(padded)
    grams = [padded[i:i + n] for n in range(lo, hi + 1) for i in range(size - n + 1)]
    return grams + word_grams(WORD_PATTERN.findall(norm))


def meta_features(original: str, norm: str) -> list[float]:
    """Return the dense meta features (all roughly in [0, 1]) in ``META_NAMES`` order."""
    words = norm.split()
    n_words = max(len(words), 1)
    links = sum(1 for w in words if w == _URL_T)
    contact = sum(1 for w in words if w in (_EMAIL_T, _PHONE_T))
    money = sum(1 for w in words if w == _MONEY_T)
    head = original[:MAX_CHARS]
    letters = sum(map(str.isalpha, head))
    upper = sum(map(str.isupper, head))
    caps = upper / letters if letters >= 6 else 0.0
    exclaim = min(norm.count("!") / 5.0, 1.0)
    repeated = 1.0 - len(set(words)) / n_words if n_words >= 4 else 0.0
    return [
        min(math.log1p(links) / math.log(4.0), 1.5), min(float(contact), 1.0),
        min(float(money), 1.0), caps, exclaim, repeated, math.log1p(len(norm)) / math.log(501.0),
    ]


def _merge_counts(parts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Merge (unique hashes, counts) pairs into one sorted pair."""
    keys = np.concatenate([k for k, _ in parts]) if parts else np.zeros(0, np.int64)
    counts = np.concatenate([c for _, c in parts]) if parts else np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    uniq, start = np.unique(keys, return_index=True)
    return uniq, np.add.reduceat(counts, start) if len(keys) else counts


class _HashIndex:
    """Open-addressing hash table in numpy arrays: vectorised term lookup in O(1) per gram."""

    def __init__(self, hashes: np.ndarray) -> None:
        size = 1 << max(int(len(hashes) * 2.5).bit_length(), 4)
        self.mask = size - 1
        self.keys = np.zeros(size, dtype=np.int64)
        self.cols = np.full(size, -1, dtype=np.int64)
        todo = np.arange(len(hashes))
        slots = hashes & self.mask
        while len(todo):  # insert, moving colliding keys to the next slot each round
            s = slots[todo]
            free = self.cols[s] < 0
            cand, cand_s = todo[free], s[free]
            _, first = np.unique(cand_s, return_index=True)
            winners = cand[first]
            self.keys[cand_s[first]] = hashes[winners]
            self.cols[cand_s[first]] = winners
            placed = np.zeros(len(hashes), dtype=bool)
            placed[winners] = True
            todo = todo[~placed[todo]]
            slots[todo] = (slots[todo] + 1) & self.mask

    def find(self, hashes: np.ndarray) -> np.ndarray:
        """Return the column of each hash, or -1 when it is not in the vocabulary."""
        out = np.full(len(hashes), -1, dtype=np.int64)
        todo = np.arange(len(hashes))
        slots = hashes & self.mask
        while len(todo):
            s = slots[todo]
            col = self.cols[s]
            hit = (col >= 0) & (self.keys[s] == hashes[todo])
            out[todo[hit]] = col[hit]
            go_on = (col >= 0) & ~hit  # occupied by another key: probe the next slot
            todo = todo[go_on]
            slots[todo] = (slots[todo] + 1) & self.mask
        return out


class CommentVectorizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Sublinear TF-IDF over ``analyze`` grams (l2-normalised) followed by meta features."""

    _index: _HashIndex | None = None

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2,
                 max_features: int = 400_000, meta_weight: float = 1.0,
                 word_weight: float = 0.0) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.meta_weight = meta_weight
        self.word_weight = word_weight  # > 0: char and word blocks l2-normalised separately

    def _row_norms(self, rows: np.ndarray, cols: np.ndarray, data: np.ndarray,
                   n_rows: int) -> np.ndarray:
        """Scale ``data`` in place: one l2 norm per row, or per row and block (char / word)."""
        ww = float(getattr(self, "word_weight", 0.0))
        if ww <= 0:
            norm2 = np.sqrt(np.bincount(rows, weights=data * data, minlength=n_rows))
            norm2[norm2 == 0] = 1.0
            data /= norm2[rows]
            return data
        is_word = cols < int(getattr(self, "n_word_", 0))  # word terms sort first (prefix \x01)
        key = rows * 2 + is_word
        norm2 = np.sqrt(np.bincount(key, weights=data * data, minlength=2 * n_rows))
        norm2[norm2 == 0] = 1.0
        data /= norm2[key]
        data[is_word] *= ww
        return data

    def fit(self, texts: Sequence[str], y: object = None) -> CommentVectorizer:
        """Learn the vocabulary and idf weights from raw texts."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: object = None, **_: object) -> sp.csr_matrix:
        """Learn vocabulary and idf, and return the training matrix (two passes over the grams)."""
        originals = list(texts)
        return self.fit_transform_normalized(originals, [normalize(t) for t in originals])

    def fit_transform_normalized(self, originals: Sequence[str],
                                 norms: Sequence[str]) -> sp.csr_matrix:
        """``fit_transform`` of texts already normalised (training needs the norms elsewhere)."""
        keys, df = self._document_frequencies(norms)
        # raise min_df until the vocabulary fits: a tie-free (deterministic) size cap
        min_df = self.min_df
        while int(np.sum(df >= min_df)) > self.max_features:
            min_df += 1
        keep = df >= min_df
        keys, df = keys[keep], df[keep]
        terms, rows, cols, counts = self._second_pass(norms, keys)
        order = np.array(sorted(range(len(terms)), key=terms.__getitem__), dtype=np.int64)
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        self.min_df_ = min_df
        self.terms_ = "\n".join(terms[i] for i in order)
        self.idf_ = np.log((1 + len(norms)) / (1 + df[order].astype(np.float64))) + 1.0
        self.n_features_out_ = len(order) + len(META_NAMES)
        self.n_word_ = int(sum(1 for t in terms if t.startswith(WORD_PREFIX)))
        self._index = None
        cols = rank[cols]
        data = (1.0 + np.log(counts.astype(np.float64))) * self.idf_[cols]
        data = self._row_norms(rows, cols, data, len(norms))
        x = sp.csr_matrix((data, (rows, cols)), shape=(len(norms), len(order)))
        meta = np.array([meta_features(o, n) for o, n in zip(originals, norms, strict=True)],
                        dtype=np.float64).reshape(len(norms), len(META_NAMES))
        return sp.hstack([x, sp.csr_matrix(meta * self.meta_weight)], format="csr")

    def _document_frequencies(self, norms: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Sorted unique gram hashes and their document frequencies."""
        parts: list[tuple[np.ndarray, np.ndarray]] = []
        for chunk in _chunks(norms):
            batch = batch_gram_hashes(chunk, self.ngram_range)
            rows = batch.rows()
            order = np.lexsort((rows, batch.hashes))  # by hash, then by text
            h, r = batch.hashes[order], rows[order]
            first_in_text = np.ones(len(h), dtype=bool)
            first_in_text[1:] = (h[1:] != h[:-1]) | (r[1:] != r[:-1])
            parts.append(np.unique(h[first_in_text], return_counts=True))
        return _merge_counts(parts)

    def _second_pass(
        self, norms: Sequence[str], keys: np.ndarray
    ) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
        """Recover the string of each kept hash and count kept grams per document."""
        terms: list[str] = [""] * len(keys)
        found = np.zeros(len(keys), dtype=bool)
        row_parts: list[np.ndarray] = []
        col_parts: list[np.ndarray] = []
        cnt_parts: list[np.ndarray] = []
        last = max(len(keys) - 1, 0)
        first_row = 0
        for chunk in _chunks(norms):
            batch = batch_gram_hashes(chunk, self.ngram_range)
            if len(keys) and len(batch.hashes):
                pos = np.minimum(np.searchsorted(keys, batch.hashes), last)
                hit = keys[pos] == batch.hashes
                unnamed = np.flatnonzero(hit & ~found[pos])  # kept grams whose term is unknown
                new_keys, first = np.unique(pos[unnamed], return_index=True)
                gram_index = unnamed[first]
                for k, term in zip(new_keys.tolist(), batch.strings(gram_index), strict=True):
                    terms[k] = term
                found[new_keys] = True
                rows = batch.rows()
                pair, counts = np.unique(rows[hit] * len(keys) + pos[hit], return_counts=True)
                r, c = np.divmod(pair, len(keys))
                row_parts.append(r + first_row)
                col_parts.append(c)
                cnt_parts.append(counts)
            first_row += len(chunk)
        if not row_parts:
            empty = np.zeros(0, dtype=np.int64)
            return terms, empty, empty, empty
        return (terms, np.concatenate(row_parts), np.concatenate(col_parts),
                np.concatenate(cnt_parts))

    def _lookup(self) -> _HashIndex:
        """Return the hash index of the vocabulary, rebuilt lazily in each process."""
        index: _HashIndex | None = getattr(self, "_index", None)
        if index is None:
            terms = self.terms_.split("\n") if self.terms_ else []
            index = _HashIndex(term_hashes(terms))
            self._index = index
        return index

    def __getstate__(self) -> dict[str, object]:
        """Drop the per-process hash index (Python string hashes are salted per process)."""
        state = dict(self.__dict__)
        state.pop("_index", None)
        return state

    def char_block(self, x: sp.csr_matrix) -> sp.csr_matrix:
        """The char n-gram columns of vectorised rows (words sort first, meta comes last).

        Filtered on the raw arrays: scipy's column slicing of a 250k-column matrix costs
        more than scoring the batch.
        """
        x = sp.csr_matrix(x)
        first, end = self.n_word_, len(self.idf_)
        keep = (x.indices >= first) & (x.indices < end)
        kept_before = np.concatenate([[0], np.cumsum(keep)])
        return sp.csr_matrix((x.data[keep], x.indices[keep] - first, kept_before[x.indptr]),
                             shape=(x.shape[0], end - first))

    def transform(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Vectorise raw texts (n-gram block followed by the meta block)."""
        originals = list(texts)
        grams, meta = self.transform_parts(originals, [normalize(t) for t in originals])
        return sp.hstack([grams, sp.csr_matrix(meta)], format="csr")

    def transform_parts(
        self, originals: Sequence[str], norms: Sequence[str]
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """Return the TF-IDF block and the dense meta block for texts already normalised."""
        x, meta, _, _ = self.transform_with_grams(originals, norms)
        return x, meta

    def transform_with_grams(
        self, originals: Sequence[str], norms: Sequence[str]
    ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
        """Like ``transform_parts`` plus each gram's column (-1 if unknown) and row offsets."""
        x, meta, gram_cols, offsets, _ = self.transform_explain(originals, norms)
        return x, meta, gram_cols, offsets

    def transform_explain(
        self, originals: Sequence[str], norms: Sequence[str]
    ) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``transform_with_grams`` plus the tf-idf mass of each gram occurrence (0 if unknown).

        The occurrence mass (the gram's tf-idf value divided by its count in the text) lets
        explanations attribute a linear score to positions without touching the sparse matrix.
        """
        n_rows = len(norms)
        n_vocab = len(self.idf_)
        batch = batch_gram_hashes(norms, self.ngram_range)
        gram_cols = self._lookup().find(batch.hashes)
        rows = batch.rows()
        found = gram_cols >= 0
        key = rows[found] * n_vocab + gram_cols[found]
        key, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        r_idx, c_idx = np.divmod(key, max(n_vocab, 1))
        data = (1.0 + np.log(counts.astype(np.float64))) * self.idf_[c_idx]
        data = self._row_norms(r_idx, c_idx, data, n_rows)
        occurrence = np.zeros(len(gram_cols), dtype=np.float64)
        occurrence[found] = (data / counts)[inverse]
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(r_idx, minlength=n_rows), out=indptr[1:])
        x = sp.csr_matrix((data, c_idx.astype(np.int32), indptr), shape=(n_rows, n_vocab))
        meta = np.array([meta_features(o, n) for o, n in zip(originals, norms, strict=True)],
                        dtype=np.float64).reshape(n_rows, len(META_NAMES))
        return x, meta * self.meta_weight, gram_cols, batch.offsets, occurrence


def _chunks(norms: Sequence[str], size: int = 2000) -> Iterable[Sequence[str]]:
    """Fixed-size slices of the texts: bounded memory while fitting."""
    for start in range(0, len(norms), size):
        yield norms[start:start + size]
