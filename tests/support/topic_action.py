"""Run the topic-answering action directly (no model), as Rasa's action server would."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from rasa_project.actions.topics import ActionAnswerTopic


def answer_messages(tracker: Tracker) -> list[dict[str, Any]]:
    """What ``action_answer_topic`` says for this tracker's latest message."""
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAnswerTopic().run(dispatcher, tracker, {}))
    return dispatcher.messages
