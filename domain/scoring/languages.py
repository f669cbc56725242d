"""Which model reads a comment, by its language, and the site's policy for the ones none reads.

English goes to the English model; a language with its own model (classifier/languages) to
that model with its own lines; every other language (or a language the site does not accept)
goes to the site's policy: flagged (default) or rejected, with a reason, never scored as
English. Spam signals that do not depend on the language still count everywhere.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from classifier import Score
from classifier.languages import (
    UNDETERMINED,
    Detection,
    LanguageModels,
    LanguageRegistry,
    detect_language,
)
from classifier.version_store import VersionStore
from config import Settings
from domain.records import Verdict
from domain.scoring.decide import decide, thresholds_for
from domain.vocabulary import DecidedBy, Status

log = logging.getLogger(__name__)

ENGLISH = "en"
UNSUPPORTED = "language:unsupported"
NOT_ACCEPTED = "language:not_accepted"
ACTIONS = {"flag": Status.FLAGGED, "reject": Status.REJECTED}
_SEVERITY = {Status.APPROVED: 0, Status.FLAGGED: 1, Status.REJECTED: 2}


@dataclass(frozen=True)
class LanguagePolicy:
    """A site's language settings, read from its policy JSON."""

    default_language: str = ENGLISH
    accepted: frozenset[str] = frozenset()  # empty: every language
    action: Status = Status.FLAGGED  # for a language no model covers (never "score as English")

    @classmethod
    def of(cls, site_policy: Mapping[str, Any]) -> LanguagePolicy:
        """The policy's language settings, each falling back to the default."""
        default = str(site_policy.get("default_language") or ENGLISH).lower()
        accepted = site_policy.get("accepted_languages") or []
        action = ACTIONS.get(str(site_policy.get("unsupported_language_action") or "flag"),
                             Status.FLAGGED)
        return cls(default, frozenset(str(x).lower() for x in accepted), action)

    def accepts(self, language: str) -> bool:
        """Whether the site takes comments in ``language``."""
        return not self.accepted or language in self.accepted


class LanguageModelsProvider:
    """Loads the current language models lazily and notices a newly promoted version.

    With a version store (the database by default) every node follows the same promoted
    version, downloaded into its own folder, as ``ModelProvider`` does for the English model.
    """

    def __init__(self, models_dir: Path, poll_seconds: float = 2.0,
                 store: VersionStore | None = None) -> None:
        self.registry = LanguageRegistry(models_dir, store)
        self._poll = poll_seconds
        self._models: LanguageModels | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings,
                      store: VersionStore | None) -> LanguageModelsProvider:
        """The provider of an installation: its version store of the ``languages`` kind (the
        database's by default), its cache folder and poll period."""
        return cls(settings.effective_models_dir, settings.model_poll_seconds, store)

    def current(self) -> LanguageModels:
        """The current language models, training them on first use if no node has."""
        models = self._models
        if models is not None and time.monotonic() - self._checked < self._poll:
            return models
        with self._lock:
            self._checked = time.monotonic()
            try:
                wanted = self.registry.current_version()
            except Exception:
                if self._models is None:
                    raise
                log.warning("cannot read the promoted language models; keeping %s",
                            self._models.version, exc_info=True)
                return self._models
            if self._models is None or wanted != self._models.version:
                self._models = self.registry.ensure_current()
                log.info("language models %s loaded", self._models.version)
            return self._models


def detect(texts: Sequence[str], policies: Sequence[LanguagePolicy]) -> list[Detection]:
    """Each comment's language, with its site's default language as the tie-breaker."""
    return [detect_language(t, p.default_language) for t, p in zip(texts, policies, strict=True)]


def reader(detection: Detection, policy: LanguagePolicy, models: LanguageModels) -> str:
    """``en`` (English model), a covered language code, ``UNSUPPORTED`` or ``NOT_ACCEPTED``."""
    language = detection.language
    if language != UNDETERMINED and not policy.accepts(language):
        return NOT_ACCEPTED
    if language == ENGLISH:
        return ENGLISH
    if models.covers(language):
        return language
    return UNSUPPORTED


def language_verdict(site_policy: Mapping[str, Any], language: str, score: Score,
                     models: LanguageModels) -> Verdict:
    """The verdict on a covered language's score: the model's lines, or the site's for it."""
    site_lines = (site_policy.get("language_thresholds") or {}).get(language) or {}
    thresholds = thresholds_for({"thresholds": site_lines}, models.thresholds(language))
    return decide({"spam": score.spam, "toxicity": score.toxicity}, thresholds)


def policy_verdict(policy: LanguagePolicy, reason: str, spam: float,
                   models: LanguageModels) -> Verdict:
    """The site's action for a language no model covers; spam over its lines still counts."""
    lines = models.spam.thresholds
    status, reasons = policy.action, [reason]
    if spam >= lines.get("reject", 1.0):
        status, reasons = Status.REJECTED, [*reasons, "spam:above_reject"]
    elif spam >= lines.get("flag", 1.0):
        reasons.append("spam:above_flag")
    if _SEVERITY[policy.action] > _SEVERITY[status]:
        status = policy.action
    return Verdict(status, DecidedBy.MODEL, tuple(reasons))
