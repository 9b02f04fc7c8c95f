"""Understanding (Rasa NLU) in a process of its own, beside the web server.

Why: parsing one message (MiniLM embeddings, TF-IDF, logistic regression) is about 8 ms of
CPU-bound Python and numpy. In the server process it holds the event loop and the GIL, so every
other request (web chat, Telegram, staff pages, database replies) waits behind it and the
machine's second core idles. In its own process it runs beside the dialogue, which stays in the
server with its per-conversation locks, tracker store and rate limits: one server process is
still the only one that handles a given conversation.

The parse is a pure function of the text (carebot's NLU reads no tracker state), so the child
needs nothing but the model file. If the child dies, the message in flight fails (the person is
asked to try again), and a new child is started for the next one. A child that stops answering
(stuck, or stopped by the system) is killed after ``PARSE_TIMEOUT_S`` and replaced the same way,
so one stuck parse never leaves every later message waiting behind it. A child whose server has
gone (even by SIGKILL) exits by itself within a second or two.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

PARENT_CHECK_EVERY_S = 1.0
# A parse takes about 10 ms; a child this far behind is stuck, not busy.
PARSE_TIMEOUT_S = 30.0
# A new child first loads the model: 20-60 s on a busy two-core machine.
START_TIMEOUT_S = 300.0


class UnderstandingTimeout(RuntimeError):
    """The understanding process gave no answer in time; it has been killed and is replaced."""

# -- in the child -----------------------------------------------------------------------------

_processor: Any = None


def _load_model(model_path: str, parent_pid: int, log_level: str) -> None:
    """Runs once in the child: quiet logs first (they must never carry message text)."""
    global _processor
    from bot.logging_setup import configure_logging, quiet_third_party_warnings

    quiet_third_party_warnings()  # a spawned process starts with no warning filters
    configure_logging(log_level)
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    from rasa.core.agent import Agent

    _processor = Agent.load(model_path).processor
    one_blas_thread()


def one_blas_thread() -> None:
    """One BLAS/OpenMP thread in this process (call it once the model's libraries are loaded).

    A sentence is too small to split across cores, and OpenBLAS's extra thread spins while it
    waits: measured, a 9 ms parse took 17 ms of CPU with two threads, 10 ms with one. On two
    cores shared by the server, its understanding process and everything else, that spinning
    is time taken from the other messages.
    """
    threadpool_limits(1)


def _exit_when_orphaned(parent_pid: int) -> None:
    """A killed server cannot tell its child to stop; the child notices it has been orphaned."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_EVERY_S)
    os._exit(0)


def _parse(text: str, sender_id: str, channel: str) -> dict[str, Any]:
    """What ``MessageProcessor.parse_message`` returns (see ``bot.rasa_compat``)."""
    from bot.rasa_compat import parse_without_domain_check

    if _processor is None:
        raise RuntimeError("the model was not loaded in this process")
    return parse_without_domain_check(_processor, text, sender_id, channel)


def _pid() -> int:
    return os.getpid()


# -- in the server ----------------------------------------------------------------------------


class ParseProcess:
    """One child process that parses messages with the model at ``model_path``."""

    def __init__(
        self, model_path: Path, log_level: str = "INFO", timeout_s: float = PARSE_TIMEOUT_S
    ) -> None:
        self.model_path = model_path
        self.log_level = log_level
        self.timeout_s = timeout_s
        self._executor: ProcessPoolExecutor | None = None
        self._answered: ProcessPoolExecutor | None = None  # the pool whose child has answered
        self._lock = threading.Lock()

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # "spawn": a fresh interpreter, never a fork of a process with TensorFlow's
                # threads and the server's sockets in it.
                self._executor = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_load_model,
                    initargs=(str(self.model_path), os.getpid(), self.log_level),
                )
            return self._executor

    async def start(self) -> None:
        """Start the child and wait until it has the model loaded (one real parse)."""
        await self.parse("hello", "warm-up", "warm-up")

    async def parse(self, text: str, sender_id: str, channel: str) -> dict[str, Any]:
        """Rasa's parse data for ``text``, exactly as ``MessageProcessor.parse_message`` gives."""
        pool = self._pool()
        limit = self.timeout_s if self._answered is pool else START_TIMEOUT_S
        try:
            parsed = await asyncio.wait_for(
                asyncio.get_running_loop().run_in_executor(pool, _parse, text, sender_id, channel),
                limit,
            )
        except BrokenProcessPool:
            log.error("the understanding process stopped; starting a new one")
            self._discard(pool)
            raise
        except asyncio.TimeoutError as stuck:  # TimeoutError itself from Python 3.11
            log.error("the understanding process gave no answer in %.0f s; starting a new one",
                      limit)
            self._kill(pool)
            raise UnderstandingTimeout(f"no answer in {limit:.0f} s") from stuck
        self._answered = pool
        return parsed

    async def child_pid(self) -> int:
        return await asyncio.get_running_loop().run_in_executor(self._pool(), _pid)

    def _kill(self, pool: ProcessPoolExecutor) -> None:
        """Kill a stuck child: the pool then fails whatever else waits on it, and the next
        parse starts a new child. The standard library has no public handle on a pool's
        processes; ``_processes`` has been the same since Python 3.2."""
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        self._discard(pool)

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is pool:
                self._executor = None
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
