"""The article context: neighbour similarity, replay order, what training learns from it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from classifier import ModelBundle, evaluate_rows, read_labelled_csv, train_bundle
from classifier.context import (
    REFERENCE_TERMS,
    ReferenceSet,
    compact_row,
    earlier_references,
    nearest_similarity,
    sequential_similarity,
    strongest_terms,
)
from classifier.data import load_dataset
from classifier.evaluation import predict_in_article_order, read_article_columns
from config import Settings
from tests.support.articles import OFF_TOPIC, ON_TOPIC, ON_TOPIC_NEW
from tests.support.processes import run_command


def _unit_rows(values: list[list[float]]) -> sp.csr_matrix:
    rows = np.asarray(values, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return sp.csr_matrix(rows / np.where(norms == 0, 1.0, norms))


vectors_strategy = st.lists(st.lists(st.floats(0, 5), min_size=4, max_size=4), min_size=1,
                            max_size=12)


@settings(max_examples=60, deadline=None)
@given(reference=vectors_strategy, probes=vectors_strategy, neighbours=st.integers(1, 5),
       shared=st.booleans())
def test_nearest_similarity_is_the_mean_of_the_k_best_cosines(
    reference: list[list[float]], probes: list[list[float]], neighbours: int, shared: bool
) -> None:
    vectors, matrix = _unit_rows(probes), _unit_rows(reference)
    # one set for every probe (one article in a batch), or an equal copy each
    references = [ReferenceSet(matrix)] * len(probes) if shared else [
        ReferenceSet(matrix) for _ in probes]
    similarity = nearest_similarity(vectors, references, neighbours)
    for i in range(len(probes)):
        if len(reference) < neighbours:
            assert np.isnan(similarity[i])
            continue
        cosines = sorted((matrix @ vectors[i].T).toarray().ravel(), reverse=True)
        assert np.isclose(similarity[i], np.mean(cosines[:neighbours]))


def _sparse_unit_rows(lengths: list[int], seed: int) -> sp.csr_matrix:
    """Rows with these numbers of non-zeros, values on a coarse grid (so ties happen)."""
    rng = np.random.default_rng(seed)
    rows = []
    for length in lengths:
        row = np.zeros(4 * REFERENCE_TERMS)
        row[rng.choice(len(row), size=length, replace=False)] = rng.integers(1, 8, size=length)
        rows.append(row)
    return _unit_rows([list(row) for row in rows])


@settings(max_examples=40, deadline=None)
@given(lengths=st.lists(st.integers(0, 3 * REFERENCE_TERMS), min_size=1, max_size=6),
       seed=st.integers(0, 2**32 - 1))
def test_a_reference_keeps_its_strongest_terms_at_unit_length(lengths: list[int],
                                                              seed: int) -> None:
    full = _sparse_unit_rows(lengths, seed)
    kept = strongest_terms(full)
    for i, length in enumerate(lengths):
        row, original = kept[i], full[i].toarray().ravel()
        assert row.nnz == min(length, REFERENCE_TERMS)
        dropped = np.setdiff1d(np.flatnonzero(original), row.indices)
        if len(dropped):
            assert original[dropped].max() <= original[row.indices].min()
            assert np.isclose(np.linalg.norm(row.data), 1.0)
            assert np.allclose(row.data / original[row.indices], row.data[0] / original[
                row.indices[0]])  # rescaled, not reshaped
        else:
            assert np.allclose(row.toarray().ravel(), original)
        # the worker's cached row is the same row
        indices, values = compact_row(full, i)
        assert np.array_equal(indices, row.indices) and np.allclose(values, row.data, atol=1e-6)
    assert (strongest_terms(kept) != kept).nnz == 0  # cutting twice is cutting once


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["", "a", "b"]), st.integers(0, 20),
                               st.booleans()), max_size=30),
       limit=st.integers(1, 6))
def test_references_are_the_latest_earlier_approved_comments_of_the_same_article(
    rows: list[tuple[str, int, bool]], limit: int
) -> None:
    groups = [g for g, _, _ in rows]
    posted = [f"2015-01-{day + 1:02d}" for _, day, _ in rows]
    approved = np.array([a for _, _, a in rows], dtype=bool)
    for i, found in enumerate(earlier_references(groups, posted, approved, limit)):
        if not groups[i]:
            assert found is None
            continue
        assert found is not None
        # stable by posting time: same-day rows count as earlier when listed before
        earlier = sorted((j for j in range(len(rows)) if groups[j] == groups[i] and approved[j]
                          and (posted[j], j) < (posted[i], i)), key=lambda j: (posted[j], j))
        assert found.tolist() == earlier[-limit:]


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["", "a", "b"]), st.integers(0, 9), st.booleans(),
                               st.lists(st.floats(0.1, 5), min_size=5, max_size=5)),
                     min_size=8, max_size=40),
       neighbours=st.integers(1, 3), limit=st.integers(1, 8), chunk=st.integers(1, 7))
def test_training_similarities_equal_a_reference_set_per_comment(
    rows: list[tuple[str, int, bool, list[float]]], neighbours: int, limit: int, chunk: int
) -> None:
    """What training computes in chunks is what the worker computes for each comment alone."""
    groups = [g for g, _, _, _ in rows]
    posted = [f"2015-01-{day + 1:02d}" for _, day, _, _ in rows]
    approved = np.array([a for _, _, a, _ in rows], dtype=bool)
    vectors = _unit_rows([v for _, _, _, v in rows])
    one_set_each = nearest_similarity(
        vectors,
        [None if found is None or not len(found) else ReferenceSet(vectors[found])
         for found in earlier_references(groups, posted, approved, limit)],
        neighbours,
    )
    chunked = sequential_similarity(vectors, groups, posted, approved, neighbours, limit, chunk)
    assert np.allclose(chunked, one_set_each, equal_nan=True, rtol=0, atol=1e-12)


def test_a_comment_unlike_its_articles_approved_comments_scores_as_more_spam(
    bundle: ModelBundle,
) -> None:
    assert "spam" in bundle.contexts, "the default model learns an article context for spam"
    spam = bundle.heads.index("spam")
    reference = bundle.context_vectors(ON_TOPIC)
    texts = [OFF_TOPIC, ON_TOPIC_NEW]
    alone = bundle.predict_heads(texts)[:, spam]
    in_context = bundle.predict_heads(texts, [reference, reference])[:, spam]
    assert in_context[0] > alone[0]
    assert in_context[1] < alone[1]
    [scored, _] = bundle.score(texts, [reference, reference])
    assert 0 <= scored.attributes["article_similarity"] < 0.5


def test_too_few_approved_comments_leave_the_score_alone(bundle: ModelBundle) -> None:
    few = bundle.context_vectors(ON_TOPIC[:1])
    plain = bundle.predict_heads([OFF_TOPIC])
    assert np.array_equal(bundle.predict_heads([OFF_TOPIC], [few]), plain)
    assert np.array_equal(bundle.predict_heads([OFF_TOPIC], [None]), plain)
    assert "article_similarity" not in bundle.score([OFF_TOPIC], [few])[0].attributes


def test_training_learns_that_similarity_to_approved_comments_means_ham() -> None:
    """On two videos (plus the usual out-of-domain ham), scored on a third in arrival order."""
    bundle = train_bundle(holdout_videos={"Psy", "KatyPerry"}, heads_to_fit={"spam"},
                          exclude={"jigsaw-toxic-wikipedia", "davidson-hate-offensive"})
    term = bundle.contexts["spam"]
    assert term.weight < 0 and term.std > 0
    assert bundle.metadata["article_context"]["spam"]["neighbours"] == term.neighbours
    rows = [r for r in load_dataset("youtube-spam") if r.group == "Psy"]
    y = np.array([r.label == "spam" for r in rows])
    texts = [r.text for r in rows]
    spam = bundle.heads.index("spam")
    plain = bundle.predict_heads(texts)[:, spam]
    replayed = predict_in_article_order(bundle, texts, [r.group for r in rows],
                                        [r.posted_at for r in rows])[:, spam]
    assert not np.array_equal(plain, replayed)
    assert roc_auc_score(y, replayed) > roc_auc_score(y, plain)


def test_a_labelled_csv_with_article_ids_is_evaluated_in_article_order(
    bundle: ModelBundle, tmp_path: Path
) -> None:
    path = tmp_path / "labels.csv"
    lines = [f'"{text}",ham,budget' for text in ON_TOPIC]
    lines += [f'"{OFF_TOPIC}",spam,budget', f'"{ON_TOPIC_NEW}",ham,budget']
    path.write_text("text,label,article_id\n" + "\n".join(lines) + "\n", encoding="utf-8")
    rows, articles = read_labelled_csv(path), read_article_columns(path)
    assert articles == (["budget"] * 8, [f"{n:012d}" for n in range(8)])
    alone = evaluate_rows(bundle, rows)
    in_order = evaluate_rows(bundle, rows, articles)
    assert in_order["article_context"] is True and alone["article_context"] is False
    assert in_order["roc_auc"] > alone["roc_auc"]  # the off-topic comment rises
    assert read_article_columns(_without_articles(tmp_path)) is None


def test_the_evaluate_command_reads_article_columns(settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    rows = [(text, "ham", f"2026-11-0{n + 1}") for n, text in enumerate(ON_TOPIC)]
    rows.append((OFF_TOPIC, "spam", "2026-11-09"))
    path.write_text("text,label,article_id,created_at\n" + "".join(
        f'"{text}",{label},budget,{day}\n' for text, label, day in rows), encoding="utf-8")
    completed = run_command(settings, "evaluate", str(path), "--json")
    assert completed.returncode == 0, completed.stderr
    metrics = json.loads(completed.stdout)
    assert metrics["article_context"] is True
    assert metrics["n"] == 7 and metrics["positives"] == 1


def _without_articles(tmp_path: Path) -> Path:
    path = tmp_path / "plain.csv"
    path.write_text("text,label\nhello,ham\n", encoding="utf-8")
    return path
