"""Whatever arrives, the message path answers and does not crash."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.messages import IncomingMessage
from bot.pipeline import Assistant
from tests.support.hostile import hostile_text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text, sender=st.text(min_size=1, max_size=40))
def test_every_message_gets_a_reply_and_nothing_crashes(
    assistant: Assistant, text: str, sender: str
) -> None:
    replies = asyncio.run(assistant.handle(IncomingMessage("web", sender, text)))
    assert replies and all(r.text.strip() for r in replies)
