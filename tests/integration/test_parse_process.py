"""Understanding in a child process: the same answers as in the server, and no orphans.

`carebot serve` parses messages in a child process (bot/nlu/parse_process.py). These tests
use the real trained model in a real child: its parse must match the server's own, a child
that dies must be replaced, and a child whose server is SIGKILLed must not linger.

A child takes 20-30 s to load the model, so the tests that need one running share one parser
(module scope). Those that kill or close its child leave it as the server would: the parser
starts a new child for its next message, and each test first waits for one to be running.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.channels.channel import UserMessage

from bot.nlu.parse_process import ParseProcess, UnderstandingTimeout
from bot.rasa_runtime import RasaRuntime

REPO = Path(__file__).resolve().parents[2]
MESSAGES = [
    "who is my IRO?",
    "can i get money for uni",
    "he hits me when nobody is looking",
    "/faq_advocate_get",
    "tell me a joke",
]

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def parser(trained_model: Path) -> Iterator[ParseProcess]:
    """One parser for the module; its child starts at the first ``start()``."""
    shared = ParseProcess(trained_model)
    yield shared
    shared.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) has stopped running.
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


async def test_child_parses_exactly_as_the_server_does(
    parser: ParseProcess, runtime: RasaRuntime
) -> None:
    await parser.start()
    for text in MESSAGES:
        theirs = await parser.parse(text, "someone", "web")
        ours = await runtime.agent.processor.parse_message(
            UserMessage(text, sender_id="someone", input_channel="web")
        )
        assert theirs["intent"]["name"] == ours["intent"]["name"], text
        assert theirs["intent"]["confidence"] == pytest.approx(
            ours["intent"]["confidence"], abs=1e-6
        )
        assert [r["name"] for r in theirs["intent_ranking"]] == [
            r["name"] for r in ours["intent_ranking"]
        ]
        assert theirs["entities"] == ours["entities"]


async def test_a_child_that_dies_fails_one_message_then_is_replaced(
    parser: ParseProcess,
) -> None:
    await parser.start()
    first = await parser.child_pid()
    os.kill(first, signal.SIGKILL)
    with pytest.raises(Exception):  # noqa: B017 - the pool reports a broken process
        await parser.parse("who is my IRO?", "someone", "web")
    parsed = await parser.parse("who is my IRO?", "someone", "web")
    assert parsed["intent"]["name"].startswith("faq_iro")
    assert await parser.child_pid() != first


async def test_a_stuck_child_is_killed_after_the_timeout_and_replaced(
    parser: ParseProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child that stops answering (here: stopped by SIGSTOP) must not leave every later
    message queued behind it forever."""
    await parser.start()  # the short timeout is for a child that has answered once
    monkeypatch.setattr(parser, "timeout_s", 3.0)
    stuck = await parser.child_pid()
    os.kill(stuck, signal.SIGSTOP)
    started = time.monotonic()
    with pytest.raises(UnderstandingTimeout):
        await parser.parse("who is my IRO?", "someone", "web")
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 10
    while alive(stuck) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not alive(stuck)
    parsed = await parser.parse("who is my IRO?", "someone", "web")  # a new child
    assert parsed["intent"]["name"].startswith("faq_iro")
    assert await parser.child_pid() != stuck


async def test_close_stops_the_child(parser: ParseProcess) -> None:
    await parser.start()
    child = await parser.child_pid()
    parser.close()
    assert not alive(child)


def test_the_child_of_a_killed_server_exits_by_itself(trained_model: Path) -> None:
    script = (
        "import asyncio, sys, time\n"
        "from pathlib import Path\n"
        "from bot.nlu.parse_process import ParseProcess, UnderstandingTimeout\n"
        "async def main():\n"
        "    parser = ParseProcess(Path(sys.argv[1]))\n"
        "    await parser.start()\n"
        "    print(await parser.child_pid(), flush=True)\n"
        "    time.sleep(600)\n"
        "asyncio.run(main())\n"
    )
    server = subprocess.Popen(
        [sys.executable, "-c", script, str(trained_model)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    try:
        child = int(server.stdout.readline())  # type: ignore[union-attr]
        assert alive(child)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        deadline = time.monotonic() + 15
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not alive(child)
    finally:
        server.kill()
