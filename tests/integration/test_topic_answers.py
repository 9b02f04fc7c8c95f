"""Questions in young people's words get the right, sourced answer for who is asking."""

from __future__ import annotations

import uuid

import pytest

from bot.messages import IncomingMessage
from bot.pipeline import Assistant


async def ask(assistant: Assistant, user: str, text: str):
    return await assistant.handle(IncomingMessage("web", user, text))


def new_user() -> str:
    return f"topic-{uuid.uuid4()}"


@pytest.mark.anyio
async def test_a_care_leaver_asking_about_uni_money_hears_about_the_2000_bursary(assistant):
    replies = await ask(assistant, new_user(), "do i get money for uni")
    assert "£2,000" in replies[0].text
    assert 1 <= len(replies[0].buttons) <= 2  # follow-up topics


@pytest.mark.anyio
async def test_a_new_person_is_answered_at_once_then_offered_the_parent_version(assistant):
    user = new_user()
    first = await ask(assistant, user, "who is my iro")
    assert "Independent Reviewing Officer" in first[0].text  # answered, not questioned
    offer = first[-1]
    assert '/set_audience{"audience":"parent"}' in [b.payload for b in offer.buttons]

    answered = await ask(assistant, user, '/set_audience{"audience":"parent"}')
    text = "\n".join(r.text for r in answered)
    assert "answer for a parent" in text
    assert "your child" in text.lower()  # the parent version of the IRO answer

    later = await ask(assistant, user, "how often are reviews")
    assert all("/set_audience" not in b.payload for r in later for b in r.buttons)  # once


@pytest.mark.anyio
async def test_a_parent_naming_their_child_gets_the_parent_answer_first(assistant):
    replies = await ask(assistant, new_user(), "who is my daughter's iro and how do I contact them")
    assert "your child" in replies[0].text.lower()


@pytest.mark.anyio
async def test_saying_who_you_are_in_words_changes_the_audience(assistant):
    user = new_user()
    replies = await ask(assistant, user, "im a care leaver")
    assert "care leaver" in replies[0].text


@pytest.mark.anyio
async def test_a_topic_button_answers_that_topic(assistant):
    user = new_user()
    await ask(assistant, user, '/set_audience{"audience":"child"}')
    replies = await ask(assistant, user, "/faq_complaint_ombudsman")
    assert "0300 061 0614" in replies[0].text


@pytest.mark.anyio
async def test_the_entitlements_checker_asks_four_questions_then_lists_what_you_can_get(assistant):
    user = new_user()
    first = await ask(assistant, user, "what am i entitled to")
    assert "a few quick questions" in first[0].text and "How old" in first[-1].text
    assert "doing" in (await ask(assistant, user, "19"))[-1].text
    assert "live" in (await ask(assistant, user, "uni"))[-1].text
    assert "parent" in (await ask(assistant, user, "with my foster carers"))[-1].text
    result = "\n".join(r.text for r in await ask(assistant, user, "no"))
    assert "£2,000" in result and "Staying Put" in result and "personal adviser" in result
    assert "£1,200" not in result


@pytest.mark.anyio
async def test_an_answer_it_cannot_read_is_asked_again(assistant):
    user = new_user()
    await ask(assistant, user, "what can i get as a care leaver")
    again = await ask(assistant, user, "purple")
    assert "didn't get that" in again[0].text and "How old" in again[-1].text


@pytest.mark.anyio
async def test_stop_ends_the_checker(assistant):
    user = new_user()
    await ask(assistant, user, "check my entitlements")
    await ask(assistant, user, "18")
    assert "stopped" in (await ask(assistant, user, "stop"))[-1].text


@pytest.mark.anyio
async def test_a_disclosure_in_the_middle_of_the_checker_gets_the_safeguarding_reply(assistant):
    user = new_user()
    await ask(assistant, user, "what am i entitled to")
    replies = await ask(assistant, user, "17 but my foster dad hits me")
    assert "0800 1111" in replies[0].text


@pytest.mark.anyio
async def test_the_checker_does_not_ask_what_the_person_already_said(assistant):
    user = new_user()
    await ask(assistant, user, "im 19 and at uni")
    first = await ask(assistant, user, "what am i entitled to")
    assert "How old" not in first[-1].text and "doing" not in first[-1].text
    assert "live" in first[-1].text  # straight to where they live
    assert "parent" in (await ask(assistant, user, "with my foster carers"))[-1].text
    result = "\n".join(r.text for r in await ask(assistant, user, "no"))
    assert "£2,000" in result and "Staying Put" in result


@pytest.mark.anyio
async def test_a_long_message_is_answered_and_its_other_question_offered(assistant):
    user = new_user()
    await ask(assistant, user, '/set_audience{"audience":"child"}')
    replies = await ask(assistant, user, (
        "Hi, I'm 14 and I've lived with my foster carers for two years now and mostly it's ok. "
        "I miss my little brother loads because he lives with different carers across town. "
        "Can I see my brothers and sisters more often? "
        "And who is my IRO, how do I get in touch with them?"))
    also = [r for r in replies if r.text.startswith("You also asked about this")]
    assert len(also) == 1 and also[0].buttons
    answered = {b.payload for r in replies if r is not also[0] for b in r.buttons}
    assert all(b.payload.startswith("/faq_") for b in also[0].buttons)
    assert {"/faq_family_time_siblings", "/faq_iro_contact", "/faq_iro_who"} & (
        {b.payload for b in also[0].buttons} | answered)


@pytest.mark.anyio
@pytest.mark.parametrize(("words", "text_key"), [
    ("can you delete what i said", "delete_ask"),
    ("what happens to what i tell you", "privacy"),
    ("how do i use this", "help"),
])
async def test_the_chats_own_features_are_reached_in_plain_words(assistant, words, text_key):
    replies = await ask(assistant, new_user(), words)
    assert replies[0].text == assistant.content.say(text_key).text


@pytest.mark.anyio
async def test_wanting_to_tell_the_iro_without_a_code_says_how_to_get_one(assistant):
    replies = await ask(assistant, new_user(), "i want to tell my iro what i think")
    assert "code" in replies[0].text and "01632 960123" in replies[0].text
