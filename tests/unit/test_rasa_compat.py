"""Rasa's internals that carebot reaches for are where carebot expects them (bot/rasa_compat.py).

An upgrade of Rasa that moves or changes one of them fails here, by name, before it quietly
changes how carebot validates actions, parses in its understanding process or stores
conversations."""

from __future__ import annotations

from bot.rasa_compat import missing_internals


def test_every_rasa_internal_carebot_uses_is_still_there() -> None:
    assert missing_internals() == []


def test_a_moved_or_changed_internal_is_named(monkeypatch) -> None:  # noqa: ANN001
    from rasa.core.processor import MessageProcessor

    monkeypatch.delattr(MessageProcessor, "_update_full_retrieval_intent")
    monkeypatch.setattr(MessageProcessor, "_parse_message_with_graph",
                        lambda self, user_message, tracker: {})
    assert missing_internals() == [
        "MessageProcessor._parse_message_with_graph now takes ['user_message', 'tracker'], "
        "not ['message', 'tracker']",
        "MessageProcessor._update_full_retrieval_intent is gone",
    ]
