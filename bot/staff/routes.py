"""Every staff route, in one list, mounted at /iro by ``bot.web.app.create_app``."""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.routing import Mount, Route

from bot.staff import (
    admin,
    alert_messages,
    alerts,
    letter_pages,
    message_pages,
    report_pages,
    reviews,
    set_password,
    settings_page,
    signin,
)
from bot.staff.web import NoStoreMiddleware

ROUTES = [
    Route("/", reviews.home),
    Route("/login", signin.login, methods=["GET", "POST"]),
    Route("/logout", signin.logout, methods=["POST"]),
    Route("/search", reviews.search),
    Route("/reviews/{review_id:int}", reviews.review_page),
    Route("/reviews/{review_id:int}/read", reviews.mark_read, methods=["POST"]),
    Route("/reviews/{review_id:int}/invite", reviews.invite, methods=["POST"]),
    Route("/reviews/{review_id:int}/print", reviews.print_view),
    Route("/reviews/{review_id:int}/export", reviews.export, methods=["POST"]),
    Route("/reviews/{review_id:int}/letter/{role}", letter_pages.letter_page),
    Route("/reviews/{review_id:int}/letter/{role}", letter_pages.check_or_send,
          methods=["POST"]),
    Route("/alerts", alerts.alerts_page),
    Route("/alerts/{alert_id:int}", alert_messages.alert_messages_page),
    Route("/alerts/{alert_id:int}/acknowledge", alerts.acknowledge, methods=["POST"]),
    Route("/alerts/{alert_id:int}/escalate", alerts.escalate, methods=["POST"]),
    Route("/messages", message_pages.inbox_page),
    Route("/messages/{thread_id:int}", message_pages.thread_page),
    Route("/messages/{thread_id:int}/reply", message_pages.reply, methods=["POST"]),
    Route("/reports", report_pages.report_page),
    Route("/reports.csv", report_pages.report_csv),
    Route("/reports/chart.svg", report_pages.report_chart),
    Route("/admin/users", admin.users_page),
    Route("/admin/users/add", admin.add_user, methods=["POST"]),
    Route("/set-password/{token}", set_password.set_password, methods=["GET", "POST"]),
    Route("/admin/users/{user_id:int}/disable", admin.disable_user, methods=["POST"]),
    Route("/admin/users/{user_id:int}/enable", admin.enable_user, methods=["POST"]),
    Route("/admin/users/{user_id:int}/reset-password", admin.reset_password, methods=["POST"]),
    Route("/admin/users/{user_id:int}/sign-out", admin.sign_out_everywhere, methods=["POST"]),
    Route("/admin/audit", admin.audit_page),
    Route("/admin/settings", settings_page.settings_page, methods=["GET", "POST"]),
]


def staff_mount() -> Mount:
    return Mount("/iro", routes=ROUTES, middleware=[Middleware(NoStoreMiddleware)])
