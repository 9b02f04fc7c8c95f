"""The audit log: who did what to which record, and when. Never the content."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import AuditEntry, StaffUser


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    target_type: str | None = None,
    target_id: str | None = None,
    outcome: str = "ok",
    staff_user: StaffUser | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        staff_user_id=staff_user.id if staff_user else None,
        actor=actor[:80], action=action[:60], target_type=target_type,
        target_id=target_id, outcome=outcome,
    )
    session.add(entry)
    session.flush()
    return entry
