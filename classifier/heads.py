"""Fitting one head: a linear function over the shared features, Platt-calibrated.

Each head's recipe (model family, C, naive-Bayes scaling or blend, word-column scale) comes
from ``training.PARAMS["heads"]``; every variant ends as plain weights on the raw features, so
scoring is one sparse product whatever the recipe.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from classifier.context import (
    MAX_REASSURANCE_CHOICES,
    NEIGHBOUR_CHOICES,
    REFERENCE_MAX_SPAM_CHOICES,
    ArticleContext,
    sequential_similarity,
)
from classifier.features import META_NAMES


def nb_ratio(x: Any, y: np.ndarray, w: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratio per feature (NB-LR), used to rescale TF-IDF columns."""
    xw = x.multiply(w[:, None]).tocsr()
    p = alpha + np.asarray(xw[y == 1].sum(axis=0)).ravel()
    q = alpha + np.asarray(xw[y == 0].sum(axis=0)).ravel()
    return np.asarray(np.log((p / p.sum()) / (q / q.sum())))


@dataclass(frozen=True)
class HeadRecipe:
    """How one head is fitted (see PARAMS["heads"])."""

    model: str
    C: float
    nb_alpha: float | None
    word_scale: float
    nb_blend: tuple[float, float] | None = None


def fit_scaled(x: Any, y: np.ndarray, w: np.ndarray, recipe: HeadRecipe,
               col_scale: np.ndarray) -> tuple[np.ndarray, float]:
    """Fit one head's linear function; return coef on raw features and intercept."""
    coef, b = _fit_linear(x, y, w, recipe, col_scale)
    if recipe.nb_blend is None:
        return coef, b
    beta, alpha = recipe.nb_blend
    nb = nb_ratio(x, y, w, alpha)
    nb[np.asarray(abs(x).sum(axis=0)).ravel() == 0] = 0.0  # columns this head never sees
    fitted_scale, nb_scale = 1.0 / _weighted_std(x @ coef, w), 1.0 / _weighted_std(x @ nb, w)
    return ((1 - beta) * fitted_scale * coef + beta * nb_scale * nb,
            (1 - beta) * fitted_scale * b)


def _weighted_std(values: np.ndarray, w: np.ndarray) -> float:
    """Weighted standard deviation (1.0 when all values are equal)."""
    mean = float(np.average(values, weights=w))
    variance = float(np.average((values - mean) ** 2, weights=w))
    return float(np.sqrt(variance)) if variance > 0 else 1.0


def _fit_linear(x: Any, y: np.ndarray, w: np.ndarray, recipe: HeadRecipe,
                col_scale: np.ndarray) -> tuple[np.ndarray, float]:
    """Fit one linear model on (optionally NB-) scaled features; return coef on raw features."""
    r = col_scale.copy()
    if recipe.nb_alpha is not None:
        r *= nb_ratio(x, y, w, recipe.nb_alpha)
    r[-len(META_NAMES):] = 1.0  # meta features are not counts: leave them unscaled
    model: LinearSVC | LogisticRegression
    if recipe.model == "svm":
        # primal: the dual solver shuffles with liblinear's process-wide rand(), which heads
        # fitted in parallel threads would share, and training would stop being repeatable
        model = LinearSVC(C=recipe.C, dual=False, max_iter=5000, random_state=0)
    else:
        model = LogisticRegression(C=recipe.C, solver="liblinear", max_iter=200, tol=1e-3,
                                   random_state=0)
    model.fit(x.multiply(r[None, :]).tocsr(), y, sample_weight=w)
    return model.coef_[0] * r, float(model.intercept_[0])  # the scaling folds into the coef


def fit_embedding_head(e: np.ndarray, y: np.ndarray, w: np.ndarray,
                       c: float) -> tuple[np.ndarray, float]:
    """Logistic regression on sentence embeddings (the optional tier): coef and intercept."""
    model = LogisticRegression(C=c, solver="liblinear", max_iter=500, random_state=0)
    model.fit(e, y, sample_weight=w)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


# liblinear releases the GIL while it fits: a head's calibration folds, its final fit and the
# other heads run side by side in threads.
FIT_THREADS = max(1, min(os.cpu_count() or 1, 4))


@dataclass(frozen=True)
class HeadResult:
    """A fitted head: calibrated weights on the features (and on the embeddings, if any)."""

    coef: np.ndarray
    intercept: float
    oof: np.ndarray  # calibrated out-of-fold probabilities of the training rows
    embedding_coef: np.ndarray | None = None
    context: ArticleContext | None = None
    lexicon_weights: np.ndarray | None = None  # on classifier.lexicon.LEXICON_NAMES


@dataclass(frozen=True)
class EmbeddingBlock:
    """Sentence embeddings of a head's rows and the C of their logistic regression."""

    vectors: np.ndarray
    c: float


@dataclass(frozen=True)
class ContextBlock:
    """Article context of a head's rows: comparison vectors, article and posting time.

    Rows without an article have an empty group.
    """

    vectors: Any
    groups: list[str]
    posted_at: list[str]


def _platt(margins: np.ndarray, y: np.ndarray,
           w: np.ndarray) -> tuple[np.ndarray, float, np.ndarray]:
    """Calibration weights, intercept and calibrated probabilities of stacked margins."""
    platt = LogisticRegression(C=1e4).fit(margins, y, sample_weight=w)
    weights, b0 = platt.coef_[0], float(platt.intercept_[0])
    return weights, b0, 1.0 / (1.0 + np.exp(-(margins @ weights + b0)))


def _stack_context(margins: np.ndarray, y: np.ndarray, w: np.ndarray,
                   context: ContextBlock) -> tuple[np.ndarray, ArticleContext | None]:
    """Add the best article-context column to the margins (by out-of-fold ROC AUC).

    Rows whose out-of-fold spam score stays under the reference bar are the comments of
    their article that later rows are compared with, as approved comments with a low stored
    spam score are in production; neighbours, bar and cap are chosen among a few values.
    """
    oof = _platt(margins, y, w)[2]
    best: tuple[float, np.ndarray, ArticleContext] | None = None
    for bar, neighbours in itertools.product(REFERENCE_MAX_SPAM_CHOICES, NEIGHBOUR_CHOICES):
        similarity = sequential_similarity(context.vectors, context.groups, context.posted_at,
                                           oof < bar, neighbours)
        known = np.isfinite(similarity)
        if known.sum() < 20:
            continue
        mean, std = float(similarity[known].mean()), float(similarity[known].std()) or 1.0
        for cap in MAX_REASSURANCE_CHOICES:
            term = ArticleContext(neighbours, mean, std, weight=1.0, reference_max_spam=bar,
                                  max_reassurance=cap)
            stacked = np.column_stack([margins, term.standardized(similarity)])
            auc = float(roc_auc_score(y, _platt(stacked, y, w)[2], sample_weight=w))
            if best is None or auc > best[0]:
                best = (auc, stacked, term)
    if best is None:
        return margins, None
    return best[1], best[2]


def submit_head(pool: ThreadPoolExecutor, x: Any, y: np.ndarray, w: np.ndarray,
                recipe: HeadRecipe, col_scale: np.ndarray, folds: int,
                random_state: int, embeddings: EmbeddingBlock | None = None,
                context: ContextBlock | None = None,
                lexicon: np.ndarray | None = None) -> Callable[[], HeadResult]:
    """Start a head's fits; the returned function waits for them and returns the head.

    Calibrated heads are Platt-scaled on out-of-fold scores; with ``folds < 2`` the head is
    a plain logistic output (the Davidson-only attributes). With ``embeddings`` a second
    model is fitted on them over the same folds, and the calibration is a logistic
    regression on both out-of-fold margins (stacking): the blend weights are learnt on the
    training rows, and the result is still one linear function of features and embeddings.
    With ``lexicon`` (the rows' ``classifier.lexicon`` features) and ``context`` (the
    article-context similarity) the calibration takes those as further inputs.
    """
    full = pool.submit(fit_scaled, x, y, w, recipe, col_scale)
    if folds < 2:
        def plain() -> HeadResult:
            coef, b = full.result()
            return HeadResult(coef, b, 1.0 / (1.0 + np.exp(-(x @ coef + b))))
        return plain
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    splits = list(skf.split(np.zeros(len(y)), y))
    fold_fits = [pool.submit(fit_scaled, x[tr], y[tr], w[tr], recipe, col_scale)
                 for tr, _ in splits]
    if embeddings is not None:
        e = embeddings.vectors
        emb_full = pool.submit(fit_embedding_head, e, y, w, embeddings.c)
        emb_folds = [pool.submit(fit_embedding_head, e[tr], y[tr], w[tr], embeddings.c)
                     for tr, _ in splits]

    def calibrated() -> HeadResult:
        margins = np.zeros((len(y), 1 if embeddings is None else 2))
        for (_, te), fitted in zip(splits, fold_fits, strict=True):
            coef, b = fitted.result()
            margins[te, 0] = x[te] @ coef + b
        if embeddings is not None:
            for (_, te), fitted in zip(splits, emb_folds, strict=True):
                coef, b = fitted.result()
                margins[te, 1] = embeddings.vectors[te] @ coef + b
        n_margins = margins.shape[1]
        if lexicon is not None:
            margins = np.column_stack([margins, lexicon])
        term = None
        if context is not None:
            margins, term = _stack_context(margins, y, w, context)
        weights, b0, oof = _platt(margins, y, w)
        if term is not None:
            term = replace(term, weight=float(weights[-1]))
        lexicon_weights = None
        if lexicon is not None:
            lexicon_weights = weights[n_margins:n_margins + lexicon.shape[1]]
        coef, b = full.result()
        result = HeadResult(coef * weights[0], b * weights[0] + b0, oof, context=term,
                            lexicon_weights=lexicon_weights)
        if embeddings is None:
            return result
        emb_coef, emb_b = emb_full.result()
        return replace(result, intercept=result.intercept + emb_b * weights[1],
                       embedding_coef=emb_coef * weights[1])
    return calibrated
