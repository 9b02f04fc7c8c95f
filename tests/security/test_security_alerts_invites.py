"""Alerts that can't be flooded or lost, and invite codes that can't be shut off (issue 16,
parts 2 and 3). One test per finding; each failed on the code before the fix.

The flood and the code guesses go through the real pipeline (`Assistant.handle`: the real
safety screen, rate limits, invite checks and database) and the duty page is read over HTTP
from the real staff app. Only the model is stood in for where it is not what is tested: it
reads every message the lexicon noticed as a clear disclosure, and carries on a form with one
fixed question. The form-answer test uses the real trained model and the real form.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.consultation.form import load_form, load_shared
from bot.consultation.invites import new_code, screen_passes_code
from bot.knowledge.content import Content, content_for
from bot.knowledge.topics import TopicLibrary
from bot.messages import IncomingMessage, Reply
from bot.pipeline import Assistant
from bot.rasa_runtime import CONCERN_INTENT, RasaTurn
from bot.safety.alerts import raise_alert
from bot.safety.screen import SafetyScreen
from bot.services.rate_limit import RateLimiter
from bot.web.app import create_app
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import Alert, AlertPriority, Consultation, ConsultationAnswer, ConsultationRole
from tests.support.phrases import tagged_phrase
from tests.support.reviews import make_invite, make_review
from tests.support.staff import StaffClient, UnusedRuntime, fresh_demo_settings

ALERT_ITEM = re.compile(r'<li class="alert[ "]')
FIRST_QUESTION = "First question (stand-in model)"


class ModelReadsConcern:
    """Stands in for the model: every message the lexicon noticed is a clear disclosure, and
    carrying on a form after an invite code asks one fixed question."""

    async def understand(self, conversation_key: str, text: str, channel: str) -> dict:
        concern = {"name": CONCERN_INTENT, "confidence": 0.97}
        return {"text": text, "intent": concern, "intent_ranking": [concern]}

    async def respond(self, conversation_key: str, text: str, channel: str, **_: object
                      ) -> RasaTurn:
        return RasaTurn(replies=[Reply(FIRST_QUESTION)])

    async def form_is_open(self, conversation_key: str) -> bool:
        return False  # nobody here has started the questions

    async def stop_form(self, conversation_key: str) -> None:
        return None

    def forget(self, conversation_key: str) -> None:
        return None


@dataclasses.dataclass
class DutyDesk:
    """A demo council of the test's own: its chat pipeline and its duty officer's browser."""

    settings: Settings
    assistant: Assistant
    duty: StaffClient
    content: Content


@pytest.fixture
def desk(
    base_settings: Settings, data_keys: DataKeys, safety_screen: SafetyScreen, tmp_path: Path
) -> Iterator[DutyDesk]:
    settings = fresh_demo_settings(base_settings, data_keys, tmp_path)
    content = content_for(settings.content_dir, settings.local_authority)
    assistant = Assistant(
        runtime=ModelReadsConcern(), content=content, keys=data_keys,  # type: ignore[arg-type]
        screen=safety_screen, database_url=settings.database_url,
        topics=TopicLibrary(settings.content_dir / "topics"),
    )
    duty = StaffClient(create_app(settings, data_keys, runtime=UnusedRuntime()))  # type: ignore[arg-type]
    assert duty.sign_in("duty.dev").status_code == 303
    yield DutyDesk(settings, assistant, duty, content)


def alerts_stored(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count(Alert.id))) or 0


async def disclose(desk: DutyDesk, sender: str, text: str) -> list[Reply]:
    return await desk.assistant.handle(IncomingMessage("web", sender, text))


@pytest.mark.anyio
async def test_a_thousand_flooded_disclosures_leave_a_new_real_one_on_the_duty_pages_first_page(
    desk: DutyDesk,
) -> None:
    signposting = desk.content.signposting("unknown")
    before = alerts_stored(desk.settings.database_url)
    earlier = f"my stepdad hits me when he drinks, sign {uuid.uuid4().hex[:8]}"
    assert (await disclose(desk, f"real-{uuid.uuid4()}", earlier))[0].text == signposting

    for n in range(1000):  # 1,000 people (sender ids), one disclosure each
        replies = await disclose(desk, f"flood-{n}", "my dad beats me")
        assert replies[0].text == signposting, n  # every sender is signposted

    later = f"my carer hits me and locks me in my room, sign {uuid.uuid4().hex[:8]}"
    assert (await disclose(desk, f"new-{uuid.uuid4()}", later))[0].text == signposting

    page = desk.duty.get("/iro/alerts")
    assert page.status_code == 200
    shown = len(ALERT_ITEM.findall(page.text))
    assert 0 < shown <= 25, shown  # one page, not a thousand alerts
    assert earlier in page.text and later in page.text  # both real ones on the first page
    assert "Unusual volume" in page.text  # the duty role is told of the flood, once
    assert page.text.count("Unusual volume") == 1
    assert alerts_stored(desk.settings.database_url) - before <= 30  # folded, not stored 1,000


@pytest.mark.anyio
async def test_a_disclosure_inside_a_long_flood_can_still_be_read(desk: DutyDesk) -> None:
    signposting = desk.content.signposting("unknown")
    for n in range(30):  # enough new people at once to open the volume alert
        assert (await disclose(desk, f"flood-{n}", "my dad beats me"))[0].text == signposting
    word = f"sign{uuid.uuid4().hex[:10]}"
    real = f"my foster carer hurts me, {word}"
    assert (await disclose(desk, f"new-{uuid.uuid4()}", real))[0].text == signposting
    for n in range(30, 80):  # 50 more flood messages after it
        assert (await disclose(desk, f"flood-{n}", "my dad beats me"))[0].text == signposting

    page = desk.duty.get("/iro/alerts")
    assert page.status_code == 200 and page.text.count("Unusual volume") == 1
    for item in ALERT_ITEM.split(page.text)[1:]:  # the list stays light: 10 words an alert
        assert item.count('<blockquote class="alert-text">') <= 1 + 10
    links = re.findall(r'href="(/iro/alerts/\d+)"[^>]*>Read all (\d+) messages', page.text)
    assert links, "no way from the duty page to every folded message"
    found = False
    for link, count in links:
        pages = -(-int(count) // 50)
        for number in range(1, pages + 1):
            shown = desk.duty.get(f"{link}?page={number}")
            assert shown.status_code == 200
            assert shown.text.count('<blockquote class="alert-text">') <= 50
            found = found or word in shown.text
    assert found  # the duty role can read what the real person said


@pytest.mark.anyio
async def test_a_flood_from_one_network_folds_and_a_new_person_elsewhere_keeps_their_own_alert(
    desk: DutyDesk, data_keys: DataKeys,
) -> None:
    signposting = desk.content.signposting("unknown")
    before = alerts_stored(desk.settings.database_url)
    for n in range(200):  # one network (a /24), 200 chat ids
        flood = IncomingMessage("web", f"net-{n}", "my dad beats me",
                                source_address=f"81.2.69.{n % 250}")
        assert (await desk.assistant.handle(flood))[0].text == signposting
    words = f"my mum hits me every night, sign {uuid.uuid4().hex[:8]}"
    real = IncomingMessage("web", f"elsewhere-{uuid.uuid4()}", words, source_address="5.6.7.8")
    assert (await desk.assistant.handle(real))[0].text == signposting

    assert alerts_stored(desk.settings.database_url) - before == 5 + 1 + 1  # 5, volume, real
    with session_scope(desk.settings.database_url) as session:
        mine = [a for a in session.scalars(select(Alert).where(Alert.chat_user_id.is_not(None)))
                if data_keys.decrypt(a.text_enc) == words]
    assert len(mine) == 1 and mine[0].fold_key is None  # their own alert, straight away
    page = desk.duty.get("/iro/alerts").text
    assert words in page and page.count("Unusual volume") == 1


@pytest.mark.anyio
async def test_the_alert_pages_are_paged_newest_first_and_filtered_by_priority_and_status(
    desk: DutyDesk, data_keys: DataKeys,
) -> None:
    url = desk.settings.database_url
    urgent = [f"urgent-{n:02d}-{uuid.uuid4().hex[:6]}" for n in range(40)]
    possible = [f"possible-{n:02d}-{uuid.uuid4().hex[:6]}" for n in range(20)]
    for words in urgent:
        raise_alert(url, data_keys, user_key=uuid.uuid4().hex, channel="web", text=words,
                    categories=("test",))
    for words in possible:
        raise_alert(url, data_keys, user_key=uuid.uuid4().hex, channel="web", text=words,
                    categories=("test",), priority=AlertPriority.POSSIBLE)

    def shown(path: str) -> list[str]:
        page = desk.duty.get(path)
        assert page.status_code == 200, path
        assert len(ALERT_ITEM.findall(page.text)) <= 25, path
        return re.findall(r"(?:urgent|possible)-\d\d-[0-9a-f]{6}", page.text)

    first, second = shown("/iro/alerts"), shown("/iro/alerts?page=2")
    assert first[:25] == urgent[::-1][:25]  # urgent first, newest first, 25 a page
    assert set(urgent) <= set(first + second + shown("/iro/alerts?page=3"))
    assert shown("/iro/alerts?priority=possible") == possible[::-1]
    assert not set(shown("/iro/alerts?status=done")) & set(urgent + possible)
    assert desk.duty.get("/iro/alerts?page=-1").status_code == 200  # nonsense: the first page
    assert desk.duty.get("/iro/alerts?page=zz&priority=zz").status_code == 200


@pytest.mark.anyio
async def test_600_wrong_codes_from_600_people_leave_a_valid_code_working_for_a_new_person(
    desk: DutyDesk, data_keys: DataKeys, safety_screen: SafetyScreen,
) -> None:
    url = desk.settings.database_url
    made = make_review(url, data_keys, child_name="Robin")
    code = make_invite(url, data_keys, made.review_id)
    codes = load_shared(desk.settings.content_dir).codes
    is_clear = screen_passes_code(safety_screen)
    answers = [(await disclose(desk, f"guesser-{n}", new_code(is_clear)))[0].text
               for n in range(600)]

    welcome = await disclose(desk, f"child-{uuid.uuid4()}", code)
    assert "Robin" in welcome[0].text and welcome[-1].text == FIRST_QUESTION
    assert set(answers) == {codes["wrong"]}  # each person's first try was checked
    for n in range(10):  # the guessers are still held back: one more try each is refused
        said = await disclose(desk, f"guesser-{n}", new_code(is_clear))
        assert said[0].text == codes["too_many"], n


@pytest.fixture
def chat(assistant: Assistant) -> Assistant:
    """The session's assistant (the real model and form) with room to type fast."""
    return dataclasses.replace(assistant, rate_limiter=RateLimiter(max_messages=500))


def answers_of(database_url: str, review_id: int) -> dict[str, ConsultationAnswer]:
    with session_scope(database_url) as session:
        rows = session.scalars(
            select(ConsultationAnswer).join(Consultation)
            .where(Consultation.review_id == review_id)
        ).all()
        session.expunge_all()
        return {a.question_key: a for a in rows}


@pytest.mark.anyio
async def test_a_code_shaped_word_inside_an_open_form_is_kept_as_the_answer(
    chat: Assistant, base_settings: Settings, data_keys: DataKeys,
) -> None:
    url = base_settings.database_url
    made = make_review(url, data_keys)
    person = f"form-{uuid.uuid4()}"
    form = load_form(base_settings.content_dir, ConsultationRole.CHILD)

    async def say(text: str) -> list[Reply]:
        return await chat.handle(IncomingMessage("web", person, text))

    welcome = await say(make_invite(url, data_keys, made.review_id))
    assert welcome[-1].text == form.questions[0].text
    # A word that looks like an invite code (five letters and digits, a dash, five more).
    answer = tagged_phrase("I play online with my friend, his name there is KX7PQ-M9TZR")
    await say(answer)
    saved = answers_of(url, made.review_id)
    assert form.questions[0].key in saved
    assert data_keys.decrypt(saved[form.questions[0].key].answer_enc) == answer

