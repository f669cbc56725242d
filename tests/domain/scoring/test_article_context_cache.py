"""A worker's article-context caches hold the references of a site's busy articles.

When they did not (a news comment's whole vector is ~5 KB), a worker re-read and
re-vectorised the references of each article batch after batch, and its CPU per comment grew
twentyfold with the database (docs/performance.md, "The worker on a site with many busy
articles").
"""

from __future__ import annotations

from pathlib import Path

from classifier.context import REFERENCE_LIMIT, REFERENCE_TERMS, compact_row, stacked_rows
from classifier.data import load_dataset
from classifier.registry import ModelRegistry
from domain.scoring.article_context import ARTICLE_CACHE_BYTES, VECTOR_CACHE_BYTES

BUSY_ARTICLES = 80


def test_the_caches_hold_the_full_references_of_eighty_busy_articles(
    trained_models_dir: Path,
) -> None:
    bundle = ModelRegistry(trained_models_dir).load_current()
    assert bundle is not None
    news = [row.text for row in load_dataset("fox-news-comments")[:REFERENCE_LIMIT]]
    vectors = bundle.context_vectors(news)
    rows = [compact_row(vectors, i) for i in range(len(news))]
    assert max(len(indices) for indices, _ in rows) <= REFERENCE_TERMS < vectors.getnnz(1).max()
    one_article = stacked_rows(rows, bundle.context_dimensions)
    reference_bytes = sum(indices.nbytes + values.nbytes for indices, values in rows)
    assert BUSY_ARTICLES * reference_bytes <= VECTOR_CACHE_BYTES
    assert BUSY_ARTICLES * one_article.nbytes <= ARTICLE_CACHE_BYTES
