"""What custom actions may use: the database, data keys and content of this process.

rasa-sdk builds action objects itself, with no arguments, so actions cannot be handed their
dependencies. The web app (and the tests) install one context at start; actions read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.knowledge.content import Content
from bot.knowledge.topics import TopicLibrary
from db.encryption import DataKeys


@dataclass(frozen=True)
class AppContext:
    database_url: str
    keys: DataKeys
    content: Content
    topics: TopicLibrary


_current: AppContext | None = None


def install_app_context(context: AppContext) -> None:
    global _current
    _current = context


def app_context() -> AppContext:
    if _current is None:
        raise RuntimeError("carebot's app context is not installed (create_app does this)")
    return _current
