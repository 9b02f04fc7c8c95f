"""Admin pages: staff accounts (list, add, disable, enable, reset, sign out everywhere) and the
audit log. No feedback content.

A new account, and an account whose password is reset, gets a one-time set-password link shown
to the admin once (``bot.staff.accounts``); the admin never chooses or sees a password.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from bot.staff import accounts
from bot.staff.users import StaffUserError, add_staff_user, team_named
from bot.staff.web import StaffRequest, staff_page
from db.models import AuditEntry, IroTeam, StaffRole, StaffUser

AUDIT_PAGE = 200


def _users_page(ctx: StaffRequest, problem: str | None = None, link: str | None = None,
                link_for: str | None = None, status: int = 200) -> Response:
    return ctx.render("staff/users.html", {
        "title": "Staff accounts",
        "users": ctx.db.scalars(select(StaffUser).order_by(StaffUser.username)).all(),
        "teams": ctx.db.scalars(select(IroTeam).order_by(IroTeam.name)).all(),
        "roles": [r.value for r in StaffRole],
        "problem": problem,
        "link": link,
        "link_for": link_for,
        "link_hours": int(accounts.LINK_LIFETIME.total_seconds() // 3600),
        "form": ctx.form,
    }, status)


@staff_page(StaffRole.ADMIN)
def users_page(ctx: StaffRequest) -> Response:
    ctx.audit("view_users")
    return _users_page(ctx)


@staff_page(StaffRole.ADMIN)
def add_user(ctx: StaffRequest) -> Response:
    form = ctx.form
    try:
        role = StaffRole(form.get("role", ""))
    except ValueError:
        return _users_page(ctx, "Choose a role.", status=400)
    team = None
    if form.get("team"):
        authority = ctx.services.content.authority
        team = team_named(ctx.db, form["team"].strip()[:200], ctx.services.settings.local_authority,
                          str(authority.get("name", ctx.services.settings.local_authority)))
    try:
        user = add_staff_user(
            ctx.db, username=form.get("username", ""), display_name=form.get("name", ""),
            role=role, team=team,
        )
    except StaffUserError as exc:
        ctx.db.rollback()
        return _users_page(ctx, str(exc), status=400)
    link = accounts.issue_link(ctx.db, user, ctx.services.settings.public_url)
    ctx.audit("add_staff_user", "staff_user", user.id)
    return _users_page(ctx, link=link, link_for=user.username)


def _account_action(action: str, act: Callable[[StaffRequest, StaffUser], Response | None]
                    ) -> Callable:
    """An admin's POST on one account: found (or 404), never their own, then ``act``."""

    @staff_page(StaffRole.ADMIN)
    def handler(ctx: StaffRequest) -> Response:
        raw_id = ctx.request.path_params["user_id"]
        user = ctx.db.get(StaffUser, int(raw_id))
        if user is None:
            return ctx.not_found(action, "staff_user", raw_id)
        if user.id == ctx.staff.id:
            ctx.audit(action, "staff_user", user.id, outcome="denied")
            return _users_page(ctx, "Ask another admin to do this to your own account.",
                               status=400)
        return act(ctx, user) or RedirectResponse("/iro/admin/users", status_code=303)

    handler.__name__ = action
    return handler


def _disable(ctx: StaffRequest, user: StaffUser) -> None:
    accounts.disable(ctx.db, user, ctx.actor, ctx.staff)


def _enable(ctx: StaffRequest, user: StaffUser) -> None:
    accounts.enable(ctx.db, user, ctx.actor, ctx.staff)


def _reset(ctx: StaffRequest, user: StaffUser) -> Response:
    link = accounts.force_reset(ctx.db, user, ctx.services.settings.public_url, ctx.actor,
                                ctx.staff)
    return _users_page(ctx, link=link, link_for=user.username)


def _sign_out(ctx: StaffRequest, user: StaffUser) -> None:
    accounts.sign_out_all(ctx.db, user, ctx.actor, ctx.staff)


disable_user = _account_action("disable_staff_user", _disable)
enable_user = _account_action("enable_staff_user", _enable)
reset_password = _account_action("reset_staff_password", _reset)
sign_out_everywhere = _account_action("sign_out_everywhere", _sign_out)


@staff_page(StaffRole.ADMIN)
def audit_page(ctx: StaffRequest) -> Response:
    entries = ctx.db.scalars(
        select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_PAGE)
    ).all()
    ctx.audit("view_audit_log")
    return ctx.render("staff/audit.html", {"title": "Audit log", "entries": entries,
                                           "limit": AUDIT_PAGE})
