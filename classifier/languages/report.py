"""Per-language evaluation: variants by cross-validation on training rows, then the held-out split.

``python -m classifier.languages.report cv`` compares ``VARIANTS`` and the plain baseline by
cross-validation on each language's training rows only. ``python -m classifier.languages.report
final`` reads each evaluation split (once, after the choice is written into ``CHOSEN``) and
scores the chosen variant beside the baseline, both trained on the same training rows.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from classifier.languages.data import LANGUAGE_SETS, language_rows
from classifier.languages.training import (
    CHOSEN,
    VARIANTS,
    fit_baseline,
    metrics,
    out_of_fold,
    train_language,
)

REPORT = Path(__file__).resolve().parents[2] / "docs" / "languages-evaluation.json"


def cross_validate(language: str) -> dict[str, Any]:
    """CV ROC AUC of every variant and of the baseline on the language's training rows."""
    train, _ = language_rows(language)
    out: dict[str, Any] = {"baseline": metrics(train, out_of_fold(language, train, None))}
    for variant in VARIANTS:
        out[variant.name()] = metrics(train, out_of_fold(language, train, variant))
    return out


def held_out(language: str) -> dict[str, Any]:
    """The chosen model and the baseline, trained on the training rows, on the evaluation rows."""
    train, evaluation = language_rows(language)
    texts = [r.text for r in evaluation]
    started = time.perf_counter()
    model = train_language(language, train)
    seconds = round(time.perf_counter() - started, 1)
    return {"chosen": CHOSEN[language].name(), "train_seconds": seconds,
            "model": metrics(evaluation, model.predict(texts)),
            "baseline": metrics(evaluation, fit_baseline(train).predict(texts)),
            "thresholds": model.thresholds, "n_train": len(train)}


def main(argv: list[str]) -> None:
    """Run one stage for the languages named (all by default) and merge it into the report."""
    stage, languages = argv[0], argv[1:] or list(LANGUAGE_SETS)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    for language in languages:
        result = cross_validate(language) if stage == "cv" else held_out(language)
        report.setdefault(language, {})[stage] = result
        print(language, stage, json.dumps(result), flush=True)
        REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
