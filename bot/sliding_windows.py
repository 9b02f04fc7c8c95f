"""Recent event times per key over a sliding window, in a bounded table: the one counter
behind the message rate limit, the invite-code try limits and the alert-flood folding.

In memory, per process (docs/deploy.md). Not locked: a caller that is used from several
threads holds its own lock around a count and its add, so the two are one step.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable


class SlidingWindows:
    """For each key, the times of its events in the last ``window_s`` seconds.

    The table keeps at most ``max_keys`` keys, forgetting the least recently seen first, and
    each key at most ``max_per_key`` times (None: no bound), so neither many senders nor one
    loud one grows it without limit."""

    def __init__(self, window_s: float, max_keys: int, max_per_key: int | None = None) -> None:
        self.window_s = window_s
        self.max_keys = max_keys
        self.max_per_key = max_per_key
        self._times: OrderedDict[Hashable, deque[float]] = OrderedDict()

    def count(self, key: Hashable, now: float) -> int:
        """Events of ``key`` within the window ending ``now``; the key counts as seen."""
        times = self._times.get(key)
        if times is None:
            return 0
        while times and now - times[0] >= self.window_s:
            times.popleft()
        self._times.move_to_end(key)
        return len(times)

    def add(self, key: Hashable, now: float) -> None:
        """One event of ``key`` at ``now``."""
        times = self._times.get(key)
        if times is None:
            times = self._times[key] = deque(maxlen=self.max_per_key)
        times.append(now)
        self._times.move_to_end(key)
        if len(self._times) > self.max_keys:
            self._times.popitem(last=False)

    def __len__(self) -> int:
        return len(self._times)
