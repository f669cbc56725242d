"""The two axes the models score and the label values that train them, defined once."""

from __future__ import annotations

AXES = ("spam", "toxicity")
SPAM_LABELS = ("spam", "ham")
TOXICITY_LABELS = ("toxic", "ok")
LABEL_VALUES = (*SPAM_LABELS, *TOXICITY_LABELS)
AXIS_OF_LABEL = {
    **{label: "spam" for label in SPAM_LABELS},
    **{label: "toxicity" for label in TOXICITY_LABELS},
}
POSITIVE_LABELS = ("spam", "toxic")
