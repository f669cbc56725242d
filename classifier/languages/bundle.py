"""Every language model of one version, with the language-free spam signals, and training it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

from classifier.data import Row, load_dataset, youtube_holdout
from classifier.languages.data import LANGUAGE_SETS, language_rows
from classifier.languages.model import LanguageModel
from classifier.languages.spam import SpamSignals, signal_matrix
from classifier.languages.training import lines, metrics, out_of_fold, train_language
from classifier.scoring import Score

# Ordinary comments of each language taught to the spam signals as ham (a sample: enough to
# say "a long comment without links is not spam" in every script).
HAM_PER_LANGUAGE = 1500
# The spam signals are weak on their own (held-out YouTube ROC AUC about 0.66): their lines
# sit far out, so only comments full of links, contacts or money are held.
SPAM_FLAG_FPR = 0.01
SPAM_REJECT_FPR = 0.001
Progress = Callable[[str], None]


@dataclass
class LanguageModels:
    """The toxicity models of the languages we have data for, and spam signals for every text."""

    models: dict[str, LanguageModel]
    spam: SpamSignals
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """Reported as ``model_version`` of the verdicts these models made."""
        return str(self.metadata.get("version", "languages-unversioned"))

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a toxicity model, sorted."""
        return tuple(sorted(self.models))

    def covers(self, language: str) -> bool:
        """Whether texts in ``language`` get a toxicity score."""
        return language in self.models

    def thresholds(self, language: str) -> dict[str, dict[str, float]]:
        """Recommended lines of a covered language: its toxicity model's, the signals' spam."""
        return {"spam": dict(self.spam.thresholds),
                "toxicity": dict(self.models[language].thresholds)}

    def score(self, texts: Sequence[str], language: str) -> list[Score]:
        """Score texts that are all in one covered language; highlights when over the flag line."""
        model = self.models[language]
        toxicity = model.predict(texts)
        spam = self.spam.predict(texts)
        flag = model.thresholds.get("flag", 0.5)
        out = []
        for text, tox, sp in zip(texts, toxicity.tolist(), spam.tolist(), strict=True):
            spans = model.spans(text) if tox >= flag else []
            out.append(Score(spam=round(sp, 6), toxicity=round(tox, 6),
                             attributes={"language_model": 1.0}, spans=spans))
        return out

    def spam_scores(self, texts: Sequence[str]) -> list[float]:
        """The language-free spam probability of texts in any language."""
        return [round(p, 6) for p in self.spam.predict(texts).tolist()]


def _spam_rows(datasets_dir: Path | None) -> tuple[list[Row], list[Row]]:
    """(training rows, held-out YouTube rows) for the spam signals."""
    train, held_out = youtube_holdout(datasets_dir)
    rows = train + load_dataset("sms-spam", datasets_dir)
    rng = np.random.default_rng(0)
    for language in LANGUAGE_SETS:
        ok = [r for r in language_rows(language, datasets_dir)[0] if r.label == "ok"]
        pick = rng.permutation(len(ok))[:HAM_PER_LANGUAGE]
        rows += [Row(ok[i].text, "ham", ok[i].source) for i in sorted(pick.tolist())]
    return rows, held_out


def train_spam_signals(datasets_dir: Path | None = None) -> SpamSignals:
    """Fit the spam signals; lines from the ham rows' own scores (ten weights cannot overfit)."""
    rows, held_out = _spam_rows(datasets_dir)
    x, y = signal_matrix([r.text for r in rows]), np.array([r.label == "spam" for r in rows])
    fit = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    signals = SpamSignals(fit.coef_.ravel(), float(fit.intercept_[0]))
    scores = signals.predict([r.text for r in rows])
    as_toxic = [Row(r.text, "toxic" if r.label == "spam" else "ok", r.source) for r in rows]
    signals.thresholds = lines(as_toxic, scores, SPAM_FLAG_FPR, SPAM_REJECT_FPR)
    held = [Row(r.text, "toxic" if r.label == "spam" else "ok", r.source) for r in held_out]
    signals.metrics = {"youtube_held_out": metrics(held, signals.predict([r.text for r in held]))}
    return signals


def _with_extra(rows: list[Row], extra: Sequence[tuple[str, str]]) -> list[Row]:
    """Training rows plus moderators' labels (text, toxic|ok) of the same language."""
    return rows + [Row(text, label, "extra") for text, label in extra]


def train_language_models(datasets_dir: Path | None = None,
                          extra: Mapping[str, Sequence[tuple[str, str]]] | None = None,
                          progress: Progress | None = None) -> LanguageModels:
    """Train every language on its training rows (never its evaluation split) plus its labels."""
    extra = extra or {}
    models: dict[str, LanguageModel] = {}
    digest = hashlib.sha256()
    for language in LANGUAGE_SETS:
        if progress:
            progress(language)
        rows = _with_extra(language_rows(language, datasets_dir)[0], extra.get(language, ()))
        for row in rows:
            digest.update(f"{language}\x00{row.label}\x00{row.text}\x00".encode())
        models[language] = train_language(language, rows)
    spam = train_spam_signals(datasets_dir)
    created = datetime.now(UTC)
    version = f"languages-{created:%Y%m%d%H%M%S}-{digest.hexdigest()[:8]}"
    return LanguageModels(models, spam, {
        "version": version, "created_at": created.isoformat(),
        "sklearn_version": sklearn.__version__, "data_sha256": digest.hexdigest(),
        "languages": sorted(models), "extra_labels": {k: len(v) for k, v in extra.items()},
    })


def evaluate_language(models: LanguageModels, language: str,
                      rows: Sequence[Row]) -> dict[str, Any]:
    """ROC AUC and PR AUC of one language's model on rows (the promotion gate uses it)."""
    return metrics(rows, models.models[language].predict([r.text for r in rows]))


__all__ = ["LanguageModels", "train_language_models", "evaluate_language", "out_of_fold"]
