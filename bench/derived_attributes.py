"""How the derived Perspective attributes behave on the labelled data we ship (docs/model.md).

Prints, per attribute, ROC AUC against the labels that exist (Jigsaw `toxic`; Davidson
hate speech vs offensive language) and how often the threat rule fires on civil comments.
Run: .venv/bin/python -m bench.derived_attributes
"""

from __future__ import annotations

import csv
from pathlib import Path

from sklearn.metrics import roc_auc_score

from bench.stack import trained_models_dir
from classifier.registry import ModelRegistry
from domain.scoring import derived

DATA = Path(__file__).resolve().parent.parent / "classifier" / "datasets"


def _rows(name: str, limit: int = 3000) -> list[dict[str, str]]:
    """An evenly spaced sample of a shipped set's comments.csv (the files are sorted by label)."""
    with (DATA / name / "comments.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return rows[:: max(1, len(rows) // limit)]


def main() -> None:
    """Score two shipped sets and print the table."""
    registry = ModelRegistry(trained_models_dir())
    bundle = registry.load(str(registry.current_version()))
    jigsaw = _rows("jigsaw-toxic-wikipedia")
    davidson = [r for r in _rows("davidson-hate-offensive") if r["fine_label"] != "neither"]
    for label, rows, truth in (
        ("jigsaw toxic vs ok", jigsaw, [r["label"] == "toxic" for r in jigsaw]),
        (
            "davidson hate vs offensive",
            davidson,
            [r["fine_label"] == "hate_speech" for r in davidson],
        ),
    ):
        texts = [r["text"] for r in rows]
        scores = bundle.score(texts)
        values = {
            "TOXICITY": [s.toxicity for s in scores],
            "SEVERE_TOXICITY": [derived.severe_toxicity(s) for s in scores],
            "INSULT": [derived.insult(t, s) for t, s in zip(texts, scores, strict=True)],
            "THREAT": [derived.threat(t, s) for t, s in zip(texts, scores, strict=True)],
        }
        print(f"{label} (n={len(rows)})")
        for name, vals in values.items():
            print(f"  {name:16} roc_auc {roc_auc_score(truth, vals):.3f}")
    civil = [r["text"] for r in jigsaw if r["label"] == "ok"]
    fired = sum(derived.states_threat(t) for t in civil)
    print(f"threat rule fires on {fired} of {len(civil)} civil Jigsaw comments")


if __name__ == "__main__":
    main()
