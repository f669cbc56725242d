"""A small circuit breaker: after Redis fails, skip it for a moment instead of waiting each time."""

from __future__ import annotations

import threading
import time


class Breaker:
    """Open for `backoff_seconds` after a failure; callers check `closed` before trying."""

    def __init__(self, backoff_seconds: float = 1.0) -> None:
        self._backoff = backoff_seconds
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def closed(self) -> bool:
        """Whether calls may go through now."""
        return time.monotonic() >= self._open_until

    def trip(self) -> None:
        """Record a failure: skip calls for the back-off period."""
        with self._lock:
            self._open_until = time.monotonic() + self._backoff
