"""Training the default bundle from the bundled data sets plus optional extra (moderator) labels."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from classifier.data import Row, jigsaw_holdout, load_dataset
from classifier.features import CommentVectorizer
from classifier.scoring import HEADS, ModelBundle

Progress = Callable[[str, int, int], None]

# Relative sample weights: in-domain comment data counts most, out-of-domain sources less.
SOURCE_WEIGHTS = {
    "spam": {"youtube-spam": 1.0, "sms-spam": 0.5, "ham-from-toxicity": 0.3, "extra": 3.0},
    "toxicity": {"jigsaw-toxic-wikipedia": 1.0, "davidson-hate-offensive": 0.3,
                 "fox-news-comments": 1.0, "extra": 3.0},
}
PARAMS: dict[str, Any] = {
    "ngram_range": (2, 5), "min_df": 2, "max_features": 400_000, "meta_weight": 1.0,
    "C": {"spam": 8.0, "toxicity": 4.0, "hate_speech": 4.0, "offensive": 4.0},
    "calibration_folds": 3,
    "flag_fpr": 0.03, "reject_fpr": 0.005,
}
POSITIVE = {"spam": "spam", "toxicity": "toxic"}


@dataclass
class HeadData:
    """Training rows of one head: text indices into the shared matrix, targets and weights."""

    idx: list[int] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    w: list[float] = field(default_factory=list)

    def add(self, i: int, y: int, w: float) -> None:
        """Append one training example."""
        self.idx.append(i)
        self.y.append(y)
        self.w.append(w)


def _noop(_stage: str, _step: int, _total: int) -> None:
    """Default progress callback."""


def collect_rows(datasets_dir: Path | None, exclude: Collection[str],
                 holdout_videos: Collection[str]) -> list[Row]:
    """Load training rows: everything except excluded sets, held-out videos and Jigsaw test."""
    rows: list[Row] = []
    for name in ("youtube-spam", "sms-spam", "davidson-hate-offensive", "fox-news-comments"):
        if name in exclude:
            continue
        rows.extend(r for r in load_dataset(name, datasets_dir) if r.group not in holdout_videos)
    if "jigsaw-toxic-wikipedia" not in exclude:
        rows.extend(jigsaw_holdout(datasets_dir)[0])  # the fixed 20 % test split is never used
    return rows


def _build_heads(rows: list[Row], extra: list[tuple[str, str]],
                 texts: dict[str, int]) -> dict[str, HeadData]:
    """Assign each row (by text index) to the heads it trains, with its weight."""
    heads = {h: HeadData() for h in HEADS}
    sw = SOURCE_WEIGHTS
    for r in rows:
        i = texts[r.text]
        if r.label in ("spam", "ham"):
            heads["spam"].add(i, int(r.label == "spam"), sw["spam"][r.source])
        else:
            heads["toxicity"].add(i, int(r.label == "toxic"), sw["toxicity"][r.source])
            if r.label == "ok":  # ordinary comments are good ham for the spam model
                heads["spam"].add(i, 0, sw["spam"]["ham-from-toxicity"])
        if r.fine_label:
            heads["hate_speech"].add(i, int(r.fine_label == "hate_speech"), 1.0)
            heads["offensive"].add(i, int(r.fine_label == "offensive_language"), 1.0)
    for text, label in extra:
        i = texts[text]
        if label in ("spam", "ham"):
            heads["spam"].add(i, int(label == "spam"), sw["spam"]["extra"])
        else:
            heads["toxicity"].add(i, int(label == "toxic"), sw["toxicity"]["extra"])
            if label == "ok":
                heads["spam"].add(i, 0, sw["spam"]["extra"])
    return heads


def _fit_head(x: Any, y: np.ndarray, w: np.ndarray, c: float, folds: int,
              random_state: int) -> tuple[np.ndarray, float, np.ndarray]:
    """Fit a logistic head with Platt calibration on out-of-fold scores; return coef, b, oof."""
    def model() -> LogisticRegression:
        return LogisticRegression(C=c, solver="liblinear", max_iter=200)

    if folds < 2:  # uncalibrated head (Davidson-only attributes): plain logistic output
        full = model().fit(x, y, sample_weight=w)
        return full.coef_[0], float(full.intercept_[0]), full.predict_proba(x)[:, 1]
    oof = np.zeros(len(y))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for tr, te in skf.split(np.zeros(len(y)), y):
        oof[te] = model().fit(x[tr], y[tr], sample_weight=w[tr]).decision_function(x[te])
    platt = LogisticRegression(C=1e4).fit(oof.reshape(-1, 1), y, sample_weight=w)
    a, b0 = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    full = model().fit(x, y, sample_weight=w)
    coef = full.coef_[0] * a
    intercept = float(full.intercept_[0]) * a + b0
    return coef, intercept, 1.0 / (1.0 + np.exp(-(oof * a + b0)))


def _thresholds(oof: np.ndarray, y: np.ndarray, flag_fpr: float,
                reject_fpr: float) -> dict[str, float]:
    """Flag/reject thresholds at fixed false-positive rates on the negatives (prior-free)."""
    neg = np.sort(oof[y == 0])
    flag = float(np.quantile(neg, 1.0 - flag_fpr)) if len(neg) else 0.5
    reject = float(np.quantile(neg, 1.0 - reject_fpr)) if len(neg) else 0.9
    flag = min(max(flag, 0.3), 0.8)
    reject = min(max(reject, flag + 0.1), 0.97)
    return {"flag": round(flag, 3), "reject": round(reject, 3)}


def data_hash(rows: Iterable[tuple[str, str, str]]) -> str:
    """sha256 over the (source, label, text) training rows, order-independent."""
    digests = sorted(hashlib.sha256("\x1f".join(r).encode()).hexdigest() for r in rows)
    return hashlib.sha256("\n".join(digests).encode()).hexdigest()


def train_bundle(
    datasets_dir: Path | None = None,
    extra_labels: Iterable[tuple[str, str]] = (),
    *,
    random_state: int = 0,
    progress: Progress | None = None,
    exclude: Collection[str] = (),
    holdout_videos: Collection[str] = (),
) -> ModelBundle:
    """Train the spam/toxicity bundle from the data sets plus extra (text, label) pairs."""
    report = progress or _noop
    started = time.perf_counter()
    total = 3 + len(HEADS)
    report("load data", 0, total)
    rows = collect_rows(datasets_dir, exclude, holdout_videos)
    extra = [(str(t), str(lab).strip().lower()) for t, lab in extra_labels]
    bad = [lab for _, lab in extra if lab not in ("spam", "ham", "toxic", "ok")]
    if bad:
        raise ValueError(f"extra label must be spam/ham/toxic/ok, got {bad[0]!r}")
    texts: dict[str, int] = {}
    for t in [r.text for r in rows] + [t for t, _ in extra]:
        texts.setdefault(t, len(texts))
    unique = list(texts)
    report("vocabulary", 1, total)
    vec = CommentVectorizer(ngram_range=PARAMS["ngram_range"], min_df=PARAMS["min_df"],
                            max_features=PARAMS["max_features"], meta_weight=PARAMS["meta_weight"])
    vec.fit(unique)
    report("vectorise", 2, total)
    x = vec.transform(unique)
    heads = _build_heads(rows, extra, texts)
    coefs, intercepts, thresholds, metrics = [], [], {}, {}
    for step, head in enumerate(HEADS, start=3):
        report(f"fit {head}", step, total)
        hd = heads[head]
        y, w = np.asarray(hd.y), np.asarray(hd.w, dtype=np.float64)
        folds = PARAMS["calibration_folds"] if head in POSITIVE else 1
        coef, b, oof = _fit_head(x[hd.idx], y, w, PARAMS["C"][head], folds, random_state)
        coefs.append(coef)
        intercepts.append(b)
        if head in POSITIVE:
            metrics[f"{head}_oof_roc_auc"] = round(float(roc_auc_score(y, oof, sample_weight=w)), 5)
            thresholds[head] = _thresholds(oof, y, PARAMS["flag_fpr"], PARAMS["reject_fpr"])
    created = datetime.now(UTC)
    dhash = data_hash([(r.source, r.label, r.text) for r in rows]
                      + [("extra", lab, t) for t, lab in extra])
    short = hashlib.sha256(f"{dhash}{created.isoformat()}{random_state}".encode()).hexdigest()[:8]
    counts: dict[str, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r.source, {}).setdefault(r.label, 0)
        counts[r.source][r.label] += 1
    for _, lab in extra:
        counts.setdefault("extra", {}).setdefault(lab, 0)
        counts["extra"][lab] += 1
    metadata: dict[str, Any] = {
        "version": f"{created:%Y.%m.%d}-{short}",
        "created_at": created.isoformat(),
        "sklearn_version": sklearn.__version__,
        "data_hash": dhash,
        "metrics": metrics,
        "thresholds": thresholds,
        "params": {**PARAMS, "ngram_range": list(PARAMS["ngram_range"]),
                   "random_state": random_state, "source_weights": SOURCE_WEIGHTS,
                   "vocabulary_min_df": int(vec.min_df_), "n_features": int(vec.n_features_out_)},
        "label_counts": counts,
        "excluded": sorted(exclude),
        "holdout_videos": sorted(holdout_videos),
    }
    bundle = ModelBundle(vec, np.column_stack(coefs), np.asarray(intercepts), metadata)
    metadata["train_seconds"] = round(time.perf_counter() - started, 1)
    report("done", total, total)
    return bundle
