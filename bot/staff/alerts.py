"""Urgent alerts and possible concerns: paged (``PAGE_SIZE``), filtered by priority and
status, urgent before possible, newest activity first.

Urgent alerts (a disclosure) are acknowledged. Possible concerns (the chat checked in because
it was not sure) are reviewed by the duty role or the child's IRO, who either close them or
escalate them to urgent; a person who answered the check-in with "I'm not OK" has already
made theirs urgent. The text is decrypted only for those ``access.alert_rights`` allows (the
child's IRO and duty staff). Every list view, acknowledgement, closing and escalation is
audited.

An alert may stand for several messages (``repeats``): a person's repeats, or an "unusual
volume" alert folding a flood (bot/safety/alerts.py); the page shows the count, the last time
and the latest ``LATEST_SHOWN`` messages' words, with a link to every one of them
(``bot.staff.alert_messages``). Because a flood folds into one alert, page one is never buried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from sqlalchemy import case, func, select
from sqlalchemy.sql import Select
from starlette.datastructures import QueryParams
from starlette.responses import RedirectResponse, Response

from bot.safety.alerts import FoldedText, folded_count, folded_messages
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
    repeats: int = 1
    last_seen_at: datetime | None = None
    volume: str | None = None  # an unusual-volume alert: "everyone" or "network"
    latest: list[FoldedText] = field(default_factory=list)  # newest first, LATEST_SHOWN at most
    folded: int = 0  # how many messages are folded in, all readable (``alert_messages``)


PAGE_SIZE = 25
LATEST_SHOWN = 10  # folded messages shown on the list, per alert
PRIORITIES = {"all": None, "urgent": AlertPriority.URGENT, "possible": AlertPriority.POSSIBLE}
STATUSES = ("open", "done", "all")
MAX_PAGE = 100_000


@dataclass(frozen=True)
class AlertFilter:
    """What the alerts page shows; anything it cannot read is the default (everything, open
    first)."""

    priority: str = "all"
    status: str = "all"
    page: int = 1

    @classmethod
    def from_query(cls, params: QueryParams) -> AlertFilter:
        priority = params.get("priority", "all")
        status = params.get("status", "all")
        return cls(
            priority=priority if priority in PRIORITIES else "all",
            status=status if status in STATUSES else "all",
            page=page_number(params),
        )

    def url(self, **changes: object) -> str:
        values = {"priority": self.priority, "status": self.status, "page": self.page, **changes}
        return "/iro/alerts?" + urlencode(values)


def page_number(params: QueryParams) -> int:
    """``?page=``, or 1 for anything that is not a sensible page number."""
    page = params.get("page", "1")
    if page.isascii() and page.isdigit() and 0 < len(page) < 7 and int(page) > 0:
        return min(int(page), MAX_PAGE)
    return 1


def _listed(ctx: StaffRequest, *, status: str, priority: AlertPriority | None,
            review_id: int | None = None) -> Select:
    """The alerts this member of staff may see, filtered, in the order the page shows them:
    open first, urgent first, newest activity (the last message folded in) first."""
    query = select(Alert).where(alerts_clause(ctx.staff))
    if priority is not None:
        query = query.where(Alert.priority == priority.value)
    if status == "open":
        query = query.where(Alert.acknowledged_at.is_(None))
    elif status == "done":
        query = query.where(Alert.acknowledged_at.is_not(None))
    if review_id is not None:
        query = query.where(Alert.review_id == review_id)
    return query.order_by(
        Alert.acknowledged_at.is_not(None),
        case((Alert.priority == AlertPriority.URGENT.value, 0), else_=1),
        func.coalesce(Alert.last_seen_at, Alert.created_at).desc(), Alert.id.desc(),
    )


def alert_rows(
    ctx: StaffRequest, *, only_open: bool = False, review_id: int | None = None,
    priority: AlertPriority = AlertPriority.URGENT,
) -> list[AlertRow]:
    """Every alert of one priority (a review page, an IRO's home page: only alerts linked to
    their reviews, which only invited people can raise)."""
    query = _listed(ctx, status="open" if only_open else "all", priority=priority,
                    review_id=review_id)
    return [_row(ctx, alert) for alert in ctx.db.scalars(query)]


GROUPS = {  # (open, priority) -> the heading its alerts are shown under
    (True, AlertPriority.URGENT.value): "Not yet acknowledged",
    (True, AlertPriority.POSSIBLE.value): "Possible concerns to review",
    (False, AlertPriority.URGENT.value): "Acknowledged",
    (False, AlertPriority.POSSIBLE.value): "Possible concerns closed",
}


@dataclass(frozen=True)
class AlertPage:
    rows: list[AlertRow]
    total: int
    pages: int
    filter: AlertFilter

    @property
    def groups(self) -> list[tuple[str, list[AlertRow]]]:
        """The page's rows under their headings, in the page's order."""
        groups: dict[str, list[AlertRow]] = {}
        for row in self.rows:
            title = GROUPS[(row.acknowledged_at is None, row.priority)]
            groups.setdefault(title, []).append(row)
        return list(groups.items())


def alert_page(ctx: StaffRequest, chosen: AlertFilter) -> AlertPage:
    """One page of the alerts ``chosen`` asks for, and how many there are in all."""
    query = _listed(ctx, status=chosen.status, priority=PRIORITIES[chosen.priority])
    total = ctx.db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(chosen.page, pages)
    alerts = ctx.db.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    return AlertPage([_row(ctx, a) for a in alerts], total, pages,
                     AlertFilter(chosen.priority, chosen.status, page))


def _row(ctx: StaffRequest, alert: Alert) -> AlertRow:
    keys = ctx.services.keys
    rights = alert_rights(ctx.staff, alert)
    review = ctx.db.get(Review, alert.review_id) if alert.review_id else None
    acknowledger = (
        ctx.db.get(StaffUser, alert.acknowledged_by_id) if alert.acknowledged_by_id else None
    )
    volume = None
    if alert.fold_key is not None:
        volume = "network" if ":range:" in alert.fold_key else "everyone"
    latest = (folded_messages(ctx.db, keys, alert.id, limit=LATEST_SHOWN)
              if rights.read_text else [])
    folded = folded_count(ctx.db, alert.id) if len(latest) == LATEST_SHOWN else len(latest)
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
        repeats=alert.repeats or 1,
        last_seen_at=as_utc(alert.last_seen_at) if alert.last_seen_at else None,
        volume=volume,
        latest=latest,
        folded=folded,
    )


@staff_page(StaffRole.IRO, StaffRole.MANAGER, StaffRole.DUTY)
def alerts_page(ctx: StaffRequest) -> Response:
    page = alert_page(ctx, AlertFilter.from_query(ctx.request.query_params))
    ctx.audit("view_alerts")
    return ctx.render("staff/alerts.html", {
        "title": "Alerts",
        "page": page,
        "priorities": list(PRIORITIES),
        "statuses": STATUSES,
        "back": page.filter.url(),
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
