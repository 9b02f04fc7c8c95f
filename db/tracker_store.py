"""Rasa tracker store on SQLAlchemy 2.0, events sealed at rest.

Rasa's own SQLTrackerStore targets SQLAlchemy 1.4, blocks the event loop and stores what users
typed in clear. This one appends only new events, runs database work in a worker thread, and
encrypts each event's JSON (which holds the user's text) with the data key.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterable
from datetime import timedelta

from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import ConversationEvent
from db.time import utcnow


class EncryptedSQLTrackerStore(TrackerStore, SerializedTrackerAsText):
    def __init__(
        self,
        database_url: str,
        keys: DataKeys,
        retention: timedelta | Callable[[], timedelta],
        domain: Domain | None = None,
    ) -> None:
        """``retention``: how long events are kept, or a function asked at every save (the
        council's retention can be changed on the staff dashboard while the app runs)."""
        super().__init__(domain)
        self.database_url = database_url
        self.keys = keys
        self._retention = retention

    @property
    def retention(self) -> timedelta:
        return self._retention() if callable(self._retention) else self._retention

    async def save(self, tracker: DialogueStateTracker) -> None:
        await asyncio.to_thread(self._save, tracker)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        return await asyncio.to_thread(self._retrieve, sender_id, False)

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        return await asyncio.to_thread(self._retrieve, conversation_id, True)

    async def keys(self) -> Iterable[str]:  # type: ignore[override]
        def _keys() -> list[str]:
            with session_scope(self.database_url) as session:
                rows = session.scalars(select(ConversationEvent.conversation_key).distinct())
                return list(rows)

        return await asyncio.to_thread(_keys)

    def _session_start_id(self, session: Session, key: str) -> int:
        latest = session.scalar(
            select(func.max(ConversationEvent.id)).where(
                ConversationEvent.conversation_key == key,
                ConversationEvent.type_name == SessionStarted.type_name,
            )
        )
        return latest or 0

    def _save(self, tracker: DialogueStateTracker) -> None:
        key = tracker.sender_id
        with session_scope(self.database_url) as session:
            stored = session.scalar(
                select(func.count(ConversationEvent.id)).where(
                    ConversationEvent.conversation_key == key,
                    ConversationEvent.id >= self._session_start_id(session, key),
                )
            )
            delete_after = utcnow() + self.retention
            for event in list(tracker.events)[stored or 0 :]:
                data = event.as_dict()
                session.add(
                    ConversationEvent(
                        conversation_key=key,
                        type_name=event.type_name,
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        timestamp=data.get("timestamp") or 0.0,
                        data_enc=self.keys.encrypt(json.dumps(data)),
                        delete_after=delete_after,
                    )
                )

    def _retrieve(self, key: str, all_sessions: bool) -> DialogueStateTracker | None:
        with session_scope(self.database_url) as session:
            query = select(ConversationEvent.data_enc).where(
                ConversationEvent.conversation_key == key
            )
            if not all_sessions:
                query = query.where(ConversationEvent.id >= self._session_start_id(session, key))
            sealed = list(session.scalars(query.order_by(ConversationEvent.id)))
        if not sealed:
            return None
        events = [json.loads(self.keys.decrypt(value)) for value in sealed]
        return DialogueStateTracker.from_dict(key, events, self.domain.slots)
