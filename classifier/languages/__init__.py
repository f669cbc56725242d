"""Comments in other languages: detection, per-language toxicity models, language-free spam."""

from classifier.languages.artifact import LanguageArtifactError, LanguageRegistry
from classifier.languages.bundle import LanguageModels, train_language_models
from classifier.languages.detect import UNDETERMINED, Detection, detect_language

__all__ = ["Detection", "LanguageArtifactError", "LanguageModels", "LanguageRegistry",
           "UNDETERMINED", "detect_language", "train_language_models"]
