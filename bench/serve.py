"""Start a real `carebot serve` on a free loopback port for a benchmark, and stop it after.

Benchmarks measure the product as people reach it: over HTTP, with the real model, screen,
dialogue and database, in demo mode in a throwaway data folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
CAREBOT = [sys.executable, "-m", "bot.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(data_dir: Path) -> dict[str, str]:
    """The environment without the caller's carebot settings, in demo mode in ``data_dir``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CAREBOT_", "TELEGRAM_", "DATABASE_URL"))}
    env.update(CAREBOT_DATA_DIR=str(data_dir), CAREBOT_DEMO="1", CAREBOT_LOG_LEVEL="WARNING")
    return env


def rest_headers(env: dict[str, str], name: str = "bench") -> dict[str, str]:
    """A bearer token for the REST endpoint, made as a council makes one
    (``carebot integration add``) in the benchmark's throwaway database."""
    made = subprocess.run(CAREBOT + ["integration", "add", name], env=env, cwd=REPO,
                          capture_output=True, text=True, check=True)
    return {"Authorization": f"Bearer {made.stdout.strip().splitlines()[-1]}"}


async def wait_healthy(base: str, server: subprocess.Popen, started: float) -> float:
    """Seconds from ``started`` until ``/health`` answers 200."""
    async with httpx.AsyncClient(timeout=2) as client:
        while True:
            with contextlib.suppress(httpx.TransportError):
                if (await client.get(f"{base}/health")).status_code == 200:
                    return time.perf_counter() - started
            if server.poll() is not None:
                raise SystemExit("carebot serve exited before it was ready (see its log)")
            if time.perf_counter() - started > 300:
                raise SystemExit("carebot serve was not ready within 300 s")
            await asyncio.sleep(0.1)


@contextlib.asynccontextmanager
async def running_carebot(env: dict[str, str], log_path: Path) -> AsyncIterator[str]:
    """``carebot serve`` on a free port; yields its base URL once ``/health`` is 200."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        started = time.perf_counter()
        server = subprocess.Popen(CAREBOT + ["serve", "--port", str(port)], env=env, cwd=REPO,
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            await wait_healthy(base, server, started)
            yield base
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=30)
