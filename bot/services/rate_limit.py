"""A per-person limit on messages, so one sender cannot flood carebot or its staff alerts.

In memory, per process: enough for one carebot process; several workers would each count
separately (docs/deploy.md). Safeguarding is screened before this limit is applied.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque


class RateLimiter:
    def __init__(self, max_messages: int = 20, per_seconds: float = 60.0, max_people: int = 50_000):
        self.max_messages = max_messages
        self.per_seconds = per_seconds
        self.max_people = max_people
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        times = self._seen.pop(key, None) or deque()
        while times and now - times[0] >= self.per_seconds:
            times.popleft()
        allowed = len(times) < self.max_messages
        if allowed:
            times.append(now)
        self._seen[key] = times
        if len(self._seen) > self.max_people:
            self._seen.popitem(last=False)
        return allowed
