"""Urgent alerts and possible concerns: newest first, open before done.

Urgent alerts (a disclosure) are acknowledged. Possible concerns (the chat checked in because
it was not sure) are reviewed by the duty role or the child's IRO, who either close them or
escalate them to urgent; a person who answered the check-in with "I'm not OK" has already
made theirs urgent. The text is decrypted only for those ``access.alert_rights`` allows (the
child's IRO and duty staff). Every list view, acknowledgement, closing and escalation is
audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from bot.staff.access import alert_rights, alerts_clause, find_alert
from bot.staff.web import StaffRequest, safe_next, staff_page
from db.models import Alert, AlertPriority, Review, StaffRole, StaffUser
from db.time import as_utc, utcnow


@dataclass(frozen=True)
class AlertRow:
    id: int
    created_at: datetime
    categories: list[str]
    channel: str
    review_id: int | None
    child: str | None
    case_reference: str | None
    text: str | None
    can_acknowledge: bool
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    priority: str = AlertPriority.URGENT.value
    escalated_at: datetime | None = None


def alert_rows(
    ctx: StaffRequest, *, only_open: bool = False, review_id: int | None = None,
    priority: AlertPriority = AlertPriority.URGENT,
) -> list[AlertRow]:
    query = select(Alert).where(alerts_clause(ctx.staff), Alert.priority == priority.value)
    if only_open:
        query = query.where(Alert.acknowledged_at.is_(None))
    if review_id is not None:
        query = query.where(Alert.review_id == review_id)
    alerts = ctx.db.scalars(
        query.order_by(Alert.acknowledged_at.is_not(None), Alert.created_at.desc(), Alert.id.desc())
    ).all()
    return [_row(ctx, alert) for alert in alerts]


def _row(ctx: StaffRequest, alert: Alert) -> AlertRow:
    keys = ctx.services.keys
    rights = alert_rights(ctx.staff, alert)
    review = ctx.db.get(Review, alert.review_id) if alert.review_id else None
    acknowledger = (
        ctx.db.get(StaffUser, alert.acknowledged_by_id) if alert.acknowledged_by_id else None
    )
    return AlertRow(
        id=alert.id,
        created_at=as_utc(alert.created_at),
        categories=[c.replace("_", " ") for c in alert.categories.split(",") if c],
        channel=alert.channel,
        review_id=review.id if review else None,
        child=keys.decrypt(review.child.first_name_enc) if review else None,
        case_reference=review.child.case_reference if review else None,
        text=keys.decrypt(alert.text_enc) if rights.read_text else None,
        can_acknowledge=rights.acknowledge and alert.acknowledged_at is None,
        acknowledged_at=as_utc(alert.acknowledged_at) if alert.acknowledged_at else None,
        acknowledged_by=acknowledger.display_name if acknowledger else None,
        priority=alert.priority,
        escalated_at=as_utc(alert.escalated_at) if alert.escalated_at else None,
    )


@staff_page(StaffRole.IRO, StaffRole.MANAGER, StaffRole.DUTY)
def alerts_page(ctx: StaffRequest) -> Response:
    rows = alert_rows(ctx)
    possible = alert_rows(ctx, priority=AlertPriority.POSSIBLE)
    ctx.audit("view_alerts")
    return ctx.render("staff/alerts.html", {
        "title": "Urgent alerts",
        "open_alerts": [r for r in rows if r.acknowledged_at is None],
        "done_alerts": [r for r in rows if r.acknowledged_at is not None],
        "open_possible": [r for r in possible if r.acknowledged_at is None],
        "closed_possible": [r for r in possible if r.acknowledged_at is not None],
    })


@staff_page(StaffRole.IRO, StaffRole.DUTY)
def escalate(ctx: StaffRequest) -> Response:
    """A possible concern becomes an urgent alert (open, to be acknowledged)."""
    alert_id = int(ctx.request.path_params["alert_id"])
    alert = find_alert(ctx.db, ctx.staff, alert_id)
    if (alert is None or not alert_rights(ctx.staff, alert).acknowledge
            or alert.priority != AlertPriority.POSSIBLE.value):
        return ctx.not_found("escalate_concern", "alert", alert_id)
    if alert.acknowledged_at is None:
        alert.priority = AlertPriority.URGENT.value
        alert.escalated_at = utcnow()
        alert.escalated_by_id = ctx.staff.id
        ctx.audit("escalate_concern", "alert", alert.id)
    return RedirectResponse(safe_next(ctx.form.get("next") or "/iro/alerts"), status_code=303)


@staff_page(StaffRole.IRO, StaffRole.MANAGER, StaffRole.DUTY)
def acknowledge(ctx: StaffRequest) -> Response:
    alert_id = int(ctx.request.path_params["alert_id"])
    alert = find_alert(ctx.db, ctx.staff, alert_id)
    if alert is None or not alert_rights(ctx.staff, alert).acknowledge:
        return ctx.not_found("acknowledge_alert", "alert", alert_id)
    if alert.acknowledged_at is None:
        alert.acknowledged_at = utcnow()
        alert.acknowledged_by_id = ctx.staff.id
        closing = alert.priority == AlertPriority.POSSIBLE.value
        ctx.audit("close_concern" if closing else "acknowledge_alert", "alert", alert.id)
    return RedirectResponse(safe_next(ctx.form.get("next") or "/iro/alerts"), status_code=303)
