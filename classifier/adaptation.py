"""Learning a publisher's comments: an adapter head stacked on the base model's score.

The base model knows Wikipedia talk pages, tweets, YouTube and some news comments; a
publisher's own labels are the best evidence about that publisher's comments. An adapter is a
logistic regression fitted on those labels alone, over two kinds of input:

- the base head's logit (its score before the sigmoid), scaled up so the regulariser barely
  restrains its weight: with few labels the adapter leans on the base model;
- the base model's own TF-IDF columns: the words and character grams that mean something
  else, or something more, on this publisher's pages.

logit = a * base_logit + x @ w + b is still one linear function of the same features, so the
adapted head folds back into the bundle's weights: scoring costs exactly what it did, and the
artefact keeps its layout. Only the axis the labels are about is touched: toxicity labels
never move a spam score, and the reverse.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from classifier.heads import FIT_THREADS
from classifier.normalize import normalize
from classifier.scoring import ModelBundle

# The base logit is multiplied by this before fitting, so the weight it needs is 10 times smaller
# and the L2 penalty that keeps thousands of n-gram weights small costs it 1/100th as much: the
# adapter may trust the base fully.
BASE_SCALE = 10.0
# Regularisation strengths tried per fit, chosen by cross-validated ROC AUC on the labels.
C_CHOICES = (0.25, 1.0, 4.0)
CV_FOLDS = 3
MIN_PER_CLASS = 5  # fewer labels of either class than this: the axis is left as the base made it
# The thresholds of an adapted head are set on the publisher's own negatives once there are this
# many of them; before that the base thresholds stay.
MIN_NEGATIVES_FOR_THRESHOLDS = 200
FLAG_FPR, REJECT_FPR = 0.03, 0.005


@dataclass(frozen=True)
class Adapter:
    """A fitted adapter for one axis: how much it trusts the base, and what it adds."""

    axis: str
    base_weight: float  # a: weight of the base head's logit
    coef: np.ndarray  # w: on the base vectorizer's TF-IDF columns
    intercept: float
    c: float  # 0.0: the adapter changes nothing (out of fold it did not beat the base)
    n: int
    positives: int
    cv_roc_auc: float | None  # the adapter's, out of fold on the labels
    base_roc_auc: float  # the base head's on the same labels (never trained on them)
    oof: np.ndarray  # out-of-fold adapted probabilities of the labels

    def as_metadata(self) -> dict[str, Any]:
        """JSON-ready summary for metadata.json."""
        return {"axis": self.axis, "base_weight": round(self.base_weight, 6), "C": self.c,
                "labels": self.n, "positives": self.positives,
                "cv_roc_auc": None if self.cv_roc_auc is None else round(self.cv_roc_auc, 5),
                "base_roc_auc": round(self.base_roc_auc, 5),
                "nonzero_weights": int(np.count_nonzero(self.coef))}


def can_adapt(y: np.ndarray) -> bool:
    """Whether labels hold enough of both classes to fit an adapter."""
    positives = int(np.sum(y))
    return min(positives, len(y) - positives) >= MIN_PER_CLASS


def label_inputs(bundle: ModelBundle, texts: Sequence[str], axis: str) -> tuple[Any, np.ndarray]:
    """The TF-IDF rows of texts under the bundle's vocabulary and the base head's logits."""
    originals = [str(t) for t in texts]
    x, _ = bundle.vectorizer.transform_parts(originals, [normalize(t) for t in originals])
    return x.tocsr(), bundle.predict_logits(originals)[:, bundle.heads.index(axis)]


def _design(x: Any, base_logit: np.ndarray) -> Any:
    """The adapter's inputs: the scaled base logit beside the TF-IDF columns."""
    import scipy.sparse as sp

    return sp.hstack([sp.csr_matrix(base_logit[:, None] * BASE_SCALE), x], format="csr")


def _fit(design: Any, y: np.ndarray, w: np.ndarray, c: float) -> LogisticRegression:
    """One adapter fit (classes weighted equally: publishers' labels are rarely balanced)."""
    model = LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=500,
                               tol=1e-3, random_state=0)
    return model.fit(design, y, sample_weight=w)


def _out_of_fold(design: Any, y: np.ndarray, w: np.ndarray, folds: int,
                 pool: ThreadPoolExecutor) -> dict[float, np.ndarray]:
    """Out-of-fold adapter logits of the labels for every C (fits run side by side)."""
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    splits = list(skf.split(np.zeros(len(y)), y))
    fits = {(c, k): pool.submit(_fit, design[train], y[train], w[train], c)
            for c in C_CHOICES for k, (train, _) in enumerate(splits)}
    oof = {c: np.zeros(len(y)) for c in C_CHOICES}
    for (c, k), fitted in fits.items():
        test = splits[k][1]
        oof[c][test] = fitted.result().decision_function(design[test])
    return oof


def fit_adapter(bundle: ModelBundle, texts: Sequence[str], y: np.ndarray, axis: str,
                weights: np.ndarray | None = None) -> Adapter:
    """Fit an adapter for one axis on a publisher's labels (y: 1 = spam / toxic)."""
    y = np.asarray(y, dtype=int)
    if not can_adapt(y):
        raise ValueError(f"an adapter needs at least {MIN_PER_CLASS} labels of each class")
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    x, base_logit = label_inputs(bundle, texts, axis)
    design = _design(x, base_logit)
    folds = min(CV_FOLDS, int(min(y.sum(), len(y) - y.sum())))
    with ThreadPoolExecutor(FIT_THREADS) as pool:
        oofs = _out_of_fold(design, y, w, folds, pool)
    aucs = {c: float(roc_auc_score(y, oof, sample_weight=w)) for c, oof in oofs.items()}
    c = max(C_CHOICES, key=lambda choice: aucs[choice])
    base_auc = float(roc_auc_score(y, base_logit, sample_weight=w))
    # out of fold the adapter ranks the labels worse than the base did: keep the base (a tie,
    # e.g. both perfect, still adapts: the labels then teach where the flag line belongs)
    if aucs[c] < base_auc:
        return Adapter(axis, 1.0, np.zeros(x.shape[1]), 0.0, 0.0, len(y), int(y.sum()),
                       aucs[c], base_auc, _sigmoid(base_logit))
    model = _fit(design, y, w, c)
    coef = model.coef_[0]
    return Adapter(axis=axis, base_weight=float(coef[0]) * BASE_SCALE,
                   coef=np.asarray(coef[1:], dtype=np.float64),
                   intercept=float(model.intercept_[0]), c=c, n=len(y), positives=int(y.sum()),
                   cv_roc_auc=aucs[c], base_roc_auc=base_auc, oof=_sigmoid(oofs[c]))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))


def adapt(bundle: ModelBundle, adapters: Sequence[Adapter],
          thresholds: dict[str, dict[str, float]] | None = None) -> ModelBundle:
    """A new bundle whose adapted heads are a * base + w; every other head is unchanged.

    ``thresholds`` replaces the flag/reject lines of the adapted axes.
    """
    coef = bundle.coef.copy()
    intercept = bundle.intercept.copy()
    embedding_coef = None if bundle.embedding_coef is None else bundle.embedding_coef.copy()
    metadata = copy.deepcopy(bundle.metadata)
    n_vocab = len(bundle.vectorizer.idf_)
    for adapter in adapters:
        head, a = bundle.heads.index(adapter.axis), adapter.base_weight
        coef[:, head] *= a
        coef[:n_vocab, head] += adapter.coef
        intercept[head] = a * intercept[head] + adapter.intercept
        if embedding_coef is not None:
            embedding_coef[:, head] *= a
        _scale_recorded_terms(metadata, adapter.axis, a)
    metadata["thresholds"] = {**bundle.thresholds, **(thresholds or {})}
    metadata["adapters"] = {adapter.axis: adapter.as_metadata() for adapter in adapters}
    return ModelBundle(bundle.vectorizer, coef, intercept, metadata, heads=bundle.heads,
                       embedding_coef=embedding_coef, encoder=bundle.encoder)


def _scale_recorded_terms(metadata: dict[str, Any], head: str, a: float) -> None:
    """Scale the calibration terms kept in metadata (word lists, article context) by a."""
    lexicon_weights = (metadata.get("lexicon") or {}).get("weights") or {}
    if head in lexicon_weights:
        lexicon_weights[head] = [a * float(v) for v in lexicon_weights[head]]
    context = (metadata.get("article_context") or {}).get(head)
    if context is not None:
        context["weight"] = a * float(context["weight"])


def adapted_thresholds(adapter: Adapter, y: np.ndarray,
                       base: dict[str, float]) -> dict[str, float]:
    """Flag/reject lines for an adapted axis.

    With enough of the publisher's negatives, the lines cut FLAG_FPR / REJECT_FPR of them
    (out-of-fold scores, so the labels' own fit does not flatter them). Before that the base
    lines stay: a few hundred chosen texts say little about the share of ordinary traffic a
    line cuts, and the adapter's scores are calibrated probabilities like the base's.
    """
    negatives = adapter.oof[np.asarray(y) == 0]
    if len(negatives) < MIN_NEGATIVES_FOR_THRESHOLDS:
        return dict(base)
    flag = float(np.quantile(negatives, 1.0 - FLAG_FPR))
    reject = max(float(np.quantile(negatives, 1.0 - REJECT_FPR)), flag + 0.01)
    return {"flag": round(flag, 3), "reject": round(min(reject, 0.99), 3)}


AXIS_OF_LABEL = {"spam": "spam", "ham": "spam", "toxic": "toxicity", "ok": "toxicity"}
POSITIVE_LABELS = ("spam", "toxic")


def adapt_to_labels(base: ModelBundle, labels: Sequence[tuple[str, str]],
                    weights: Sequence[float] | None = None) -> ModelBundle:
    """The base bundle with each axis adapted to the (text, label) pairs about that axis.

    An axis whose labels hold too few of either class stays exactly as the base made it.
    """
    w_all = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype=np.float64)
    adapters: list[Adapter] = []
    thresholds: dict[str, dict[str, float]] = {}
    for axis in ("spam", "toxicity"):
        mine = [i for i, (_, label) in enumerate(labels) if AXIS_OF_LABEL[label] == axis]
        texts = [labels[i][0] for i in mine]
        y = np.array([labels[i][1] in POSITIVE_LABELS for i in mine], dtype=int)
        if not can_adapt(y):
            continue
        adapter = fit_adapter(base, texts, y, axis, w_all[mine])
        if adapter.c == 0.0:
            continue
        adapters.append(adapter)
        thresholds[axis] = adapted_thresholds(adapter, y, base.thresholds[axis])
    bundle = adapt(base, adapters, thresholds)
    created = datetime.now(UTC)
    bundle.metadata.update(version=_adapted_version(base.version, labels, created),
                           created_at=created.isoformat(), base_version=base.version)
    bundle.metadata.pop("recipe", None)  # not a base model any more
    return bundle


def _adapted_version(base_version: str, labels: Sequence[tuple[str, str]],
                     created: datetime) -> str:
    """A new version id (the registry's format): date, then a hash of base, labels and time."""
    digest = hashlib.sha256(f"{base_version}{created.isoformat()}".encode())
    for text, label in labels:
        digest.update(f"{label}\x1f{text}\x1e".encode("utf-8", "surrogatepass"))
    return f"{created:%Y.%m.%d}-{digest.hexdigest()[:8]}"
