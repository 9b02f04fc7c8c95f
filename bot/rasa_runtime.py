"""The Rasa agent in this process, with custom actions mounted in process too.

Rasa Open Source 3.6 only calls custom actions over HTTP. Rather than run a second server,
``InProcessActionEndpoint`` answers Rasa's action calls by handing them straight to a
rasa-sdk ``ActionExecutor``: same protocol and payloads, no socket, one process to run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import ActiveLoop, SlotSet
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot.logging_setup import quiet_library_logs
from bot.messages import Button, Reply
from bot.nlu.parse_process import ParseProcess
from bot.rasa_compat import cache_action_response_validation, use_tracker_store_directly

log = logging.getLogger(__name__)

ACTIONS_PACKAGE = "rasa_project.actions"


class InProcessActionEndpoint(EndpointConfig):
    """An action endpoint that runs rasa-sdk actions in this process instead of over HTTP."""

    def __init__(self, executor: ActionExecutor) -> None:
        super().__init__(url="inprocess://actions")
        self.executor = executor

    async def request(  # type: ignore[override]
        self, method: str = "post", subpath: str | None = None, **kwargs: Any
    ) -> Any:
        action_call = kwargs["json"]
        try:
            return await self.executor.run(action_call)
        except ActionExecutionRejection as exc:
            body = json.dumps({"error": exc.message, "action_name": exc.action_name})
            raise ClientResponseError(400, "rejected", body) from exc
        except ActionNotFoundException as exc:
            body = json.dumps({"error": exc.message, "action_name": exc.action_name})
            raise ClientResponseError(404, "not found", body) from exc


def action_executor() -> ActionExecutor:
    executor = ActionExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    return executor


CONCERN_MARKER = "safeguarding_concern"
CONCERN_INTENT = "concern"
CONCERN_THRESHOLD = 0.25


@dataclass(frozen=True)
class RasaTurn:
    """What Rasa said, and whether its `concern` intent fired (the pipeline then escalates)."""

    replies: list[Reply]
    concern: bool = False
    intent: str | None = None


class RasaRuntime:
    """A loaded model that turns one user text into bot replies."""

    def __init__(self, agent: Agent, parser: ParseProcess | None = None) -> None:
        self.agent = agent
        self.parser = parser  # None: parse in this process, on the event loop

    @classmethod
    def load(cls, model_path: Path, tracker_store: TrackerStore) -> RasaRuntime:
        quiet_library_logs()  # whoever loads the model, Rasa must not log what users type
        cache_action_response_validation()
        agent = Agent.load(
            str(model_path),
            tracker_store=tracker_store,
            action_endpoint=InProcessActionEndpoint(action_executor()),
        )
        tracker_store.domain = agent.domain
        use_tracker_store_directly(agent, tracker_store)
        return cls(agent)

    async def understand(self, conversation_key: str, text: str, channel: str) -> dict[str, Any]:
        """Rasa's parse of ``text``: in the understanding process if there is one."""
        if self.parser is not None:
            return await self.parser.parse(text, conversation_key, channel)
        return await self.agent.processor.parse_message(
            UserMessage(text, sender_id=conversation_key, input_channel=channel)
        )

    async def respond(
        self, conversation_key: str, text: str, channel: str, metadata: dict | None = None,
        parse: dict[str, Any] | None = None,
    ) -> RasaTurn:
        """Run the dialogue on ``parse`` (the pipeline has triaged it already), or understand
        ``text`` first and escalate a possible disclosure before any dialogue (for the chat's
        own payloads, e.g. carrying on a form after an invite code).

        The `concern` intent counts when it is anywhere in the ranking above
        ``CONCERN_THRESHOLD``, not only when it wins: for safeguarding, recall comes first.
        The same parse is handed to the dialogue, so NLU runs once per message.
        """
        if parse is None:
            parse = await self.understand(conversation_key, text, channel)
            if is_concern(parse):
                return RasaTurn(replies=[], concern=True, intent=CONCERN_INTENT)
        output = CollectingOutputChannel()
        message = UserMessage(
            text, output, sender_id=conversation_key, input_channel=channel, metadata=metadata,
            parse_data=parse,
        )
        await self.agent.handle_message(message)
        concern = any((m.get("custom") or {}).get(CONCERN_MARKER) for m in output.messages)
        replies = [reply for m in output.messages if (reply := reply_from_rasa(m))]
        intent = (parse.get("intent") or {}).get("name")
        return RasaTurn(replies=replies, concern=concern, intent=intent)

    def forget(self, conversation_key: str) -> None:
        """Drop anything of this conversation the tracker store keeps in memory (erasure)."""
        forget = getattr(self.agent.tracker_store, "forget", None)
        if forget is not None:
            forget(conversation_key)

    async def form_is_open(self, conversation_key: str) -> bool:
        """Whether a form (the review questions) is waiting for this person's answer."""
        tracker = await self.agent.tracker_store.retrieve(conversation_key)
        return tracker is not None and bool(tracker.active_loop_name)

    async def stop_form(self, conversation_key: str) -> None:
        """End whatever form is active, so the next message is not read as its answer."""
        tracker = await self.agent.tracker_store.get_or_create_tracker(conversation_key)
        if not tracker.active_loop_name:
            return
        tracker.update(ActiveLoop(None))
        tracker.update(SlotSet(REQUESTED_SLOT, None))
        await self.agent.tracker_store.save(tracker)


def is_concern(parse: dict[str, Any]) -> bool:
    """Whether the trained `concern` intent counts as a possible disclosure (recall first)."""
    return concern_score(parse) >= CONCERN_THRESHOLD


def concern_score(parse: dict[str, Any]) -> float:
    ranking = parse.get("intent_ranking") or [parse.get("intent") or {}]
    return max(
        (r.get("confidence") or 0.0 for r in ranking if r.get("name") == CONCERN_INTENT),
        default=0.0,
    )


def reply_from_rasa(message: dict[str, Any]) -> Reply | None:
    """One Rasa bot message as a channel-neutral reply (images and custom JSON are dropped)."""
    text = message.get("text")
    if not text:
        return None
    buttons = [
        Button(title=b["title"], payload=b["payload"]) for b in message.get("buttons") or []
    ]
    return Reply(text=text, buttons=buttons)
