"""Spam and toxicity scoring for comment moderation (pure scikit-learn; no models loaded here)."""

from classifier.evaluation import evaluate_rows
from classifier.label_files import read_labelled_csv
from classifier.registry import ArtifactError, ModelRegistry
from classifier.scoring import ModelBundle, Score, Span
from classifier.training import train_bundle

__all__ = [
    "ArtifactError", "ModelBundle", "ModelRegistry", "Score", "Span", "evaluate_rows",
    "read_labelled_csv", "train_bundle",
]
