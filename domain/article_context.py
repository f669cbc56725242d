"""The reference comments of each comment's article, vectorised for the scorer's context."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import scipy.sparse as sp

from classifier import ModelBundle
from domain.models import Comment
from domain.store import Store

# Vectors of reference comments kept per process (~2 KB each): an article's comments are
# compared with every new comment on it, so each is read and vectorised once, not per batch.
CACHED_VECTORS = 20_000


class ArticleContexts:
    """Per comment of a batch, the matrix of its article's reference comments (or None).

    References are the article's latest approved comments under the model's spam bar, or
    approved by a moderator (``CommentRepository.article_reference_ids``).
    """

    def __init__(self, store: Store, cached_vectors: int = CACHED_VECTORS) -> None:
        self._store = store
        self._capacity = cached_vectors
        self._vectors: OrderedDict[tuple[str, str], sp.csr_matrix] = OrderedDict()
        self._lock = threading.Lock()

    def references(self, bundle: ModelBundle,
                   batch: Sequence[Comment]) -> list[sp.csr_matrix | None] | None:
        """``ModelBundle.score``'s references for the batch (None: the model has no context)."""
        if not bundle.reference_limit:
            return None
        articles = {(c.site_id, c.article_id) for c in batch}
        ids = {article: self._store.comments.article_reference_ids(
                   *article, max_spam=bundle.reference_max_spam, limit=bundle.reference_limit)
               for article in articles}
        vectors = self._vectors_of(bundle, [i for found in ids.values() for i in found])
        matrices = {}
        for article, found in ids.items():
            rows = [vectors[i] for i in found if i in vectors]
            if rows:
                matrices[article] = sp.vstack(rows, format="csr")
        return [matrices.get((c.site_id, c.article_id)) for c in batch]

    def _vectors_of(self, bundle: ModelBundle, comment_ids: list[str]) -> dict[str, sp.csr_matrix]:
        """The context vector of each comment, reading and vectorising those not cached."""
        with self._lock:
            found = {i: self._vectors[(bundle.version, i)] for i in comment_ids
                     if (bundle.version, i) in self._vectors}
        missing = [i for i in dict.fromkeys(comment_ids) if i not in found]
        if missing:
            bodies = self._store.comments.bodies(missing)
            missing = [i for i in missing if i in bodies]  # deleted meanwhile: skip
            fresh = bundle.context_vectors([bodies[i] for i in missing])
            found.update({comment_id: fresh[n] for n, comment_id in enumerate(missing)})
        with self._lock:
            for comment_id, vector in found.items():
                key = (bundle.version, comment_id)
                self._vectors[key] = vector
                self._vectors.move_to_end(key)
            while len(self._vectors) > self._capacity:
                self._vectors.popitem(last=False)
        return found
