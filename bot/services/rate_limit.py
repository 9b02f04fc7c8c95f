"""A per-person limit on messages, so one sender cannot flood carebot or its staff alerts.

In memory, per process: enough for one carebot process; several workers would each count
separately (docs/deploy.md). Safeguarding is screened before this limit is applied.
"""

from __future__ import annotations

import time

from bot.sliding_windows import SlidingWindows


class RateLimiter:
    def __init__(self, max_messages: int = 20, per_seconds: float = 60.0, max_people: int = 50_000):
        self.max_messages = max_messages
        self.per_seconds = per_seconds
        self._seen = SlidingWindows(per_seconds, max_keys=max_people)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        allowed = self._seen.count(key, now) < self.max_messages
        if allowed:
            self._seen.add(key, now)
        return allowed
