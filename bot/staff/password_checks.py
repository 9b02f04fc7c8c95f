"""Where argon2 runs: a few threads of its own, with a bounded queue in front.

Each argon2id check costs about 64 MiB and 100-200 ms of CPU on purpose. Run in the shared
thread pool (and inside a database transaction) a burst of wrong passwords took every core
and held the SQLite write queue, so children's chat replies waited seconds. Here at most
``capacity`` checks run at once (half the cores: the chat keeps the rest), at most
``max_waiting`` more wait, and anyone beyond that is told to try again shortly (503) rather
than queued without end. No database session is open while a check runs
(``bot/staff/signin.py``).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import TypeVar

T = TypeVar("T")
RETRY_AFTER_SECONDS = 5


class Busy(RuntimeError):
    """Too many password checks are running or waiting: try again shortly."""


class PasswordChecks:
    def __init__(self, capacity: int, max_waiting: int) -> None:
        self.capacity = capacity
        self.max_waiting = max_waiting
        self._lock = threading.Lock()
        self._admitted = 0
        self._pool: ThreadPoolExecutor | None = None

    @asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """A place among those running or waiting, or ``Busy`` at once."""
        with self._lock:
            if self._admitted >= self.capacity + self.max_waiting:
                raise Busy
            self._admitted += 1
        try:
            yield
        finally:
            with self._lock:
                self._admitted -= 1

    async def run(self, check: Callable[..., T], *args: object) -> T:
        """Run ``check`` (argon2 hashing or verifying) on one of the pool's threads."""
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.capacity, thread_name_prefix="argon2")
            pool = self._pool
        return await asyncio.get_running_loop().run_in_executor(pool, check, *args)


PASSWORD_CHECKS = PasswordChecks(
    capacity=max(1, min(4, (os.cpu_count() or 2) // 2)), max_waiting=8
)
