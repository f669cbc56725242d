"""Retraining the other languages' models from moderators' labels, and their gate, per language.

Only a language with labels is refitted; every other language keeps its current model, so a
German label moves neither the English model (domain/training/retrain.py leaves it out) nor
the Korean one. Each refitted language must not lose ROC AUC on its fixed evaluation split.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from classifier.data import Row
from classifier.languages import LanguageModels
from classifier.languages.bundle import evaluate_language
from classifier.languages.data import LANGUAGE_SETS, language_rows
from classifier.languages.training import train_language
from domain.scoring.languages import LanguageModelsProvider
from domain.store import Store

log = logging.getLogger(__name__)
TOLERANCE = 0.005  # ROC AUC a candidate may lose on a language's evaluation split
TOXICITY_LABELS = ("toxic", "ok")


@dataclass
class LanguageRetrainReport:
    """What a language retraining did: per language, labels used and the two models' figures."""

    version: str
    promoted: bool
    previous: str
    languages: dict[str, dict[str, Any]] = field(default_factory=dict)


def labels_by_language(store: Store) -> dict[str, list[tuple[str, str]]]:
    """Moderators' toxicity labels of comments in each covered language (English excluded)."""
    grouped: dict[str, list[tuple[str, str]]] = {}
    for label in store.labels.all():
        if label.language in LANGUAGE_SETS and label.label in TOXICITY_LABELS:
            grouped.setdefault(label.language, []).append((label.text, label.label))
    return grouped


def retrain_languages(
    store: Store, provider: LanguageModelsProvider
) -> LanguageRetrainReport | None:
    """Refit the languages that have labels, gate each on its evaluation split, promote or not.

    None when no covered language has a label yet.
    """
    grouped = labels_by_language(store)
    if not grouped:
        return None
    current = provider.current()
    models = dict(current.models)
    figures: dict[str, dict[str, Any]] = {}
    for language, extra in grouped.items():
        train, evaluation = language_rows(language)
        rows = train + [Row(text, label, "extra") for text, label in extra]
        candidate = train_language(language, rows)
        models[language] = candidate
        before = evaluate_language(current, language, evaluation)
        after = evaluate_language(LanguageModels({language: candidate}, current.spam), language,
                                  evaluation)
        figures[language] = {"labels": len(extra), "current": before, "candidate": after,
                             "passed": after["roc_auc"] >= before["roc_auc"] - TOLERANCE}
    promote = all(f["passed"] for f in figures.values())
    # a name of its own even when the labels did not change since the last retraining: a
    # version, once saved (and handed to every node), is never overwritten
    created = datetime.now(UTC)
    labels = sum(len(v) for v in grouped.values())
    version = f"{current.version.split('+')[0]}+labels-{labels}-{created:%Y%m%d%H%M%S}"
    meta = dict(current.metadata, version=version, parent_version=current.version,
                created_at=created.isoformat(),
                extra_labels={k: len(v) for k, v in grouped.items()}, gate=figures)
    candidate_models = LanguageModels(models, current.spam, meta)
    provider.registry.save(candidate_models)
    if promote:
        provider.registry.promote(version)
    log.info("languages retrained %s: promoted=%s", version, promote)
    return LanguageRetrainReport(version, promote, current.version, figures)
