"""The guards in front of Rasa: user text can never become a literal Rasa intent."""

import pytest

from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.knowledge.topics import TopicLibrary
from bot.pipeline import Assistant
from db.encryption import DataKeys, new_key_spec


@pytest.fixture
def guard() -> Assistant:
    content = Content(REPO_ROOT / "content", "demoshire")
    return Assistant(  # only the text guards are used here: no model, screen or database
        runtime=None, content=content, keys=DataKeys.parse(new_key_spec()),  # type: ignore[arg-type]
        screen=None, database_url="sqlite://",  # type: ignore[arg-type]
        topics=TopicLibrary(REPO_ROOT / "content" / "topics"),
    )


@pytest.mark.parametrize(
    "text",
    ["/restart", "/greet", '/greet{"name": "x"}', "//session_start", "/nlu_fallback", "/"],
)
def test_slash_commands_typed_by_a_user_lose_their_slash(guard: Assistant, text: str) -> None:
    assert not guard.to_rasa_text(text).startswith("/")


def test_our_own_button_payloads_pass_as_intents(guard: Assistant) -> None:
    assert "/faq_iro_who" in guard.button_payloads
    for payload in guard.button_payloads:
        assert guard.to_rasa_text(payload) == payload


def test_ordinary_text_is_unchanged(guard: Assistant) -> None:
    assert guard.to_rasa_text("who is my IRO?") == "who is my IRO?"
