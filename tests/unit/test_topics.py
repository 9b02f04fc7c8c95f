"""Content gates: every topic is well formed, sourced, plain for children, and factually right."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import textstat
import yaml

from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.knowledge.readability import READING_GRADE_LIMIT, jargon_in, words_to_avoid
from bot.knowledge.topics import (
    AUDIENCES,
    MAX_FOLLOW_UPS,
    MAX_OVERVIEW_FOLLOW_UPS,
    TopicLibrary,
    faq_domain,
    faq_nlu,
    faq_rules,
)
from bot.training import training_examples
from tests import facts_table

CONTENT = REPO_ROOT / "content"
LIBRARY = TopicLibrary(CONTENT / "topics")
TOPICS = list(LIBRARY.topics.values())
COUNCIL = Content(CONTENT, "demoshire")
AVOID = words_to_avoid(CONTENT)  # the gates staff-written letters are checked against too
YOUNG = ("child", "care_leaver")


def training_examples_per_label() -> list[tuple[str, int]]:
    from collections import Counter

    examples = training_examples(REPO_ROOT / "rasa_project" / "data" / "nlu")
    return list(Counter(label for _, label in examples).items())


def rendered(topic_id: str) -> dict[str, str]:
    topic = LIBRARY.get(topic_id)
    return {aud: COUNCIL.fill(text) for aud, text in topic.answers.items()}


def all_rendered() -> list[tuple[str, str, str]]:
    return [(t.id, aud, text) for t in TOPICS for aud, text in rendered(t.id).items()]


def test_there_are_at_least_forty_topics() -> None:
    assert len(TOPICS) >= 40


@pytest.mark.parametrize("path", sorted((CONTENT / "topics").glob("*.yml")), ids=lambda p: p.stem)
def test_each_topic_file_follows_the_schema(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    required = {"id", "title", "answers", "follow_ups", "sources", "checked", "questions"}
    assert required <= set(data) <= required | {"overview", "provisions"}
    assert data["id"] == path.stem and re.fullmatch(r"[a-z0-9_]+", data["id"])
    assert 0 < len(data["title"]) <= 40
    assert data["answers"] and set(data["answers"]) <= set(AUDIENCES)
    assert all(isinstance(a, str) and a.strip() for a in data["answers"].values())
    most = MAX_OVERVIEW_FOLLOW_UPS if data.get("overview") else MAX_FOLLOW_UPS
    assert 1 <= len(data["follow_ups"]) <= most
    assert len(data["questions"]) >= 6 and all(isinstance(q, str) and q for q in data["questions"])
    for other in data["follow_ups"]:
        assert other != data["id"] and LIBRARY.get(other) is not None, other
    assert data["sources"] and all(s.startswith("https://") for s in data["sources"])
    assert isinstance(data["checked"], dt.date) and data["checked"] <= dt.date.today()


def test_every_answer_renders_for_the_demo_council() -> None:
    for topic_id, audience, text in all_rendered():
        assert "{" not in text and "}" not in text, (topic_id, audience)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.id)
def test_answers_for_young_people_are_short_and_plain(topic) -> None:
    for audience, text in rendered(topic.id).items():
        words = len(text.split())
        if audience in YOUNG:
            grade = textstat.flesch_kincaid_grade(text)
            assert words <= 120, f"{topic.id}/{audience}: {words} words"
            assert grade <= READING_GRADE_LIMIT, f"{topic.id}/{audience}: grade {grade}"
        else:
            assert words <= 150, f"{topic.id}/{audience}: {words} words"


def _jargon_in(text: str) -> list[str]:
    return [j.word for j in jargon_in(text, AVOID)]


def test_no_answer_uses_care_jargon() -> None:
    found = [(t, a, _jargon_in(text)) for t, a, text in all_rendered() if _jargon_in(text)]
    assert found == []


def test_chat_texts_and_signposting_use_no_care_jargon() -> None:
    values = dict(limit="4096", messages="3", answers_in_progress="0", answers_submitted="0",
                  alerts="0", delete_after="1 March 2027", topic="Family time",
                  messages_to_iro="1", iro_name="Sam Taylor")
    texts = [COUNCIL.say(k, **values).text for k in COUNCIL.chat]
    texts += [COUNCIL.signposting("child"), COUNCIL.signposting("parent")]
    assert [t for t in texts if _jargon_in(t)] == []


def test_no_answer_promises_secrecy() -> None:
    for topic_id, _audience, text in all_rendered():
        lowered = text.lower()
        assert "keep it secret" not in lowered and "won't tell anyone" not in lowered, topic_id
        assert "confidential" not in lowered or "unless" in lowered or "except" in lowered or (
            "may" in lowered and "tell" in lowered), topic_id


def test_every_amount_agrees_with_the_facts() -> None:
    for topic_id, audience, text in all_rendered():
        for amount in re.findall(r"£\s?[\d,]+", text):
            assert amount.replace(" ", "") in facts_table.AMOUNTS, (topic_id, audience, amount)


def test_every_time_limit_agrees_with_the_facts() -> None:
    checks = [
        (r"(\d+)\s+working days?", facts_table.WORKING_DAYS),
        (r"(\d+)\s+months?", facts_table.MONTHS),
        (r"(\d+)\s+weeks?", facts_table.WEEKS),
        (r"(\d+)\s+days?\b(?<!working day)", facts_table.DAYS | facts_table.WORKING_DAYS),
    ]
    for topic_id, audience, text in all_rendered():
        for pattern, allowed in checks:
            for number in re.findall(pattern, text):
                assert int(number) in allowed, (topic_id, audience, pattern, number)


def test_every_age_agrees_with_the_facts() -> None:
    age_patterns = [
        r"\b(?:aged?|until|up to|from|over|under|turn(?:ed)?|reach)\s+(\d{1,2})\b",
        r"\b(\d{1,2})\s*(?:-|to)\s*(\d{1,2})\b(?!\s*(?:working|days|months|weeks))",
        r"\b(\d{1,2})\s+(?:years? old|or over|or older|or under|and over)\b",
    ]
    for topic_id, audience, text in all_rendered():
        for pattern in age_patterns:
            for found in re.findall(pattern, text):
                for number in found if isinstance(found, tuple) else (found,):
                    if number:
                        assert int(number) in facts_table.AGES | facts_table.WORKING_DAYS, (
                            topic_id, audience, number)


def test_every_phone_number_is_a_known_helpline_or_the_councils_own() -> None:
    council = {v for k, v in COUNCIL.authority.items() if isinstance(v, str)}
    for section in COUNCIL.authority.values():
        if isinstance(section, dict):
            council |= {str(v) for v in section.values()}
    phone = re.compile(r"\b0\d{3,4}\s?\d{3}\s?\d{3,4}\b|\b116 123\b|\b0800 1111\b")
    for topic_id, _audience, text in all_rendered():
        for number in phone.findall(text):
            assert number in facts_table.PHONES or number in council, (topic_id, number)


@pytest.mark.parametrize("topic_id", sorted(facts_table.REQUIRED))
def test_topics_state_the_facts_they_exist_for(topic_id: str) -> None:
    everything = "\n".join(rendered(topic_id).values())
    for fact in facts_table.REQUIRED[topic_id]:
        assert fact in everything, f"{topic_id} does not say {fact!r}"
    for wrong in facts_table.FORBIDDEN.get(topic_id, []):
        # "£2,000 in total, not £2,000 each year" corrects the mistake rather than making it
        stated = re.sub(rf"\bnot {re.escape(wrong)}", "", everything)
        assert wrong not in stated, f"{topic_id} says {wrong!r}"


def test_the_topic_intents_and_rules_are_generated_from_the_topics() -> None:
    project = REPO_ROOT / "rasa_project"
    assert (project / "domain" / "faq.yml").read_text() == faq_domain(LIBRARY), (
        "run `carebot topics-domain`")
    assert (project / "data" / "rules" / "faq.yml").read_text() == faq_rules(LIBRARY), (
        "run `carebot topics-domain`")
    assert (project / "data" / "nlu" / "faq.yml").read_text() == faq_nlu(LIBRARY), (
        "run `carebot topics-domain`")


def test_every_topic_has_training_examples() -> None:
    counts = dict(training_examples_per_label())
    for topic in TOPICS:
        assert counts.get(topic.id, 0) >= 6, topic.id


def test_topic_button_payloads_fit_telegram() -> None:
    assert all(len(t.payload.encode()) <= 64 for t in TOPICS)
