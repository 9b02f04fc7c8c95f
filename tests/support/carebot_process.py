"""`carebot` as real processes: the CLI, and `carebot serve` started, killed and restarted."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.support.live_server import free_port

REPO = Path(__file__).resolve().parents[2]
CAREBOT = [sys.executable, "-m", "bot.cli"]


def demo_env(data_dir: Path) -> dict[str, str]:
    """A newcomer's demo environment, with its own data folder and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAREBOT_", "TELEGRAM_"))}
    env.update(CAREBOT_DATA_DIR=str(data_dir), CAREBOT_DEMO="1")
    env.pop("DATABASE_URL", None)
    return env


def run_cli(args: list[str], env: dict[str, str], timeout: int = 120) -> str:
    """Run `carebot ARGS`; its standard output (the command must succeed)."""
    done = subprocess.run(
        CAREBOT + args, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class CarebotServer:
    """`carebot serve` on a free loopback port, which a test may SIGKILL and start again."""

    def __init__(self, env: dict[str, str], output: Path | None = None) -> None:
        self.env = env
        self.output = output  # where its stdout and stderr go (nowhere unless given)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self, ready_within_s: float = 240) -> CarebotServer:
        sink = self.output.open("a") if self.output else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                CAREBOT + ["serve", "--port", str(self.port)], env=self.env, cwd=REPO,
                stdout=sink, stderr=subprocess.STDOUT, text=True,
            )
        finally:
            if self.output:
                sink.close()
        deadline = time.monotonic() + ready_within_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "carebot serve exited while starting"
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return self
            time.sleep(0.25)
        raise AssertionError("carebot serve did not become healthy")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what survives is what was committed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def rest_headers(self) -> dict[str, str]:
        """The test integration's bearer token for this server's database."""
        from tests.support.integrations import cli_rest_token  # it runs the CLI from here

        return {"Authorization": f"Bearer {cli_rest_token(self.env)}"}

    def say(self, sender: str, text: str, timeout: float = 60) -> list[dict[str, Any]]:
        response = httpx.post(
            f"{self.base_url}/webhooks/rest/webhook", headers=self.rest_headers(),
            json={"sender": sender, "message": text}, timeout=timeout,
        )
        assert response.status_code == 200, response.text
        return response.json()
