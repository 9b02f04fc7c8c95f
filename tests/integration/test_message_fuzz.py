"""Whatever arrives, the message path answers and does not crash."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.channels.messages import IncomingMessage
from bot.pipeline import Assistant

hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF), max_size=200),
    st.text(alphabet=st.sampled_from("/{}[]\":,\\\x00\u200b\u202e"), max_size=80),
    st.builds(lambda name, body: f"/{name}{body}", st.text(max_size=20), st.text(max_size=60)),
    st.builds(lambda n: "a" * n, st.integers(4000, 6000)),
    st.sampled_from(["", " ", "\n\n", "/restart", "/session_start", '/greet{"a":', "/faq_nope",
                     '{"sender": "x"}', "null", "\x00\x00", "🙂" * 3000]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=hostile_text, sender=st.text(min_size=1, max_size=40))
def test_every_message_gets_a_reply_and_nothing_crashes(
    assistant: Assistant, text: str, sender: str
) -> None:
    replies = asyncio.run(assistant.handle(IncomingMessage("web", sender, text)))
    assert replies and all(r.text.strip() for r in replies)
