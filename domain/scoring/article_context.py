"""The reference comments of each comment's article, vectorised for the scorer's context."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from cachetools import LRUCache, TTLCache

from classifier import ModelBundle, Score
from classifier.context import CompactRow, ReferenceSet, compact_row, stacked_rows
from domain.records import Comment
from domain.store import Store

# Memory per worker process for the caches, in bytes. Vectors of reference comments (at most
# 128 terms, ~1 KB each: about 23,000 of them): an article's comments are compared with every
# new comment on it, so each is read and vectorised once, not per batch. Articles' reference
# sets (up to ~0.4 MB each: the 200 references of about 90 busy articles). Should the busy
# articles outgrow them, their references are read and vectorised again each time they come
# back (0.6 ms of CPU a comment): `python -m bench.worker_cpu --articles N` shows the cost.
VECTOR_CACHE_BYTES = 24 * 2**20
ARTICLE_CACHE_BYTES = 32 * 2**20

ArticleKey = tuple[str, int, str]  # (model version, site id, article id)


class ArticleContexts:
    """Per comment of a batch, the ReferenceSet of its article's reference comments (or None).

    References are the article's latest approved comments under the model's spam bar, or
    approved by a moderator (``CommentRepository.article_reference_ids``). An article's
    reference set is reused for ``refresh_seconds``: under load, every batch holds comments of the
    same busy articles, and a reference that arrives a few seconds late changes little.
    """

    def __init__(self, store: Store, refresh_seconds: float = 5.0) -> None:
        self._store = store
        self._vectors: LRUCache[tuple[str, str], CompactRow] = LRUCache(
            VECTOR_CACHE_BYTES, getsizeof=_row_bytes)
        self._articles: TTLCache[ArticleKey, ReferenceSet | None] = TTLCache(
            ARTICLE_CACHE_BYTES, ttl=refresh_seconds, getsizeof=_set_bytes)
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe

    def references(self, bundle: ModelBundle,
                   batch: Sequence[Comment]) -> list[ReferenceSet | None] | None:
        """``ModelBundle.score``'s references for the batch (None: the model has no context)."""
        if not bundle.reference_limit:
            return None
        articles = {(c.site_id, c.article_id) for c in batch}
        sets = {article: self._article(bundle, *article) for article in articles}
        return [sets[(c.site_id, c.article_id)] for c in batch]

    def remember(self, bundle: ModelBundle, comment_ids: Sequence[str],
                 scores: Sequence[Score]) -> None:
        """Keep the context vectors the scorer just computed: some of these comments will be
        references of later ones, and need not be read and vectorised again."""
        with self._lock:
            for comment_id, score in zip(comment_ids, scores, strict=True):
                if score.context_vector is not None:
                    self._vectors[(bundle.version, comment_id)] = score.context_vector

    def _article(self, bundle: ModelBundle, site_id: int, article_id: str) -> ReferenceSet | None:
        """The article's reference set, from the cache while it is fresh."""
        key = (bundle.version, site_id, article_id)
        with self._lock:
            if key in self._articles:
                return self._articles[key]
        ids = self._store.comments.article_reference_ids(
            site_id, article_id, max_spam=bundle.reference_max_spam, limit=bundle.reference_limit)
        reference = self._reference_set(bundle, ids)
        with self._lock:
            self._articles[key] = reference
        return reference

    def _reference_set(self, bundle: ModelBundle, comment_ids: list[str]) -> ReferenceSet | None:
        """Stack the comments' context vectors into a ReferenceSet (None: no comment)."""
        rows = [row for row in self._rows_of(bundle, comment_ids) if row is not None]
        return stacked_rows(rows, bundle.context_dimensions) if rows else None

    def _rows_of(self, bundle: ModelBundle, comment_ids: list[str]) -> list[CompactRow | None]:
        """Each comment's context vector (None if it vanished), vectorising those not cached."""
        with self._lock:
            found = {i: self._vectors[(bundle.version, i)] for i in comment_ids
                     if (bundle.version, i) in self._vectors}
        missing = [i for i in comment_ids if i not in found]
        if missing:
            bodies = self._store.comments.bodies(missing)
            missing = [i for i in missing if i in bodies]  # deleted meanwhile: skip
            fresh = bundle.context_vectors([bodies[i] for i in missing])
            with self._lock:
                for n, comment_id in enumerate(missing):
                    row = compact_row(fresh, n)
                    found[comment_id] = self._vectors[(bundle.version, comment_id)] = row
        return [found.get(i) for i in comment_ids]


def _row_bytes(row: CompactRow) -> int:
    """Memory of a cached context vector."""
    return int(row[0].nbytes + row[1].nbytes) + 64


def _set_bytes(reference: ReferenceSet | None) -> int:
    """Memory of a cached reference set (an article without references costs a little)."""
    return 64 + (reference.nbytes if reference is not None else 0)
