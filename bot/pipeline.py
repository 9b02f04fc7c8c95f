"""The one road every message takes, whatever the channel.

channel adapter -> safety screen -> size and injection guards -> Rasa agent (custom actions
in process) -> replies. Adapters call :meth:`Assistant.handle`; they never talk to Rasa. One
person's messages are answered one at a time, in the order they came, on every channel
(:meth:`Assistant.turn`); different people's at the same time.

The safety screen sees the raw text before anything else, including text that starts with
"/" and text too long to answer. What the lexicon and Rasa's `concern` intent found is triaged
(``bot/safety/triage.py``) into three outcomes: a disclosure is stored as an urgent alert and
answered with the fixed signposting; "not sure" is answered as usual with a warm check-in
after it and stored as a possible concern; anything else is answered as usual. If the screen
itself fails, or the model cannot be asked about a lexicon hit, the user gets the signposting.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from bot.channel_contract import ChannelRegistry
from bot.consultation.chat import (
    CONTINUE_PAYLOAD,
    has_open_consultation,
    redeem_code,
)
from bot.consultation.form import load_shared
from bot.consultation.invites import AttemptLimiter, RedeemOutcome, code_hash, find_code
from bot.iro_messages.chat import (
    is_writing,
    replies_waiting,
    send_to_iro,
    start_writing,
    stop_writing,
    take_replies,
)
from bot.iro_messages.replies import SavedReply, mark_delivered, reply_waiting
from bot.iro_messages.wording import from_iro
from bot.knowledge.content import Content
from bot.knowledge.topics import TopicLibrary
from bot.messages import IncomingMessage, Reply
from bot.privacy.user_data import erase, held_data, record_request
from bot.rasa_runtime import RasaRuntime, concern_score
from bot.safety.alert_flood import AlertFlood
from bot.safety.alerts import checked_in_recently, escalate_checkin, raise_alert
from bot.safety.screen import SafetyScreen, ScreenResult
from bot.safety.triage import Outcome, Verdict, triage
from bot.services.rate_limit import RateLimiter
from db.chat_users import get_or_create_chat_user
from db.encryption import DataKeys
from db.engine import session_scope
from db.models import AlertPriority, Audience, ConsultationRole, MessageKind
from db.time import as_utc, utcnow

log = logging.getLogger(__name__)
# The sender's network address for the turn being handled, where the channel knows it: alerts
# are folded per address range (bot/safety/alert_flood.py). Set once at the top of `_answer`.
_turn_address: ContextVar[str | None] = ContextVar("turn_address", default=None)

# The 24-hour reminder after a disclosure is added only where the channel keeps the chat on the
# person's device anyway (`Channel.history_on_device`: their Telegram history), so it reveals
# nothing the device does not already show; a web chat or an integration's screen may be in
# front of someone else by then.
CONCERN_REMINDER_FOR = timedelta(hours=24)
COMMANDS = {
    "/start": "start",
    "/help": "help",
    "/privacy": "privacy",
    "/mydata": "mydata",
    "/delete": "delete",
    "/delete_confirm": "delete_confirm",
    "/delete_cancel": "delete_cancelled",
    "/message_iro": "message_iro",
    "/message_iro_cancel": "message_iro_cancelled",
}
# The chat's own features asked for in plain words ("delete what I said"): the intent runs the
# command, when the model is at least this sure and nothing worried the safety screen.
PLAIN_WORD_COMMANDS = {
    "ask_privacy": "/privacy", "ask_my_data": "/mydata", "ask_delete": "/delete",
    "ask_help": "/help", "start_again": "/start",
}
PLAIN_WORD_CONFIDENCE = 0.5
SCREEN_FAILED = "screen_failed"
# The check-in's buttons: answered by the pipeline, never by Rasa.
CHECKIN_OK = "/checkin_ok"
CHECKIN_ESCALATE = {"/checkin_not_ok": "checkin_not_ok", "/checkin_talk": "checkin_talk"}


class _Turn:
    """One person's turn: whoever holds the lock is answered; the others wait, in order."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.holder: asyncio.Task | None = None  # the task holding it, which may ask again


@dataclass(frozen=True)
class UserState:
    audience: str = Audience.UNKNOWN.value
    concern_recent: bool = False
    checkin_recent: bool = False  # the chat checked in with this person lately
    iro_replied: bool = False  # a reply from their IRO waits for them


@dataclass
class Assistant:
    runtime: RasaRuntime
    content: Content
    keys: DataKeys
    screen: SafetyScreen
    database_url: str
    topics: TopicLibrary
    max_message_chars: int = 4096
    rate_limiter: RateLimiter = field(default_factory=RateLimiter)
    code_attempts: AttemptLimiter = field(default_factory=AttemptLimiter)
    alert_flood: AlertFlood = field(default_factory=AlertFlood)
    # What each channel can do (message first, history on the device), asked by name.
    channels: ChannelRegistry = field(default_factory=ChannelRegistry)
    _turns: weakref.WeakValueDictionary[str, _Turn] = field(
        default_factory=weakref.WeakValueDictionary, init=False, repr=False
    )

    def __post_init__(self) -> None:
        self.button_payloads = self.content.button_payloads() | self.topics.payloads()
        self.consultation_words = load_shared(self.content.content_dir)

    async def handle(self, message: IncomingMessage) -> list[Reply]:
        """The replies to one message, in this person's turn (see :meth:`turn`)."""
        user_key = self.keys.user_key(message.channel, message.channel_user_id)
        async with self._turn_of(user_key):
            return await self._answer(message, user_key)

    @asynccontextmanager
    async def turn(self, channel: str, channel_user_id: str) -> AsyncIterator[None]:
        """Hold this person's turn: their next message waits until it ends, so they are
        answered in the order they wrote, while other people are answered at the same time.

        ``handle`` takes the turn itself. A channel that sends replies itself (Telegram) holds
        it from the "typing..." to the last reply sent, so one message's replies never cross
        the next one's; ``handle`` in the task holding the turn does not wait for itself.
        """
        async with self._turn_of(self.keys.user_key(channel, channel_user_id)):
            yield

    @asynccontextmanager
    async def _turn_of(self, key: str) -> AsyncIterator[None]:
        """The turn of the person whose keyed hash is ``key`` (see :meth:`turn`)."""
        turn = self._turns.get(key)
        if turn is None:  # kept only while someone holds or waits for it (a weak reference)
            turn = self._turns[key] = _Turn()
        this_task = asyncio.current_task()
        if turn.holder is this_task:
            yield
            return
        async with turn.lock:
            turn.holder = this_task
            try:
                yield
            finally:
                turn.holder = None

    async def _answer(self, message: IncomingMessage, user_key: str) -> list[Reply]:
        started = time.perf_counter()
        _turn_address.set(message.source_address)
        text = message.text

        screened = self.screen_text(text)
        parse = None
        verdict: Verdict | None = None
        if screened.is_concern:
            # The lexicon noticed something: the model's reading decides between a disclosure
            # and a check-in. Fail safe: a disclosure if the screen itself failed, if the text
            # is too long to answer (the model reads only its start), or if the model can't
            # be asked.
            answerable = len(text.strip()) <= self.max_message_chars
            if SCREEN_FAILED not in screened.categories and answerable:
                parse = await self._understand_or_none(user_key, text, message.channel)
            verdict = triage(screened, None if parse is None else concern_score(parse))
            if verdict.outcome == Outcome.DISCLOSURE:
                replies = await self.escalate(user_key, message.channel, text,
                                              verdict.categories)
                if await self._writing_to_iro(user_key):  # it goes to the IRO as well
                    replies += await self._send_to_iro(user_key, message)
                return replies

        early = await self._answered_before_understanding(user_key, message)
        if early is not None:
            if verdict is not None and verdict.outcome == Outcome.NOT_SURE:
                # Whatever answered (slow down, a command, an invite code), what the screen
                # noticed is never lost: recorded, and the check-in follows the answer.
                return await self.not_sure(user_key, message.channel, text, verdict, early)
            return early
        if await self._writing_to_iro(user_key):
            return await self._message_to_iro(user_key, message, parse, verdict)

        text = text.strip()
        rasa_text = self.to_rasa_text(text)
        try:
            # The person's state is read while the understanding process parses (both wait on
            # something else); the dialogue, which may change that state, comes after both.
            if parse is None:
                parse, state = await asyncio.gather(
                    self.runtime.understand(user_key, rasa_text, message.channel),
                    asyncio.to_thread(self._user_state, user_key),
                    return_exceptions=True,
                )
            else:
                state = await asyncio.to_thread(self._user_state, user_key)
            if isinstance(parse, BaseException):
                raise parse
            if verdict is None:
                verdict = triage(ScreenResult(), concern_score(parse))
            if verdict.outcome == Outcome.DISCLOSURE:  # the model alone is clear
                return await self.escalate(user_key, message.channel, text, verdict.categories)
            if isinstance(state, BaseException):
                raise state
            if verdict.outcome == Outcome.NOT_SURE and state.checkin_recent:
                # a further concern after a check-in is not left to another check-in
                return await self.escalate(user_key, message.channel, text, verdict.categories,
                                           after_checkin=True)
            routed = plain_word_command(parse) if verdict.outcome == Outcome.ORDINARY else None
            if routed is None:
                turn = await self.runtime.respond(user_key, rasa_text, message.channel,
                                                  parse=parse)
        except Exception:  # database or model trouble: say so kindly, never go silent
            log.exception("could not answer channel=%s user=%s", message.channel, user_key[:8])
            if verdict is not None and verdict.outcome == Outcome.NOT_SURE:
                return await self.check_in(user_key, message.channel, text, verdict, [])
            return [self._say("try_again")]
        if routed is not None:
            return await self.run_command(user_key, routed)
        if verdict.outcome == Outcome.NOT_SURE or turn.concern:
            # Not sure: the question answered (unless the only reading was `concern`), then
            # the check-in. The concern rule firing on a message the triage did not find
            # clear is a check-in, never silence.
            if verdict.outcome != Outcome.NOT_SURE:
                verdict = Verdict(Outcome.NOT_SURE, ("model",))
            answered = [] if turn.concern else turn.replies
            return await self.check_in(user_key, message.channel, text, verdict, answered)
        replies = turn.replies or [self._say("fallback")]
        if state.iro_replied:
            replies = [*await self._replies_from_iro(user_key), *replies]
        if state.concern_recent and self.channels.history_on_device(message.channel):
            replies.append(Reply(self.content.after_concern()))
        log.info(
            "message handled channel=%s user=%s replies=%d ms=%.1f",
            message.channel, user_key[:8], len(replies), (time.perf_counter() - started) * 1000,
        )
        return replies

    async def _writing_to_iro(self, user_key: str) -> bool:
        try:
            return await asyncio.to_thread(is_writing, self.database_url, user_key)
        except Exception:  # can't tell: answer the message as a question, as before
            log.exception("could not read whether a message to the IRO is being written "
                          "user=%s", user_key[:8])
            return False

    async def _message_to_iro(
        self, user_key: str, message: IncomingMessage, parse: dict | None,
        verdict: Verdict | None,
    ) -> list[Reply]:
        """The person's message to their IRO. Screened like every message, by the model too
        (a disclosure escalates as always and still reaches the IRO); then saved, sealed, in
        their thread, and they are told it was sent."""
        text = message.text
        if verdict is None:
            parse = await self._understand_or_none(user_key, text, message.channel)
            verdict = triage(ScreenResult(), None if parse is None else concern_score(parse))
        if verdict.outcome == Outcome.DISCLOSURE:
            replies = await self.escalate(user_key, message.channel, text, verdict.categories)
            return replies + await self._send_to_iro(user_key, message)
        sent = await self._send_to_iro(user_key, message)
        if verdict.outcome == Outcome.NOT_SURE:
            return await self.not_sure(user_key, message.channel, text, verdict, sent)
        return sent

    async def _send_to_iro(self, user_key: str, message: IncomingMessage) -> list[Reply]:
        address = (  # where a reply can go at once, on a channel that can message first
            f"{message.channel}:{message.channel_user_id}"
            if self.channels.can_message_first(message.channel) else None
        )
        try:
            sent = await asyncio.to_thread(
                send_to_iro, self.database_url, self.keys, user_key=user_key,
                text=message.text.strip(), reply_address=address,
                retention=self.content.retention,
            )
        except Exception:
            log.exception("could not save a message to the IRO user=%s", user_key[:8])
            return [self._say("try_again")]
        if sent is None:
            return [self._say("message_iro_not_linked")]
        log.info("message to the IRO saved user=%s", user_key[:8])
        return [self._say("message_iro_sent", iro_name=sent.iro_name)]

    async def _replies_from_iro(self, user_key: str) -> list[Reply]:
        """Replies from the IRO this person has not had yet, before this turn's answer."""
        try:
            replies = await asyncio.to_thread(take_replies, self.database_url, self.keys,
                                              user_key)
        except Exception:  # they stay waiting for the next turn
            log.exception("could not read replies from the IRO user=%s", user_key[:8])
            return []
        return [self._from_iro(r.kind, r.role, r.iro_name, r.text) for r in replies]

    def _from_iro(self, kind: MessageKind, role: ConsultationRole, iro_name: str,
                  text: str) -> Reply:
        """A reply or a letter from the IRO, as the person reads it. Only ever sent to them:
        never given to Rasa, so "what does this mean?" afterwards is answered as usual."""
        return Reply(from_iro(self.content, kind=kind, role=role, iro_name=iro_name, text=text))

    async def replies_from_iro(self, channel: str, channel_user_id: str) -> list[Reply]:
        """Waiting replies from the IRO, for a channel that shows them when the person comes
        back (the web chat when its page opens), in this person's turn."""
        user_key = self.keys.user_key(channel, channel_user_id)
        async with self._turn_of(user_key):
            return await self._replies_from_iro(user_key)

    async def send_reply_from_iro(self, reply: SavedReply, iro_name: str, text: str) -> bool:
        """Send an IRO's saved reply (or letter after the review) at once, on the channel that
        can message the person first (its ``address``), in their turn: it never crosses the
        chat's own answer to them, and is not sent if a message of theirs has shown it
        meanwhile. True once it has reached them; False leaves it waiting, to be shown with
        their next message on any channel (a send that may or may not have arrived can so
        show it twice, never lose it)."""
        if reply.address is None:
            return False
        channel, _, address = reply.address.partition(":")
        async with self.turn(channel, address):
            try:
                if not await asyncio.to_thread(self._reply_waiting, reply.message_id):
                    return True
                await self.channels.send(
                    channel, address, [self._from_iro(reply.kind, reply.role, iro_name, text)])
            except Exception:
                log.exception("could not send a reply from the IRO message=%s", reply.message_id)
                return False
            try:
                await asyncio.to_thread(self._mark_delivered, reply.message_id)
            except Exception:  # it reached them: at worst their next message shows it again
                log.exception("could not mark a reply from the IRO as delivered message=%s",
                              reply.message_id)
        log.info("reply from the IRO sent message=%s channel=%s", reply.message_id, channel)
        return True

    def _reply_waiting(self, message_id: int) -> bool:
        with session_scope(self.database_url) as session:
            return reply_waiting(session, message_id)

    def _mark_delivered(self, message_id: int) -> None:
        with session_scope(self.database_url) as session:
            mark_delivered(session, message_id)

    async def _answered_before_understanding(
        self, user_key: str, message: IncomingMessage
    ) -> list[Reply] | None:
        """The replies that need no model: the rate limit, empty or over-long text, an invite
        code, the chat's commands and the check-in's buttons; None for everything else."""
        if not self.rate_limiter.allow(user_key):
            return [self._say("slow_down")]
        text = message.text.strip()
        command = text.split()[0].lower() if text.startswith("/") else ""
        if not text:
            return [self._say("empty_message")]
        if len(text) > self.max_message_chars:
            return [self._say("message_too_long", limit=str(self.max_message_chars))]
        code = find_code(text) if command in {"", "/start"} else None
        # An invite code, alone, in a sentence, or after /start; but while the review questions
        # wait for an answer, a code-shaped word inside a sentence is part of the answer.
        if (code is not None and find_code(text, alone=True) is None
                and await self._answering_form(user_key)):
            code = None
        if code is not None:
            return await self.redeem(user_key, message, code)
        if command in COMMANDS:
            return await self.run_command(user_key, command)
        if text == CHECKIN_OK:
            return [Reply(self.content.checkin("ok").text)]
        if text in CHECKIN_ESCALATE:  # "I'm not OK", "I want to talk to someone"
            return await self.escalate(user_key, message.channel, CHECKIN_ESCALATE[text],
                                       (CHECKIN_ESCALATE[text],), after_checkin=True)
        return None

    async def not_sure(
        self, user_key: str, channel: str, text: str, verdict: Verdict, answered: list[Reply]
    ) -> list[Reply]:
        """A check-in after the answer, or the full signposting if this person was checked in
        with lately (a further concern is not left to another check-in)."""
        try:
            state = await asyncio.to_thread(self._user_state, user_key)
            recent = state.checkin_recent
        except Exception:  # can't tell: the check-in is stored and shown either way
            log.exception("could not read the check-in state user=%s", user_key[:8])
            recent = False
        if recent:
            return await self.escalate(user_key, channel, text, verdict.categories,
                                       after_checkin=True)
        return await self.check_in(user_key, channel, text, verdict, answered)

    def screen_text(self, text: str) -> ScreenResult:
        try:
            return self.screen.check(text)
        except Exception:  # fail safe: a broken screen must not hide a disclosure
            log.exception("safety screen failed; answering with the signposting")
            return ScreenResult((SCREEN_FAILED,))

    async def _understand_or_none(self, user_key: str, text: str, channel: str) -> dict | None:
        """The model's reading of a message the lexicon noticed; None if it can't be had."""
        try:
            return await self.runtime.understand(user_key, self.to_rasa_text(text), channel)
        except Exception:
            log.exception("could not ask the model about a screened message user=%s",
                          user_key[:8])
            return None

    async def check_in(
        self, user_key: str, channel: str, text: str, verdict: Verdict, answered: list[Reply]
    ) -> list[Reply]:
        """Not sure: store a possible concern for the duty role, answer what was asked, then
        the warm check-in with its buttons (I'm OK / I'm not OK / I want to talk to someone)."""
        await asyncio.to_thread(
            raise_alert, self.database_url, self.keys, user_key=user_key, channel=channel,
            text=text, categories=verdict.categories, priority=AlertPriority.POSSIBLE,
            address=_turn_address.get(), flood=self.alert_flood,
        )
        said = self.content.checkin()
        return [*answered, Reply(text=said.text, buttons=list(said.buttons))]

    async def escalate(
        self, user_key: str, channel: str, text: str, categories: tuple[str, ...],
        after_checkin: bool = False,
    ) -> list[Reply]:
        """Store the urgent alert first, then give the fixed signposting (whatever happened).
        After a check-in, the possible concern it raised becomes urgent too."""
        store = escalate_checkin if after_checkin else raise_alert
        raised = await asyncio.to_thread(
            store, self.database_url, self.keys,
            user_key=user_key, channel=channel, text=text, categories=categories,
            address=_turn_address.get(), flood=self.alert_flood,
        )
        replies = [Reply(self.content.signposting(raised.audience.value))]
        if raised.review_id is not None:
            replies.extend(await self._pause_consultation(user_key))
        return replies

    async def _pause_consultation(self, user_key: str) -> list[Reply]:
        """After a disclosure in the middle of the review questions, stop asking them.

        The next message must not be taken as the answer to a question asked before the
        disclosure; the person's answers so far stay saved for when they want to carry on.
        """
        try:
            if not await asyncio.to_thread(
                has_open_consultation, self.database_url, self.keys, user_key
            ):
                return []
            await self.runtime.stop_form(user_key)
        except Exception:  # the signposting has been given; this is only tidying up
            log.exception("could not pause the review questions user=%s", user_key[:8])
            return []
        return [Reply(self.consultation_words.texts["paused_after_concern"])]

    async def _answering_form(self, user_key: str) -> bool:
        try:
            return await self.runtime.form_is_open(user_key)
        except Exception:  # can't tell: read it as a code, as before there were forms
            log.exception("could not read whether a form is open user=%s", user_key[:8])
            return False

    async def redeem(self, user_key: str, message: IncomingMessage, code: str) -> list[Reply]:
        """An invite code: link this person to their review, then ask the first question.

        Tries are limited per person and per code, with a backstop for everyone that never
        stops a person's first try (``AttemptLimiter``): a refused try is not checked at all.
        """
        code_key = code_hash(self.keys, code)
        if self.code_attempts.blocked(user_key, code_key):
            return [Reply(self.consultation_words.codes["too_many"])]
        address = (  # where the one reminder can go, on a channel that can message first
            f"{message.channel}:{message.channel_user_id}"
            if self.channels.can_message_first(message.channel) else None
        )
        try:
            redeemed = await asyncio.to_thread(
                redeem_code, self.database_url, self.keys, self.content,
                user_key=user_key, code=code, reminder_address=address,
            )
            if redeemed.outcome not in {RedeemOutcome.OK, RedeemOutcome.ALREADY_MINE}:
                # a real invite (used, expired, past) counts against its code as well
                real = redeemed.outcome != RedeemOutcome.WRONG
                self.code_attempts.failed(user_key, code_key if real else None)
                log.info("invite code refused outcome=%s user=%s",
                         redeemed.outcome.value, user_key[:8])
                return [Reply(self.consultation_words.codes[redeemed.outcome.value])]
            log.info("invite code redeemed outcome=%s user=%s",
                     redeemed.outcome.value, user_key[:8])
            turn = await self.runtime.respond(user_key, CONTINUE_PAYLOAD, message.channel)
        except Exception:
            log.exception("could not redeem an invite code user=%s", user_key[:8])
            return [self._say("try_again")]
        if redeemed.outcome == RedeemOutcome.ALREADY_MINE:  # carrying on: no second welcome
            return turn.replies
        return [Reply(redeemed.intro), *turn.replies]

    async def run_command(self, user_key: str, command: str) -> list[Reply]:
        """The chat's own commands: the same on every channel, never passed to Rasa.

        Most touch the database; if it is locked or down the person is asked to try again.
        """
        try:
            return await self._command(user_key, command)
        except Exception:  # database trouble: say so kindly, never go silent
            log.exception("could not run command=%s user=%s", command, user_key[:8])
            return [self._say("try_again")]

    async def _command(self, user_key: str, command: str) -> list[Reply]:
        kind = COMMANDS[command]
        if kind in {"privacy", "mydata", "delete"}:
            await asyncio.to_thread(record_request, self.database_url, user_key, kind)
        if kind == "mydata":
            held = await asyncio.to_thread(held_data, self.database_url, user_key)
            if held.since is None and not held.messages:
                return [self._say("mydata_nothing")]
            return [self._say(
                "mydata",
                messages=str(held.messages),
                answers_in_progress=str(held.answers_in_progress),
                answers_submitted=str(held.answers_submitted),
                messages_to_iro=str(held.messages_to_iro),
                delete_after=f"{held.delete_after:%-d %B %Y}",
            )]
        if kind == "delete":
            return [self._say("delete_ask")]
        if kind == "delete_confirm":
            await asyncio.to_thread(record_request, self.database_url, user_key, "delete")
            await asyncio.to_thread(erase, self.database_url, user_key)
            self.runtime.forget(user_key)
            # The same words for everyone: what was kept would say whether the person told us
            # something, and whoever holds the device may not be them (docs/security.md, 1).
            return [self._say("delete_done")]
        if kind == "start":
            return [self._say("welcome")]
        if kind == "message_iro":
            link = await asyncio.to_thread(
                start_writing, self.database_url, user_key, self.content.retention)
            if link is None:
                return [self._say("message_iro_not_linked")]
            return [self._say("message_iro_start", iro_name=link.iro_name)]
        if kind == "message_iro_cancelled":
            await asyncio.to_thread(stop_writing, self.database_url, user_key)
        return [self._say(kind)]  # help, privacy, delete_cancelled

    async def start(self, channel: str, channel_user_id: str, payload: str | None) -> list[Reply]:
        """A new conversation (Telegram ``/start``, optionally from a deep link).

        A deep-link payload is user text like any other: it goes through the whole pipeline,
        safety screen first, and an invite code in it is redeemed.
        """
        text = f"/start {payload}" if payload else "/start"
        return await self.handle(IncomingMessage(channel, channel_user_id, text))

    def command_text(self, key: str) -> Reply:
        """Fixed texts for channel commands such as /help and /privacy."""
        return self._say(key)

    def to_rasa_text(self, text: str) -> str:
        """Stop user text from reaching Rasa as a literal ``/intent{...}``.

        Rasa treats text starting with ``/`` as an intent with entities, skipping NLU.
        Only the exact payloads of our own buttons may do that; anything else loses its
        leading slashes and is understood as words.
        """
        if text.startswith("/") and text not in self.button_payloads:
            return text.lstrip("/").strip() or "hello"
        return text

    def _user_state(self, user_key: str) -> UserState:
        with session_scope(self.database_url) as session:
            user = get_or_create_chat_user(session, user_key, self.content.retention)
            recent = user.concern_raised_at is not None and (
                utcnow() - as_utc(user.concern_raised_at) < CONCERN_REMINDER_FOR
            )
            return UserState(audience=user.audience.value, concern_recent=recent,
                             checkin_recent=checked_in_recently(user),
                             iro_replied=replies_waiting(session, user))

    def _say(self, key: str, **values: str) -> Reply:
        said = self.content.say(key, **values)
        return Reply(text=said.text, buttons=list(said.buttons))


def plain_word_command(parse: dict) -> str | None:
    """The chat command a message asks for in plain words ("delete what I said"), if the
    model is sure enough; None otherwise."""
    intent = parse.get("intent") or {}
    command = PLAIN_WORD_COMMANDS.get(intent.get("name") or "")
    if command and (intent.get("confidence") or 0.0) >= PLAIN_WORD_CONFIDENCE:
        return command
    return None
