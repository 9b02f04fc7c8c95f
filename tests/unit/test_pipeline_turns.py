"""One person's messages are answered one at a time, in the order they came, on every channel,
while other people are answered at the same time (``Assistant.turn``).

The pipeline, the safety screen and the database are real; the model is a stand-in that holds
a message until the test lets it go, so the order is the test's to see, not the clock's.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from pathlib import Path

import pytest

from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.knowledge.topics import TopicLibrary
from bot.messages import IncomingMessage, Reply
from bot.pipeline import Assistant
from bot.rasa_runtime import RasaTurn
from db.encryption import DataKeys, new_key_spec
from db.migrate import upgrade_to_head
from tests.support.safety_screen import repo_safety_screen

# Long enough for a message that is not waiting its turn to reach the model many times over.
JUMP_THE_QUEUE_S = 0.2


class HeldModel:
    """Stands in for Rasa: notes each message it is asked about, holds the ones the test names
    until their gate opens, and says back what it was told."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.gates: dict[str, asyncio.Event] = {}
        self.arrived: defaultdict[str, asyncio.Event] = defaultdict(asyncio.Event)

    async def understand(self, conversation_key: str, text: str, channel: str) -> dict:
        self.asked.append(text)
        self.arrived[text].set()
        if text in self.gates:
            await self.gates[text].wait()
        greet = {"name": "greet", "confidence": 0.99}
        return {"text": text, "intent": greet, "intent_ranking": [greet]}

    async def respond(self, conversation_key: str, text: str, channel: str, **_: object
                      ) -> RasaTurn:
        return RasaTurn(replies=[Reply(f"you said: {text}")])


@pytest.fixture
def model() -> HeldModel:
    return HeldModel()


@pytest.fixture
def assistant(model: HeldModel, tmp_path: Path) -> Assistant:
    database_url = f"sqlite:///{tmp_path / 'turns.db'}"
    upgrade_to_head(database_url)
    return Assistant(
        runtime=model, content=Content(REPO_ROOT / "content", "demoshire"),  # type: ignore[arg-type]
        keys=DataKeys.parse(new_key_spec("t1")), screen=repo_safety_screen(),
        database_url=database_url, topics=TopicLibrary(REPO_ROOT / "content" / "topics"),
    )


async def asked(model: HeldModel, text: str) -> None:
    """Wait until the model has been asked ``text``."""
    await asyncio.wait_for(model.arrived[text].wait(), timeout=10)


def said(text: str) -> list[Reply]:
    return [Reply(f"you said: {text}")]


@pytest.mark.anyio
async def test_a_second_message_waits_for_the_first_while_someone_else_is_answered(
    assistant: Assistant, model: HeldModel
) -> None:
    model.gates["first"] = asyncio.Event()
    first = asyncio.create_task(assistant.handle(IncomingMessage("rest", "ann", "first")))
    await asked(model, "first")
    second = asyncio.create_task(assistant.handle(IncomingMessage("rest", "ann", "second")))

    bob = assistant.handle(IncomingMessage("rest", "bob", "hello"))
    assert await asyncio.wait_for(bob, timeout=10) == said("hello"), "Bob waited for Ann"
    await asyncio.sleep(JUMP_THE_QUEUE_S)
    assert "second" not in model.asked, "Ann's second message did not wait for her first"

    model.gates["first"].set()
    assert (await first, await second) == (said("first"), said("second"))
    assert model.asked == ["first", "hello", "second"]


@pytest.mark.anyio
async def test_a_channel_that_sends_replies_itself_keeps_the_turn_until_they_are_sent(
    assistant: Assistant, model: HeldModel
) -> None:
    """As Telegram does: the turn covers the sending, and `handle` inside it runs at once."""
    async with assistant.turn("telegram", "cat"):
        second = asyncio.create_task(assistant.handle(IncomingMessage("telegram", "cat", "2")))
        assert await assistant.handle(IncomingMessage("telegram", "cat", "1")) == said("1")
        await asyncio.sleep(JUMP_THE_QUEUE_S)  # the replies being sent
        assert model.asked == ["1"]
    assert await second == said("2")
    assert model.asked == ["1", "2"]
