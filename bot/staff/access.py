"""Who may see what: the one place that decides, used by every staff page, print, export,
search and report.

- iro: their own children's reviews and views; their own children's alerts (text,
  acknowledge);
- manager: their team's reviews and views (read, print, export); their team's alerts listed
  without the text and without acknowledging; reports for the team;
- duty: no reviews; every alert in the authority, including alerts not linked to any review
  (text, acknowledge);
- admin: no reviews, alerts or reports (no feedback content); staff accounts and audit log.

Messages between a person and their IRO (``IroThread``) are read and replied to only by the
current IRO of the review's child, so a covering IRO sees a thread once the child is
reassigned and the previous IRO no longer does; a manager sees their team's counts, never the
words; duty and admin see nothing of them. The letter after a review is written and sent only
by the child's current IRO (``ReviewRights.write_letter``); a manager sees nothing of it.

Placement details (the carer's name and address) are shown only to the child's own IRO, and
only the child's IRO can choose to include them in a print or export.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.orm import Session

from db.models import Alert, Child, IroThread, Review, StaffRole, StaffUser


def _team_iro_ids(staff: StaffUser) -> Select:
    return select(StaffUser.id).where(StaffUser.team_id == staff.team_id)


def children_clause(staff: StaffUser) -> ColumnElement[bool]:
    """Which children's reviews (and consultation views) ``staff`` may read."""
    if staff.role == StaffRole.IRO:
        return Child.iro_id == staff.id
    if staff.role == StaffRole.MANAGER and staff.team_id is not None:
        return Child.iro_id.in_(_team_iro_ids(staff))
    return false()


def alerts_clause(staff: StaffUser) -> ColumnElement[bool]:
    """Which alerts ``staff`` may see listed (text and acknowledging: ``alert_rights``)."""
    if staff.role == StaffRole.DUTY:
        return true()  # one deployment serves one authority: all of its alerts
    if staff.role in (StaffRole.IRO, StaffRole.MANAGER):
        reviews = select(Review.id).join(Child).where(children_clause(staff))
        return Alert.review_id.in_(reviews)
    return false()


def visible_reviews(staff: StaffUser) -> Select:
    return select(Review).join(Child, Child.id == Review.child_id).where(children_clause(staff))


def find_review(session: Session, staff: StaffUser, review_id: int) -> Review | None:
    """The review, if ``staff`` may see it; None both when it is missing and when it is not
    theirs (the caller answers 404 either way, so nobody learns which reviews exist)."""
    return session.scalar(visible_reviews(staff).where(Review.id == review_id))


def find_alert(session: Session, staff: StaffUser, alert_id: int) -> Alert | None:
    return session.scalar(select(Alert).where(Alert.id == alert_id, alerts_clause(staff)))


def _threads_of_children(staff: StaffUser) -> ColumnElement[bool]:
    return IroThread.review_id.in_(select(Review.id).join(Child).where(children_clause(staff)))


def threads_clause(staff: StaffUser) -> ColumnElement[bool]:
    """Which threads' words ``staff`` may read and reply to: the child's IRO's, now."""
    return _threads_of_children(staff) if staff.role == StaffRole.IRO else false()


def counted_threads_clause(staff: StaffUser) -> ColumnElement[bool]:
    """Which threads ``staff`` may count (how many messages wait, how many are overdue), never
    read: an IRO their own, a manager their team's."""
    return _threads_of_children(staff)


def find_thread(session: Session, staff: StaffUser, thread_id: int) -> IroThread | None:
    """The thread, if ``staff`` may read it; None both when it is missing and when it is not
    theirs (404 either way)."""
    return session.scalar(
        select(IroThread).where(IroThread.id == thread_id, threads_clause(staff)))


@dataclass(frozen=True)
class ReviewRights:
    read_views: bool
    mark_read: bool
    invite: bool
    export: bool
    placement: bool  # see placement details, and choose to include them in a print or export
    messages: bool  # the review's threads in its export: whoever may read them (threads_clause)
    write_letter: bool  # write and send the letter after the review (its words are the IRO's)


def review_rights(staff: StaffUser, review: Review) -> ReviewRights:
    """What ``staff`` may do with a review that ``find_review`` gave them."""
    own = staff.role == StaffRole.IRO and review.child.iro_id == staff.id
    return ReviewRights(read_views=True, mark_read=own, invite=own, export=True, placement=own,
                        messages=own, write_letter=own)


@dataclass(frozen=True)
class AlertRights:
    read_text: bool
    acknowledge: bool


def alert_rights(staff: StaffUser, alert: Alert) -> AlertRights:
    """Decrypted alert text goes only to the child's IRO and duty staff."""
    full = staff.role in (StaffRole.IRO, StaffRole.DUTY)
    return AlertRights(read_text=full, acknowledge=full)


def may_see_reports(staff: StaffUser) -> bool:
    return staff.role in (StaffRole.IRO, StaffRole.MANAGER)


def report_iros(session: Session, staff: StaffUser) -> list[StaffUser]:
    """The IROs whose figures ``staff`` may see: themselves, or their team's."""
    if staff.role == StaffRole.IRO:
        return [staff]
    if staff.role == StaffRole.MANAGER and staff.team_id is not None:
        return list(session.scalars(
            select(StaffUser)
            .where(StaffUser.team_id == staff.team_id, StaffUser.role == StaffRole.IRO)
            .order_by(StaffUser.display_name)
        ))
    return []
