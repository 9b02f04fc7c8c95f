"""Every place carebot reaches inside Rasa Open Source 3.6, fenced in one module.

carebot uses three things Rasa does not promise to keep: it replaces how custom actions'
responses are validated (speed), parses a message without Rasa's closing domain check (speed,
in the understanding process), and takes away Rasa's fail-safe tracker store wrapper (a database
error should mean "please try again", not an answer out of context). An upgrade that moves any
of them must fail loudly here, in ``missing_internals()`` and its test
(``tests/unit/test_rasa_compat.py``), not quietly change what carebot does.
"""

from __future__ import annotations

import inspect
from typing import Any

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.core.processor import MessageProcessor
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

# The Rasa release series these internals were read from (requirements/rasa.txt pins it).
TESTED_RASA_SERIES = "3.6."

# name -> the parameters carebot relies on (after ``self``)
_INTERNALS: dict[str, tuple[Any, str, tuple[str, ...]]] = {
    "RemoteAction._validate_action_result": (RemoteAction, "_validate_action_result",
                                             ("result",)),
    "RemoteAction.action_response_format_spec": (RemoteAction, "action_response_format_spec",
                                                 ()),
    "MessageProcessor._parse_message_with_graph": (MessageProcessor, "_parse_message_with_graph",
                                                   ("message", "tracker")),
    "MessageProcessor._update_full_retrieval_intent": (
        MessageProcessor, "_update_full_retrieval_intent", ("parse_data",)),
}


def missing_internals() -> list[str]:
    """What this Rasa lacks of what carebot reaches for: empty on the tested release."""
    import rasa

    missing = []
    if not rasa.__version__.startswith(TESTED_RASA_SERIES):
        missing.append(f"rasa {rasa.__version__} is not the tested {TESTED_RASA_SERIES}x")
    for name, (owner, attribute, parameters) in _INTERNALS.items():
        found = inspect.getattr_static(owner, attribute, None)
        if found is None:
            missing.append(f"{name} is gone")
            continue
        function = getattr(owner, attribute)
        names = [p for p in inspect.signature(function).parameters if p != "self"]
        if getattr(function, "carebot_cached", False):
            continue  # our own replacement, installed already
        if names[: len(parameters)] != list(parameters):
            missing.append(f"{name} now takes {names}, not {list(parameters)}")
    for owner in (Agent, MessageProcessor):  # both hold the store that is swapped
        if "tracker_store" not in inspect.signature(owner.__init__).parameters:
            missing.append(f"{owner.__name__}() no longer takes a tracker_store")
    return missing


def cache_action_response_validation() -> None:
    """Validate custom actions' responses with one validator built once, not one per call.

    Rasa checks every action response with ``jsonschema.validate``, which first checks Rasa's
    large events schema against the JSON Schema metaschema, on every call: measured, about
    two thirds of a message's time. The response is still validated against the same schema.
    """
    if getattr(RemoteAction._validate_action_result, "carebot_cached", False):
        return
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def validate(self: RemoteAction, result: dict[str, Any]) -> bool:
        validator.validate(result)  # raises jsonschema.ValidationError, as Rasa's own does
        return True

    validate.carebot_cached = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate  # type: ignore[method-assign]


def parse_without_domain_check(
    processor: MessageProcessor, text: str, sender_id: str, channel: str
) -> dict[str, Any]:
    """What ``MessageProcessor.parse_message`` returns, without its last step, which only
    warns if the model predicted an intent or entity the domain lacks (carebot's training data
    is checked against the domain by its tests) and first asks ``Domain.is_empty()``, which
    builds and compares two whole domain dictionaries: measured, 0.6 ms of each parse."""
    message = UserMessage(text, sender_id=sender_id, input_channel=channel)
    parse = processor._parse_message_with_graph(
        message, DialogueStateTracker.from_events(sender_id, [])
    )
    processor._update_full_retrieval_intent(parse)
    return parse


def use_tracker_store_directly(agent: Agent, tracker_store: TrackerStore) -> None:
    """Rasa wraps the store in a FailSafeTrackerStore, which on a database error answers as if
    the conversation were new (retrieve) or keeps it in memory only (save). carebot would
    rather say "please try again" than answer out of context or lose the turn."""
    agent.tracker_store = tracker_store
    agent.processor.tracker_store = tracker_store
