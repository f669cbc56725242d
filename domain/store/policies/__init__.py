"""The SQL of newsroom policies: rules, authors' history (reputation), alerts and nudges."""

from domain.store.policies.alerts import AlertRepository, StoredAlert
from domain.store.policies.history import AuthorHistory, HistoryRepository
from domain.store.policies.rules import RuleRepository

__all__ = ["AlertRepository", "AuthorHistory", "HistoryRepository", "RuleRepository", "StoredAlert"]
