"""The Rasa agent in this process, with custom actions mounted in process too.

Rasa Open Source 3.6 only calls custom actions over HTTP. Rather than run a second server,
``InProcessActionEndpoint`` answers Rasa's action calls by handing them straight to a
rasa-sdk ``ActionExecutor``: same protocol and payloads, no socket, one process to run.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import TrackerStore
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException

from bot.channels.messages import Button, Reply

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


class RasaRuntime:
    """A loaded model that turns one user text into bot replies."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent

    @classmethod
    def load(cls, model_path: Path, tracker_store: TrackerStore) -> RasaRuntime:
        agent = Agent.load(
            str(model_path),
            tracker_store=tracker_store,
            action_endpoint=InProcessActionEndpoint(action_executor()),
        )
        tracker_store.domain = agent.domain
        return cls(agent)

    async def respond(self, conversation_key: str, text: str, channel: str) -> list[Reply]:
        output = CollectingOutputChannel()
        await self.agent.handle_message(
            UserMessage(text, output, sender_id=conversation_key, input_channel=channel)
        )
        return [reply for message in output.messages if (reply := reply_from_rasa(message))]


def reply_from_rasa(message: dict[str, Any]) -> Reply | None:
    """One Rasa bot message as a channel-neutral reply (images and custom JSON are dropped)."""
    text = message.get("text")
    if not text:
        return None
    buttons = [
        Button(title=b["title"], payload=b["payload"]) for b in message.get("buttons") or []
    ]
    return Reply(text=text, buttons=buttons)
