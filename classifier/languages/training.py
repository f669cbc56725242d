"""Training one language's toxicity model, its cross-validated lines, and the plain baseline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from classifier.data import Row
from classifier.languages.model import LanguageModel, gram_counts, prepare, tfidf

CV_SEED = 7
CV_FOLDS = 3
LINE_FOLDS = 2  # the out-of-fold scores that set a production model's lines
# A weaker model than the English one: a wider flag line (more for moderators to see) and a
# stricter reject line (a machine rejects only what it is sure of).
FLAG_FPR = 0.10
REJECT_FPR = 0.01


@dataclass(frozen=True)
class Variant:
    """One recipe: n-gram lengths, regularisation, rarest n-gram kept."""

    ngram_range: tuple[int, int] = (1, 4)
    C: float = 4.0
    min_df: int = 2

    def name(self) -> str:
        """A short label for reports."""
        return f"char{self.ngram_range[0]}-{self.ngram_range[1]} C={self.C:g} min_df={self.min_df}"


# The variants compared by cross-validation on each language's training rows (docs/model.md).
# Two only: on the shared two-core machine one German fit took 12 s and a Chinese one a minute.
VARIANTS = (Variant((1, 3), 4.0), Variant((1, 4), 16.0))
# What cross-validation chose per language (classifier/languages/report.py; docs/model.md).
CHOSEN = {
    "de": Variant((1, 4), 16.0), "pt": Variant((1, 3), 4.0),
    "zh": Variant((1, 3), 4.0), "ko": Variant((1, 3), 4.0),
}


def _targets(rows: Sequence[Row]) -> np.ndarray:
    """1 for toxic, 0 for ok."""
    return np.array([r.label == "toxic" for r in rows], dtype=np.int64)


def fit_language(language: str, rows: Sequence[Row], variant: Variant) -> LanguageModel:
    """Fit tf-idf + logistic regression on rows (no lines: ``train_language`` adds them)."""
    counts = gram_counts([prepare(r.text) for r in rows], variant.ngram_range)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + len(rows)) / (1 + df)) + 1.0
    idf[df < variant.min_df] = 0.0  # a gram seen once is noise (and a name, often)
    idf = idf.astype(np.float32)
    fit = LogisticRegression(C=variant.C, solver="liblinear", max_iter=1000)
    fit.fit(tfidf(counts, idf), _targets(rows))
    return LanguageModel(language, variant.ngram_range, idf,
                         fit.coef_.ravel().astype(np.float32), float(fit.intercept_[0]))


def out_of_fold(language: str, rows: Sequence[Row], variant: Variant | None,
                folds: int = CV_FOLDS) -> np.ndarray:
    """Scores of each training row from a model that did not see it (None: the baseline)."""
    y = _targets(rows)
    scores = np.zeros(len(rows))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=CV_SEED)
    for fit_idx, score_idx in splitter.split(np.zeros(len(rows)), y):
        fit_rows = [rows[i] for i in fit_idx]
        texts = [rows[i].text for i in score_idx]
        if variant is None:
            scores[score_idx] = fit_baseline(fit_rows).predict(texts)
        else:
            scores[score_idx] = fit_language(language, fit_rows, variant).predict(texts)
    return scores


def metrics(rows: Sequence[Row], scores: np.ndarray) -> dict[str, Any]:
    """ROC AUC, PR AUC and counts."""
    y = _targets(rows)
    return {"roc_auc": round(float(roc_auc_score(y, scores)), 4),
            "pr_auc": round(float(average_precision_score(y, scores)), 4),
            "n": len(rows), "toxic": int(y.sum())}


def lines(rows: Sequence[Row], scores: np.ndarray, flag_fpr: float = FLAG_FPR,
          reject_fpr: float = REJECT_FPR) -> dict[str, float]:
    """Flag and reject lines at the chosen false-positive rates of out-of-fold scores."""
    ok = np.sort(scores[_targets(rows) == 0])
    return {"flag": round(float(np.quantile(ok, 1 - flag_fpr)), 6),
            "reject": round(float(np.quantile(ok, 1 - reject_fpr)), 6)}


def train_language(language: str, rows: Sequence[Row],
                   variant: Variant | None = None) -> LanguageModel:
    """The production model of a language: fitted on all its training rows, lines from CV."""
    variant = variant or CHOSEN[language]
    oof = out_of_fold(language, rows, variant, LINE_FOLDS)
    model = fit_language(language, rows, variant)
    model.thresholds = lines(rows, oof)
    model.metrics = {"cross_validated": metrics(rows, oof), "variant": variant.name()}
    return model


class Baseline:
    """The plain character n-gram baseline: TfidfVectorizer(char 1-3) + LogisticRegression."""

    def __init__(self) -> None:
        self.vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        self.model = LogisticRegression(max_iter=1000)

    def fit(self, texts: Sequence[str], y: np.ndarray) -> Baseline:
        """Fit on raw texts (no preparation: that is the point of a baseline)."""
        self.model.fit(self.vectorizer.fit_transform(texts), y)
        return self

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """Probability of toxic."""
        return np.asarray(self.model.predict_proba(self.vectorizer.transform(texts))[:, 1])


def fit_baseline(rows: Sequence[Row]) -> Baseline:
    """The baseline fitted on rows."""
    return Baseline().fit([r.text for r in rows], _targets(rows))
