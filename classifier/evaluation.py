"""Evaluating a bundle on labelled rows (one axis at a time)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from classifier.context import strongest_terms
from classifier.labels import AXIS_OF_LABEL, POSITIVE_LABELS
from classifier.scoring import ModelBundle


def read_article_columns(path: Path | str) -> tuple[list[str], list[str]] | None:
    """The optional ``article_id`` and ``created_at`` columns of a labelled CSV, row by row.

    With them, each row is scored beside the earlier rows of its article, as the worker scores
    comments (``created_at`` as ISO text; without it, file order). None without ``article_id``.
    """
    with Path(path).open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        fields = [f.strip().lower() for f in (reader.fieldnames or [])]
        if "article_id" not in fields:
            return None
        reader.fieldnames = fields
        rows = list(reader)
    articles = [(row.get("article_id") or "").strip() for row in rows]
    if "created_at" in fields:
        return articles, [(row.get("created_at") or "").strip() for row in rows]
    return articles, [f"{n:012d}" for n in range(len(rows))]


def axis_of(labels: Sequence[str]) -> str:
    """Infer the single axis of a label list, or raise ValueError for mixed/unknown labels."""
    axes = {AXIS_OF_LABEL.get(lab) for lab in labels}
    if None in axes:
        raise ValueError("labels must be spam/ham/toxic/ok")
    if len(axes) != 1:
        raise ValueError(f"labels mix axes {sorted(a for a in axes if a)}; evaluate one axis")
    return str(axes.pop())


def evaluate_rows(bundle: ModelBundle, rows: Sequence[tuple[str, str]],
                  articles: tuple[list[str], list[str]] | None = None) -> dict[str, Any]:
    """Metrics of ``bundle`` on (text, label) rows at the bundle's flag threshold for the axis.

    ``articles`` (article ids and posting times per row, ``read_article_columns``) replays
    the rows with their article context, as the worker would have scored them.
    """
    if not rows:
        raise ValueError("no rows to evaluate")
    labels = [lab.strip().lower() for _, lab in rows]
    axis = axis_of(labels)
    y = np.array([lab in POSITIVE_LABELS for lab in labels], dtype=int)
    texts = [t for t, _ in rows]
    if articles is not None:
        probs = predict_in_article_order(bundle, texts, *articles)[:, bundle.heads.index(axis)]
    else:
        probs = bundle.predict_heads(texts)[:, bundle.heads.index(axis)]
    threshold = float(bundle.thresholds[axis]["flag"])
    pred = probs >= threshold
    tp = int(np.sum(pred & (y == 1)))
    fp = int(np.sum(pred & (y == 0)))
    fn = int(np.sum(~pred & (y == 1)))
    tn = int(np.sum(~pred & (y == 0)))
    both = 0 < y.sum() < len(y)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return {
        "axis": axis, "n": len(rows), "positives": int(y.sum()),
        "roc_auc": float(roc_auc_score(y, probs)) if both else None,
        "pr_auc": float(average_precision_score(y, probs)) if both else None,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "precision": precision, "recall": recall, "threshold": threshold,
        "false_positive_rate": fp / (fp + tn) if fp + tn else 0.0,
        "accuracy": (tp + tn) / len(rows),
        "article_context": articles is not None and bool(bundle.contexts),
    }


def predict_in_article_order(bundle: ModelBundle, texts: Sequence[str], articles: Sequence[str],
                             posted_at: Sequence[str]) -> np.ndarray:
    """Probabilities of texts scored one by one on arrival, with their article context.

    Replays each article's comments in posting order as the worker sees them: a comment is
    compared with the earlier comments of its article whose spam score (with context, as
    recorded) stayed under the model's reference bar. Labels are never used. Texts without
    an article are scored alone.
    """
    probs = bundle.predict_heads(texts)
    if not bundle.contexts:
        return probs
    spam = bundle.heads.index("spam")
    vectors = strongest_terms(bundle.context_vectors(texts))  # as references are kept
    seen: dict[str, list[int]] = {}
    for i in sorted(range(len(texts)), key=lambda i: posted_at[i]):
        if not articles[i]:
            continue
        reference = seen.setdefault(articles[i], [])[-bundle.reference_limit:]
        if reference:
            probs[i] = bundle.predict_heads([texts[i]], [vectors[reference]])[0]
        if probs[i, spam] < bundle.reference_max_spam:
            seen[articles[i]].append(i)
    return probs
