"""What judging reads from the store: each site's compiled rules and its authors' history."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence

from domain.policies import premoderation
from domain.policies.judge import Case
from domain.policies.reputation import ReputationPolicy
from domain.policies.rules import RuleSet
from domain.store.policies import AuthorHistory, HistoryRepository, RuleRepository

REFRESH_SECONDS = 2.0


class RuleBook:
    """Each site's rules compiled once, and again only when they change.

    Every few seconds one grouped query reads each site's (count, highest id) of rules; a
    site whose pair changed is recompiled, so a rule added on the admin page applies to the
    next comments in every worker within seconds.
    """

    def __init__(self, repository: RuleRepository, refresh_seconds: float = REFRESH_SECONDS):
        self._repository = repository
        self._refresh_seconds = refresh_seconds
        self._checked_at = -refresh_seconds
        self._versions: dict[int, tuple[int, int]] = {}
        self._compiled: dict[int, tuple[tuple[int, int], RuleSet]] = {}
        self._lock = threading.Lock()

    def for_sites(self, site_ids: Iterable[int]) -> dict[int, RuleSet]:
        """The compiled rules of these sites (sites without rules are left out)."""
        with self._lock:
            if time.monotonic() - self._checked_at >= self._refresh_seconds:
                self._versions = self._repository.versions()
                self._checked_at = time.monotonic()
            found = {}
            for site_id in set(site_ids):
                version = self._versions.get(site_id)
                if version is None:
                    continue
                cached = self._compiled.get(site_id)
                if cached is None or cached[0] != version:
                    cached = (version, RuleSet(self._repository.for_site(site_id)))
                    self._compiled[site_id] = cached
                found[site_id] = cached[1]
            return found

    def forget(self) -> None:
        """Read every site's rules again on the next call (after a change in this process)."""
        with self._lock:
            self._checked_at = -self._refresh_seconds


def histories_for(
    cases: Sequence[Case], repository: HistoryRepository
) -> dict[tuple[int, str], AuthorHistory]:
    """The history of each author whose section's policy needs it, one query per window."""
    by_window: dict[float, set[tuple[int, str]]] = {}
    for case in cases:
        policy = premoderation.section_policy(case.site_policy, case.section)
        if case.email and premoderation.needs_history(policy):
            window = ReputationPolicy.of(policy).window_days
            by_window.setdefault(window, set()).add((case.site_id, case.email))
    found: dict[tuple[int, str], AuthorHistory] = {}
    for window, authors in by_window.items():
        found.update(repository.of_authors(authors, window))
    return found
