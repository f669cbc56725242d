"""Per-language evaluation: variants by cross-validation on training rows, then the held-out split.

``python -m classifier.languages.report cv`` compares ``VARIANTS`` and the plain baseline by
cross-validation on each language's training rows only. ``python -m classifier.languages.report
final`` reads each evaluation split (once, after the choice is written into ``CHOSEN``) and
scores the chosen variant beside the baseline, both trained on the same training rows.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from classifier.languages.artifact import LanguageRegistry
from classifier.languages.bundle import LanguageModels
from classifier.languages.data import LANGUAGE_SETS, language_rows
from classifier.languages.training import (
    CHOSEN,
    CV_FOLDS,
    VARIANTS,
    fit_baseline,
    metrics,
    out_of_fold,
    train_language,
)

REPORT = Path(__file__).resolve().parents[2] / "docs" / "languages-evaluation.json"


def cross_validate(language: str, folds: int) -> dict[str, Any]:
    """CV ROC AUC of every variant and of the baseline on the language's training rows."""
    train, _ = language_rows(language)
    out: dict[str, Any] = {"folds": folds,
                           "baseline": metrics(train, out_of_fold(language, train, None, folds))}
    for variant in VARIANTS:
        out[variant.name()] = metrics(train, out_of_fold(language, train, variant, folds))
    return out


def held_out(language: str, models: LanguageModels | None) -> dict[str, Any]:
    """The chosen model and the baseline, trained on the training rows, on the evaluation rows.

    ``models``: production models already trained on exactly these rows (saves the refit).
    """
    train, evaluation = language_rows(language)
    texts = [r.text for r in evaluation]
    model = models.models[language] if models else train_language(language, train)
    return {"chosen": CHOSEN[language].name(),
            "model": metrics(evaluation, model.predict(texts)),
            "baseline": metrics(evaluation, fit_baseline(train).predict(texts)),
            "thresholds": model.thresholds, "n_train": len(train)}


NAMES = {"de": "German (GermEval 2018, tweets)", "pt": "Portuguese (ToLD-Br, tweets)",
         "zh": "Chinese (COLD, Zhihu and Weibo)",
         "ko": "Korean (BEEP!, entertainment-news comments)"}


def markdown(report: dict[str, Any]) -> str:
    """One section per language: the CV table of every variant, then the held-out figures."""
    out = []
    for language, stages in report.items():
        out.append(f"### {NAMES.get(language, language)}\n")
        cv = stages.get("cv") or {}
        folds = cv.get("folds", CV_FOLDS)
        out.append(f"Cross-validation on the training rows only ({folds} folds; "
                   f"{len([k for k in cv if k not in ('folds', 'baseline')])} variants tried):\n")
        out.append("| recipe | ROC AUC | PR AUC |\n| --- | --- | --- |")
        for name, m in cv.items():
            if isinstance(m, dict):
                label = "plain char 1-3 baseline" if name == "baseline" else name
                out.append(f"| {label} | {m['roc_auc']} | {m['pr_auc']} |")
        final = stages.get("final")
        if final:
            model, base = final["model"], final["baseline"]
            out.append(f"\nEvaluation split, read once ({model['n']} rows, {model['toxic']} toxic; "
                       f"trained on {final['n_train']} rows): chosen `{final['chosen']}` ROC AUC "
                       f"**{model['roc_auc']}** (PR AUC {model['pr_auc']}) beside the baseline "
                       f"trained on the same rows {base['roc_auc']} (PR AUC {base['pr_auc']}). "
                       f"Lines: flag {final['thresholds']['flag']:.3f}, "
                       f"reject {final['thresholds']['reject']:.3f}.")
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> None:
    """Run one stage for the languages named (all by default) and merge it into the report.

    ``MODELS_DIR=<folder>`` lets ``final`` use production models trained there;
    ``FOLDS=<k>`` sets the folds of ``cv``.
    """
    stage, languages = argv[0], argv[1:] or list(LANGUAGE_SETS)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    if stage == "markdown":
        print(markdown(report))
        return
    folder = os.environ.get("MODELS_DIR")
    models = LanguageRegistry(folder).ensure_current() if folder and stage == "final" else None
    for language in languages:
        if stage == "cv":
            result = cross_validate(language, int(os.environ.get("FOLDS", CV_FOLDS)))
        else:
            result = held_out(language, models)
        report.setdefault(language, {})[stage] = result
        print(language, stage, json.dumps(result), flush=True)
        REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
