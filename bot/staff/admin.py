"""Admin pages: staff accounts (list, add, unlock) and the audit log. No feedback content."""

from __future__ import annotations

from sqlalchemy import select
from starlette.responses import RedirectResponse, Response

from bot.staff.users import StaffUserError, add_staff_user, team_named
from bot.staff.web import StaffRequest, staff_page
from db.models import AuditEntry, IroTeam, StaffRole, StaffUser

AUDIT_PAGE = 200


def _users_page(ctx: StaffRequest, problem: str | None = None, added: str | None = None,
                status: int = 200) -> Response:
    return ctx.render("staff/users.html", {
        "title": "Staff accounts",
        "users": ctx.db.scalars(select(StaffUser).order_by(StaffUser.username)).all(),
        "teams": ctx.db.scalars(select(IroTeam).order_by(IroTeam.name)).all(),
        "roles": [r.value for r in StaffRole],
        "problem": problem,
        "added": added,
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
            role=role, password=form.get("password", ""), team=team,
        )
    except StaffUserError as exc:
        ctx.db.rollback()
        return _users_page(ctx, str(exc), status=400)
    ctx.audit("add_staff_user", "staff_user", user.id)
    return _users_page(ctx, added=user.username)


@staff_page(StaffRole.ADMIN)
def unlock_user(ctx: StaffRequest) -> Response:
    user = ctx.db.get(StaffUser, int(ctx.request.path_params["user_id"]))
    if user is None:
        return ctx.not_found("unlock_staff_user", "staff_user", ctx.request.path_params["user_id"])
    user.locked_until = None
    user.failed_logins = 0
    ctx.audit("unlock_staff_user", "staff_user", user.id)
    return RedirectResponse("/iro/admin/users", status_code=303)


@staff_page(StaffRole.ADMIN)
def audit_page(ctx: StaffRequest) -> Response:
    entries = ctx.db.scalars(
        select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_PAGE)
    ).all()
    ctx.audit("view_audit_log")
    return ctx.render("staff/audit.html", {"title": "Audit log", "entries": entries,
                                           "limit": AUDIT_PAGE})
