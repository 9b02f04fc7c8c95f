"""Rasa tracker store on SQLAlchemy 2.0, events sealed at rest.

Rasa's own SQLTrackerStore targets SQLAlchemy 1.4, blocks the event loop and stores what users
typed in clear. This one appends only new events, runs database work in a worker thread, and
encrypts each event's JSON (which holds the user's text) with the data key.

The trackers of the most recent conversations are kept in memory after each save, so that the
next message does not decrypt and rebuild every event of the session (Rasa's event classes are
looked up by name for each one: measured, most of a retrieval). The database stays the truth:
a kept tracker is used only if the conversation's newest stored event is still the one it was
saved with (anything another process added or erased makes it stale), it is taken out while a
turn runs (a turn that fails before saving leaves nothing behind in memory), and ``forget``
drops it when the person erases their data.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from rasa.core.tracker_store import SerializedTrackerAsText, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import ConversationEvent
from db.time import utcnow

# Conversations whose tracker is kept between messages: enough for everyone chatting in one
# council at the same time, small enough (tens of KiB each) not to matter for memory.
RECENT_TRACKERS = 256


@dataclass(frozen=True)
class _Kept:
    tracker: DialogueStateTracker
    newest_id: int  # id of the conversation's newest stored event when it was saved


class _RecentTrackers:
    """Small LRUs shared by the worker threads that run database work: trackers kept between
    messages, and for each tracker handed out, how many of its events are already stored."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self._handed_out: OrderedDict[str, tuple[DialogueStateTracker, int]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> _Kept | None:
        with self._lock:
            return self._kept.pop(key, None)

    def put(self, key: str, kept: _Kept) -> None:
        with self._lock:
            self._bounded_put(self._kept, key, kept)

    def hand_out(self, key: str, tracker: DialogueStateTracker) -> None:
        with self._lock:
            self._bounded_put(self._handed_out, key, (tracker, len(tracker.events)))

    def stored_count(self, key: str, tracker: DialogueStateTracker) -> int | None:
        """How many of this tracker's events were stored when it was handed out, if it was."""
        with self._lock:
            handed = self._handed_out.pop(key, None)
        return handed[1] if handed is not None and handed[0] is tracker else None

    def drop(self, key: str) -> None:
        with self._lock:
            self._kept.pop(key, None)
            self._handed_out.pop(key, None)

    def _bounded_put(self, lru: OrderedDict, key: str, value: object) -> None:
        lru[key] = value
        lru.move_to_end(key)
        while len(lru) > self.size:
            lru.popitem(last=False)


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
        self._recent = _RecentTrackers(RECENT_TRACKERS)

    def forget(self, key: str) -> None:
        """Drop a conversation's tracker from memory (the person erased their data)."""
        self._recent.drop(key)

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

    def _newest_id(self, session: Session, key: str) -> int | None:
        return session.scalar(
            select(func.max(ConversationEvent.id)).where(ConversationEvent.conversation_key == key)
        )

    def _save(self, tracker: DialogueStateTracker) -> None:
        key = tracker.sender_id
        # A tracker this store handed out: its events up to that point are stored. Otherwise
        # (a new conversation) count what is stored of its current session.
        stored = self._recent.stored_count(key, tracker)
        with session_scope(self.database_url) as session:
            if stored is None:
                stored = session.scalar(
                    select(func.count(ConversationEvent.id)).where(
                        ConversationEvent.conversation_key == key,
                        ConversationEvent.id >= self._session_start_id(session, key),
                    )
                )
            delete_after = utcnow() + self.retention
            rows = [
                {
                    "conversation_key": key,
                    "type_name": event.type_name,
                    "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                    "action_name": data.get("name"),
                    "timestamp": data.get("timestamp") or 0.0,
                    "data_enc": self.keys.encrypt(json.dumps(data)),
                    "delete_after": delete_after,
                }
                for event in list(tracker.events)[stored or 0 :]
                for data in [event.as_dict()]
            ]
            if rows:  # one INSERT for all of them, not one per ORM object
                session.execute(insert(ConversationEvent), rows)
            newest = self._newest_id(session, key)
        if newest is not None:  # committed: the next message may start from this tracker
            self._recent.put(key, _Kept(tracker, newest))

    def _retrieve(self, key: str, all_sessions: bool) -> DialogueStateTracker | None:
        kept = None if all_sessions else self._recent.take(key)
        with session_scope(self.database_url) as session:
            if kept is not None and self._newest_id(session, key) == kept.newest_id:
                self._recent.hand_out(key, kept.tracker)
                return kept.tracker
            query = select(ConversationEvent.data_enc).where(
                ConversationEvent.conversation_key == key
            )
            if not all_sessions:
                query = query.where(ConversationEvent.id >= self._session_start_id(session, key))
            sealed = list(session.scalars(query.order_by(ConversationEvent.id)))
        if not sealed:
            return None
        events = [json.loads(self.keys.decrypt(value)) for value in sealed]
        tracker = DialogueStateTracker.from_dict(key, events, self.domain.slots)
        if not all_sessions:
            self._recent.hand_out(key, tracker)
        return tracker
