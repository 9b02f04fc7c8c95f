"""One review exported for the case record, as JSON or CSV: the views sent before it
(``bot/consultation/export.py``) and, when the caller may read them, the messages between
people and the IRO about it (``bot/iro_messages/record.py``). The two capabilities may not
import each other (docs/architecture.md, Layers); they meet here, for the dashboard's export
and ``carebot export``.

The audit log gets the export first: one entry for the review (saying whether placement
details were included, never what they are), and one for each thread whose words it holds,
as for reading the thread on the dashboard. CSV cells a spreadsheet would run as formulas are
written as text (``bot/services/csv_text.py``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.consultation.export import CSV_COLUMNS, answer_rows, review_views
from bot.iro_messages.record import RecordedThread, review_threads
from bot.services.audit import record
from bot.services.csv_text import csv_text
from db.encryption import DataKeys
from db.models import StaffUser

# A message's row in the CSV leaves the question columns empty and fills these.
MESSAGE_COLUMNS = ["thread_id", "message_from", "message_kind", "message_sent_at", "message"]


def export_review(
    session: Session,
    keys: DataKeys,
    content_dir: Path,
    review_id: int,
    fmt: str,
    *,
    actor: str,
    staff_user: StaffUser | None = None,
    include_placement: bool = False,
    include_messages: bool = False,
) -> str:
    """The review's sent views, and its threads if ``include_messages``, as JSON or CSV
    text; audit-logged first. ``LookupError`` if there is no such review."""
    if fmt not in {"json", "csv"}:
        raise ValueError(f"unknown export format {fmt!r} (use json or csv)")
    views = review_views(
        session, keys, content_dir, review_id, include_placement=include_placement
    )
    threads = review_threads(session, keys, review_id) if include_messages else []
    action = f"export_{fmt}" + ("_with_placement" if include_placement else "")
    record(session, actor=actor, action=action, target_type="review",
           target_id=str(review_id), staff_user=staff_user)
    for thread in threads:
        record(session, actor=actor, action="export_thread", target_type="iro_thread",
               target_id=str(thread.id), staff_user=staff_user)
    if fmt == "json":
        if include_messages:
            views["threads"] = [_thread_json(thread) for thread in threads]
        return json.dumps(views, indent=2, ensure_ascii=False) + "\n"
    columns = (CSV_COLUMNS + (MESSAGE_COLUMNS if include_messages else [])
               + (["placement_details"] if include_placement else []))
    placement = ({"placement_details": views["placement_details"] or ""}
                 if include_placement else {})
    rows = [*answer_rows(views), *_message_rows(views, threads)]
    return csv_text(columns, ({**row, **placement} for row in rows))


def _thread_json(thread: RecordedThread) -> dict[str, Any]:
    return {
        "thread_id": thread.id,
        "role": thread.role,
        "messages": [
            {"from": m.by, "kind": m.kind, "sent_at": m.sent_at.isoformat(), "text": m.text}
            for m in thread.messages
        ],
    }


def _message_rows(views: dict[str, Any], threads: list[RecordedThread]
                  ) -> list[dict[str, object]]:
    return [
        {
            "review_id": views["review_id"],
            "case_reference": views["case_reference"],
            "review_date": views["review_date"],
            "role": thread.role,
            "thread_id": thread.id,
            "message_from": message.by,
            "message_kind": message.kind,
            "message_sent_at": message.sent_at.isoformat(),
            "message": message.text,
        }
        for thread in threads
        for message in thread.messages
    ]
