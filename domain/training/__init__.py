"""Training: labels plus base data make a candidate, the gate decides, promotion puts it live."""

from domain.training.retrain import (
    RetrainReport,
    needs_retraining,
    promote,
    retrain,
    rollback,
)

__all__ = ["RetrainReport", "needs_retraining", "promote", "retrain", "rollback"]
