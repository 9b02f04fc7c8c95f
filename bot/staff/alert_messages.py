"""Every message folded into one alert, newest first, ``PAGE_SIZE`` a page.

The alerts list shows only the latest few of an alert's folded messages, to stay light; this
page is where the duty role (or the child's IRO) reads all of them, so a real disclosure inside
a long flood is never out of reach. The same rules as the list: only alerts ``find_alert``
gives this member of staff, words only for those ``alert_rights`` lets read them (anyone else
gets the 404 page), and every read is audited.
"""

from __future__ import annotations

from starlette.responses import Response

from bot.safety.alerts import folded_count, folded_messages
from bot.staff.access import alert_rights, find_alert
from bot.staff.alerts import page_number
from bot.staff.web import StaffRequest, staff_page
from db.models import StaffRole
from db.time import as_utc

PAGE_SIZE = 50


@staff_page(StaffRole.IRO, StaffRole.MANAGER, StaffRole.DUTY)
def alert_messages_page(ctx: StaffRequest) -> Response:
    alert_id = int(ctx.request.path_params["alert_id"])
    alert = find_alert(ctx.db, ctx.staff, alert_id)
    if alert is None or not alert_rights(ctx.staff, alert).read_text:
        return ctx.not_found("view_alert_messages", "alert", alert_id)
    total = folded_count(ctx.db, alert.id)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page_number(ctx.request.query_params), pages)
    messages = folded_messages(ctx.db, ctx.services.keys, alert.id, limit=PAGE_SIZE,
                               offset=(page - 1) * PAGE_SIZE)
    ctx.audit("view_alert_messages", "alert", alert.id)
    return ctx.render("staff/alert_messages.html", {
        "title": f"Messages folded into alert {alert.id}",
        "alert": alert,
        "created_at": as_utc(alert.created_at),
        "volume": alert.fold_key is not None,
        "text": ctx.services.keys.decrypt(alert.text_enc),
        "messages": messages,
        "total": total,
        "page": page,
        "pages": pages,
        "first": (page - 1) * PAGE_SIZE,
    })
