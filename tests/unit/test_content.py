from pathlib import Path

import pytest
import yaml

from bot.config import REPO_ROOT
from bot.content import Content, ContentError

CONTENT = REPO_ROOT / "content"
DOMAIN = REPO_ROOT / "rasa_project" / "domain"


def test_every_text_renders_with_the_demo_council_values() -> None:
    content = Content(CONTENT, "demoshire")
    for key in content.chat:
        said = content.say(key, limit="4096")
        assert said.text
        assert "{" not in said.text, key


def test_every_intent_the_assistant_knows_has_a_text() -> None:
    content = Content(CONTENT, "demoshire")
    intents: set[str] = set()
    for path in DOMAIN.glob("*.yml"):
        intents.update(i if isinstance(i, str) else next(iter(i)) for i in
                       yaml.safe_load(path.read_text()).get("intents", []))
    for intent in intents:
        assert intent in content.intent_texts, f"no text answers intent {intent!r}"
    for key in content.intent_texts.values():
        assert key in content.chat


def test_button_payloads_name_real_intents() -> None:
    content = Content(CONTENT, "demoshire")
    intents = set(content.intent_texts)
    for payload in content.button_payloads():
        if payload.startswith("/"):
            assert payload[1:] in intents, payload


def test_being_a_computer_is_said_honestly() -> None:
    text = Content(CONTENT, "demoshire").say("bot_challenge").text
    assert "computer program" in text
    assert "not a person" in text


def test_a_missing_value_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "local_authorities").mkdir()
    (tmp_path / "local_authorities" / "x.yml").write_text("name: X\n")
    (tmp_path / "chat.yml").write_text(
        "intents: {}\ntexts:\n  t: {text: 'call {iro_team_phone}'}\n"
    )
    with pytest.raises(ContentError, match="iro_team_phone"):
        Content(tmp_path, "x").say("t")


def test_an_unknown_text_is_a_clear_error() -> None:
    with pytest.raises(ContentError, match="no_such_text"):
        Content(CONTENT, "demoshire").say("no_such_text")
