"""Whether a new alert stands alone or is folded into an "unusual volume" alert.

Anyone can send a disclosure from as many chat ids as they like, and each is answered with the
signposting, whatever happens here. What is bounded is what reaches the duty page: a flood of
a thousand "disclosures" must not bury a real one. Alerts from new sources are counted, per
priority, over a sliding window, and once a source is over its bound further alerts fold into
one volume alert per source (a count, the last time, the latest words), never dropped:

- one network address range (where the channel knows the address: an IPv4 /24 or an IPv6 /48,
  public addresses only, since behind a proxy every private address is the proxy's):
  ``per_range`` alerts an hour;
- everyone else together: ``per_minute`` alerts a minute. Alerts already folded by range do
  not count here, so one flooding network does not fold anybody else's.

A person repeating themselves folds into their own alert first (``bot.safety.alerts``), and
alerts from someone linked to a review (they redeemed an invite) are never folded into a
volume alert, so a child's own IRO always sees theirs. In memory, per process, like the other
limits (docs/deploy.md).
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable

from bot.sliding_windows import SlidingWindows

EVERYONE = "all"


def address_range(address: str | None) -> str | None:
    """The network a public address belongs to ("203.0.113.0/24"); None when it is unknown,
    not an address, or not public (loopback and private addresses are a proxy's, or a local
    network's, and would fold everybody together)."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if not ip.is_global:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class AlertFlood:
    """Counts new alerts by source and says which ones fold into a volume alert."""

    def __init__(
        self, per_minute: int = 10, per_range: int = 5, range_window_s: float = 3600.0,
        max_ranges: int = 10_000, clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.per_range = per_range
        self.range_window_s = range_window_s
        self.clock = clock
        # bounded per key too: a flood folds for as long as it lasts, and counts stay small
        self._everyone = SlidingWindows(60.0, max_keys=8, max_per_key=per_minute * 50)
        self._ranges = SlidingWindows(range_window_s, max_keys=max_ranges,
                                      max_per_key=per_range * 50)
        self._lock = threading.Lock()

    def fold_source(self, priority: str, network: str | None) -> str | None:
        """Count one new alert of ``priority`` from ``network`` (``address_range``); the source
        to fold it under ("all", or the network) if that source is over its bound, else None."""
        now = self.clock()
        with self._lock:
            if network is not None:
                over = self._ranges.count((priority, network), now) >= self.per_range
                self._ranges.add((priority, network), now)
                if over:
                    return network
            # Every arrival counts, folded or not (up to a bound), so a flood folds for as long
            # as it lasts, not just for its first minute.
            over = self._everyone.count(priority, now) >= self.per_minute
            self._everyone.add(priority, now)
            return EVERYONE if over else None
