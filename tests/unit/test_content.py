from pathlib import Path

import pytest
import yaml

from bot.config import REPO_ROOT
from bot.knowledge.content import Content, ContentError
from bot.pipeline import COMMANDS

CONTENT = REPO_ROOT / "content"
DOMAIN = REPO_ROOT / "rasa_project" / "domain"


def test_every_text_renders_with_the_demo_council_values() -> None:
    content = Content(CONTENT, "demoshire")
    for key in content.chat:
        said = content.say(key, limit="4096", messages="3", answers_in_progress="0",
                           answers_submitted="0", alerts="0", delete_after="1 March 2027",
                           topic="Family time", messages_to_iro="1", iro_name="Sam Taylor")
        assert said.text
        assert "{" not in said.text, key


def test_every_intent_the_assistant_knows_has_a_text() -> None:
    content = Content(CONTENT, "demoshire")
    intents: set[str] = set()
    # conversation.yml holds the small talk answered by action_respond from chat.yml
    domain = yaml.safe_load((DOMAIN / "conversation.yml").read_text())
    intents.update(i if isinstance(i, str) else next(iter(i)) for i in domain["intents"])
    for intent in intents:
        assert intent in content.intent_texts, f"no text answers intent {intent!r}"
    for key in content.intent_texts.values():
        assert key in content.chat


def test_button_payloads_name_real_intents() -> None:
    content = Content(CONTENT, "demoshire")
    intents: set[str] = set()
    for path in DOMAIN.glob("*.yml"):
        intents.update(yaml.safe_load(path.read_text()).get("intents", []))
    for payload in content.button_payloads():
        if payload in COMMANDS:
            continue
        if payload.startswith("/"):
            name, _, entities = payload[1:].partition("{")
            assert name in intents, payload
            if entities:
                yaml.safe_load("{" + entities)  # the entity part is valid JSON


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


def test_a_carer_gets_the_adults_safeguarding_reply_not_the_childs() -> None:
    content = Content(CONTENT, "demoshire")
    assert content.signposting("carer") == content.signposting("parent")
    assert content.signposting("carer") != content.signposting("child")


def test_every_command_in_the_menu_is_one_the_chat_answers() -> None:
    menu = Content(CONTENT, "demoshire").menu
    assert menu and {f"/{command}" for command, _ in menu} <= set(COMMANDS)
