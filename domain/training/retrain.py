"""Retraining: base data plus every label makes a candidate; it goes live only through the gate."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from classifier import ModelBundle, ModelRegistry, evaluate_rows
from classifier.adaptation import adapt_to_labels
from classifier.comparison import paired_auc_gain
from classifier.data import base_holdout
from domain.scoring.decide import own_thresholds
from domain.store import Store
from domain.store.labels import Label
from domain.training.gate import carry_thresholds, gate
from domain.vocabulary import AXES, AXIS_OF_LABEL

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
HOLDOUT_BUCKETS = 5  # one in five labelled texts is kept out of training, by a hash of its text
# Labels a site sends through its API key (feedback, Akismet/Perspective compatibility) count
# half as much as a moderator's decision or an operator's import: any key holder can send them.
API_SOURCES = ("feedback", "akismet", "perspective")
API_LABEL_WEIGHT = 0.5


@dataclass
class RetrainReport:
    """What a retraining run produced and decided."""

    version: str
    promoted: bool
    previous: str | None
    metrics: dict[str, Any]
    checks: list[dict[str, Any]] = field(default_factory=list)
    labels_used: int = 0
    labels_held_out: int = 0
    thresholds_carried: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    adapters: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON the `retrain --json` command prints."""
        return {
            "version": self.version,
            "promoted": self.promoted,
            "previous": self.previous,
            "metrics": self.metrics,
            "checks": self.checks,
            "labels_used": self.labels_used,
            "labels_held_out": self.labels_held_out,
            "thresholds_carried": self.thresholds_carried,
            "reason": self.reason,
            "adapters": self.adapters,
        }


def is_held_out(text: str) -> bool:
    """Whether a labelled text belongs to the fixed held-out slice of the labels."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
    return digest[0] % HOLDOUT_BUCKETS == 0


def split_labels(labels: Sequence[Label]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Split labels into (training, held-out) pairs; the latest label of a text wins."""
    train, held_out, _ = split_weighted_labels(labels)
    return train, held_out


def label_weight(label: Label) -> float:
    """How much one label counts in training (see API_LABEL_WEIGHT)."""
    return API_LABEL_WEIGHT if label.source in API_SOURCES else 1.0


def split_weighted_labels(
    labels: Sequence[Label],
) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[float]]:
    """(training pairs, held-out pairs, training weights); the latest label of a text wins."""
    latest: dict[tuple[str, str], Label] = {}
    for label in labels:
        latest[(label.text, AXIS_OF_LABEL[label.label])] = label
    train: list[tuple[str, str]] = []
    weights: list[float] = []
    held_out: list[tuple[str, str]] = []
    for (text, _axis), label in latest.items():
        if is_held_out(text):
            held_out.append((text, label.label))
        else:
            train.append((text, label.label))
            weights.append(label_weight(label))
    return train, held_out, weights


def evaluation_sets(held_out_labels: Sequence[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The fixed held-out split of the base data and the held-out labels, per axis."""
    sets: dict[str, list[tuple[str, str]]] = {
        f"base/{axis}": rows for axis, rows in base_holdout().items()
    }
    for axis in AXES:
        rows = [(t, lab) for t, lab in held_out_labels if AXIS_OF_LABEL[lab] == axis]
        if rows:
            sets[f"moderators/{axis}"] = rows
    return sets


def evaluate(bundle: ModelBundle, sets: dict[str, list[tuple[str, str]]]) -> dict[str, Any]:
    """Evaluate a bundle on every set."""
    return {name: evaluate_rows(bundle, rows) for name, rows in sets.items()}


def publisher_gains(candidate: ModelBundle, current: ModelBundle,
                    sets: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, float]]:
    """Paired-bootstrap ROC AUC gains on the publisher's held-out labels, per axis."""
    gains: dict[str, dict[str, float]] = {}
    for name, rows in sets.items():
        if not name.startswith("moderators/"):
            continue
        axis = name.split("/", 1)[1]
        y = np.array([label in ("spam", "toxic") for _, label in rows], dtype=int)
        if not 0 < y.sum() < len(y):
            continue
        texts = [text for text, _ in rows]
        head = candidate.heads.index(axis)
        gains[name] = paired_auc_gain(y, candidate.predict_heads(texts)[:, head],
                                      current.predict_heads(texts)[:, head]).as_dict()
    return gains


def retrain(
    store: Store, registry: ModelRegistry, progress: Progress | None = None
) -> RetrainReport:
    """Train the base model, adapt it to the labels, evaluate beside the current model, gate it.

    Labels about one axis adapt only that axis (classifier.adaptation): toxicity labels never
    move a spam score.
    """
    # a label of a comment in another language trains that language's model, never this one
    labels = [x for x in store.labels.all() if x.language in (None, "en")]
    train_labels, held_out_labels, weights = split_weighted_labels(labels)
    current = registry.ensure_current()
    base = registry.base_model(progress=progress)
    candidate = adapt_to_labels(base, train_labels, weights)
    sets = evaluation_sets(held_out_labels)
    candidate_metrics = evaluate(candidate, sets)
    current_metrics = evaluate(current, sets)
    gains = publisher_gains(candidate, current, sets)
    result = gate(candidate_metrics, current_metrics, gains)
    candidate.metadata.update(
        label_count=len(labels),
        evaluation={"candidate": candidate_metrics, "previous": current_metrics},
        gate={"promote": result.promote, "checks": result.checks, "reason": result.reason},
        parent_version=current.version,
    )
    registry.save(candidate)
    report = RetrainReport(
        version=candidate.version,
        promoted=result.promote,
        previous=current.version,
        metrics={"candidate": candidate_metrics, "current": current_metrics},
        checks=result.checks,
        labels_used=len(train_labels),
        labels_held_out=len(held_out_labels),
        reason=result.reason,
        adapters=candidate.metadata.get("adapters", {}),
    )
    if result.promote:
        report.thresholds_carried = promote(store, registry, candidate.version)
    log.info("retrained %s: promoted=%s", candidate.version, result.promote)
    return report


def needs_retraining(store: Store, registry: ModelRegistry, min_new_labels: int) -> bool:
    """Whether at least ``min_new_labels`` labels arrived since the current model was trained."""
    current = registry.ensure_current()
    trained_on = int(current.metadata.get("label_count", 0))
    new_labels = store.labels.count_since(None) - trained_on
    return new_labels >= min_new_labels


def _holdout_scores(bundle: ModelBundle) -> dict[str, np.ndarray]:
    """A bundle's scores on the fixed held-out base texts, per axis."""
    scores: dict[str, np.ndarray] = {}
    for axis, rows in base_holdout().items():
        results = bundle.score([text for text, _ in rows])
        scores[axis] = np.array([getattr(result, axis) for result in results])
    return scores


def carry_site_thresholds(store: Store, old: ModelBundle, new: ModelBundle) -> dict[str, Any]:
    """Re-express every site's own thresholds for the new model so they cut the same share.

    Only the lines a site set itself move (``own_thresholds``); the others keep following the
    model's recommendation, as ``thresholds_for`` assembles them.
    """
    own = [(site, own_thresholds(site.policy)) for site in store.sites.all()]
    sites = [(site, lines) for site, lines in own if lines]
    if not sites or old.version == new.version:
        return {}
    old_scores, new_scores = _holdout_scores(old), _holdout_scores(new)
    carried: dict[str, Any] = {}
    for site, lines in sites:
        thresholds = carry_thresholds(lines, old_scores, new_scores)
        store.sites.set_policy(site.slug, {**site.policy, "thresholds": thresholds})
        carried[site.slug] = thresholds
    return carried


def promote(store: Store, registry: ModelRegistry, version: str) -> dict[str, Any]:
    """Make a version current, carrying sites' thresholds over; workers notice within seconds."""
    new = registry.load(version)
    old = registry.load_current()
    carried = carry_site_thresholds(store, old, new) if old else {}
    registry.promote(version)
    return carried


def rollback(store: Store, registry: ModelRegistry) -> tuple[str, dict[str, Any]]:
    """Return to the previously promoted version, carrying sites' thresholds back."""
    old = registry.load_current()
    version = registry.rollback()
    carried = carry_site_thresholds(store, old, registry.load(version)) if old else {}
    return version, carried
