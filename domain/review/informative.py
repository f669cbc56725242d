"""The review queue's "teaches the model most" order (`sort=informative`, issue #17).

The English model ranks the oldest waiting (flagged) comments a moderator may see by how much
a decision on each would teach it (classifier/active_learning.py: hesitation near the flag
line x novelty against the latest labels x typicality among the waiting), greedily: a picked
comment counts as labelled for the rest, so its near-copies drop down the order. The queue
shows them in that order; comments in other languages (the English model cannot judge them)
and those beyond the ranked pool follow, most uncertain first. A ranking is kept
``CACHE_SECONDS`` per set of visible sites, so paging is stable and cheap. Without a model
(none trained yet, or one that cannot be loaded) the queue falls back to the uncertainty order
and says so.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from classifier import ModelBundle
from classifier.active_learning import ALIKE, assess
from domain.records import Comment
from domain.review.decisions import flag_lines
from domain.scoring.model_provider import ModelProvider
from domain.store import Store
from domain.store.review.listing import WaitingComment
from domain.vocabulary import AXES, Status

log = logging.getLogger(__name__)

POOL = 1_000  # the oldest waiting English comments ranked; younger ones follow them
LABELLED = 2_000  # the latest labelled texts novelty is measured against
CACHE_SECONDS = 30.0  # a ranking is reused this long per set of visible sites
# Hints. Borderline: the score's logit within ln 2 of the flag line (on a 0.8 line, scores of
# 0.67-0.89). Unlike anything labelled: no labelled comment shares more than 0.15 cosine of
# character grams (the most novel quarter of news comments against 2,000 labelled ones).
BORDERLINE = 0.5
NOVEL = 0.85


@dataclass(frozen=True)
class Hint:
    """Why a ranked comment would teach the model: the parts of its worth a moderator can read."""

    borderline: bool  # the model hesitates: its score is near the site's flag line
    novel: bool  # unlike every labelled comment
    like_labelled: bool  # a near-copy of a labelled comment (it teaches little more)
    alike: int  # how many other waiting comments are near-copies or rewordings of it

    def phrases(self) -> list[str]:
        """The hint in a few words each, most telling first."""
        words = []
        if self.borderline:
            words.append("borderline")
        if self.novel:
            words.append("unlike anything labelled")
        elif self.like_labelled:
            words.append("like a labelled comment")
        if self.alike:
            words.append(f"like {self.alike} waiting comment{'s' if self.alike > 1 else ''}")
        return words or ["clear of the flag line"]


@dataclass(frozen=True)
class Ranking:
    """The waiting comments' ids, most informative first, with each one's hint.

    ``note`` says why the queue is in uncertainty order instead (no model); then ``ids`` is
    empty. ``full``: the pool held ``pool`` comments, so younger ones were left unranked.
    """

    ids: tuple[str, ...] = ()
    hints: Mapping[str, Hint] = field(default_factory=dict)
    note: str | None = None
    pool: int = POOL
    full: bool = False

    def why(self, comment: Comment) -> list[str]:
        """What the queue says on a comment's row about its place in this order."""
        hint = self.hints.get(comment.id)
        if hint is not None:
            return hint.phrases()
        if self.note or comment.status is not Status.FLAGGED:
            return []
        if comment.language not in (None, "en"):
            return ["not ranked: another language, which the English model cannot judge"]
        if self.full:
            return [f"not ranked: newer than the {self.pool:,} oldest waiting"]
        return [f"not ranked yet: it arrived after the order was drawn up (every "
                f"{CACHE_SECONDS:.0f} s)"]


def rank(bundle: ModelBundle, waiting: Sequence[WaitingComment], labelled: Sequence[str],
         lines: Mapping[int, tuple[float, float]], pool: int = POOL) -> Ranking:
    """Rank the waiting comments by what a decision on each would teach the model.

    ``labelled``: the latest labelled texts; ``lines``: each site's (spam, toxicity) flag
    lines by site id (a site without its own follows the model's); ``pool``: the most
    comments the caller asked for (``waiting`` holding that many means some were left out).
    """
    own = tuple(float(bundle.thresholds[axis]["flag"]) for axis in AXES)
    per_axis = {axis: [lines.get(w.site_id, own)[i] for w in waiting]
                for i, axis in enumerate(AXES)}
    found = assess(bundle, [w.body for w in waiting], labelled, AXES, per_axis)
    hints = {
        w.id: Hint(borderline=bool(found.hesitation[i] >= BORDERLINE),
                   novel=bool(labelled) and bool(found.novelty[i] >= NOVEL),
                   like_labelled=bool(found.novelty[i] <= 1.0 - ALIKE),
                   alike=int(found.alike[i]))
        for i, w in enumerate(waiting)
    }
    return Ranking(tuple(waiting[i].id for i in found.order), hints, pool=pool,
                   full=len(waiting) >= pool)


class Rankings:
    """The rankings of the last ``seconds``, per set of visible sites (one cache per process)."""

    def __init__(self, seconds: float = CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._seconds = seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[tuple[int, ...], tuple[float, Ranking]] = {}
        self._computing: dict[tuple[int, ...], threading.Lock] = {}

    def get(self, key: tuple[int, ...], compute: Callable[[], Ranking]) -> Ranking:
        """The kept ranking for ``key`` if it is fresh, else a new one (computed once even
        when several requests ask at the same moment)."""
        with self._lock:
            lock = self._computing.setdefault(key, threading.Lock())
        with lock:
            now = self._clock()
            with self._lock:
                kept = self._kept.get(key)
                if kept is not None and now - kept[0] < self._seconds:
                    return kept[1]
            ranking = compute()
            with self._lock:
                self._kept = {k: v for k, v in self._kept.items()
                              if now - v[0] < self._seconds}
                self._kept[key] = (now, ranking)
            return ranking


def informative_ranking(store: Store, models: ModelProvider, rankings: Rankings,
                        site_ids: Mapping[str, int]) -> Ranking:
    """The informative order of the waiting comments of these sites (slug -> id), from the
    cache when it is fresh."""
    key = tuple(sorted(site_ids.values()))
    return rankings.get(key, lambda: _rank_now(store, models, site_ids))


def _rank_now(store: Store, models: ModelProvider, site_ids: Mapping[str, int]) -> Ranking:
    """Rank the waiting comments now, or say why the queue falls back to uncertainty order."""
    instead = "so the queue is sorted most uncertain first instead."
    try:
        bundle = models.current_if_trained()
    except Exception:  # noqa: BLE001 - any failure to load means: fall back, and say so
        log.warning("informative order: the model cannot be loaded", exc_info=True)
        return Ranking(note=f"The model could not be loaded to say which comments would "
                            f"teach it most, {instead}")
    if bundle is None:
        return Ranking(note=f"No model has been trained yet to say which comments would "
                            f"teach it most, {instead}")
    waiting = store.moderation.oldest_waiting(sorted(site_ids), POOL)
    labelled = store.labels.recent_english_texts(LABELLED)
    return rank(bundle, waiting, labelled, flag_lines(store, models, site_ids))
