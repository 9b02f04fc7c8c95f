"""The admin's local settings page: the council's values in effect, and the few operational
ones the chat says to children, changeable without editing files (issue 6: admins manage
"users and local settings, no feedback content")."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from bot.knowledge.content import flatten
from bot.services.local_settings import (
    EDITABLE,
    SettingsError,
    in_effect,
    save,
    validate,
)
from bot.staff.web import StaffRequest, staff_page
from db.models import StaffRole

PAGE = "/iro/admin/settings"
LONG_TEXT = 80  # file values longer than this are not listed (topic wording, not settings)


def _page(ctx: StaffRequest, errors: dict[str, str] | None = None, status: int = 200) -> Response:
    code = ctx.services.settings.local_authority
    content = ctx.services.content
    effective = in_effect(ctx.db, code, content.authority_file)
    errors = errors or {}
    fields = []
    for setting in EDITABLE:
        value, row = effective[setting.key]
        fields.append({
            "setting": setting,
            "id": f"setting-{setting.field}",
            "value": ctx.form.get(setting.field, value) if errors else value,
            "row": row,
            "error": errors.get(setting.key),
        })
    editable = {e.field for e in EDITABLE}
    read_only = [
        (name, value) for name, value in flatten(content.authority_file).items()
        if name not in editable and len(value) <= LONG_TEXT
    ]
    saved = ctx.request.query_params.get("saved")
    return ctx.render("staff/settings.html", {
        "title": "Local settings",
        "fields": fields,
        "errors": [(f"setting-{e.field}", errors[e.key]) for e in EDITABLE if e.key in errors],
        "read_only": read_only,
        "file": f"content/local_authorities/{code}.yml",
        "saved": int(saved) if _count(saved) and not errors else None,
        "refresh_after": round(content.refresh_after),
    }, status)


def _count(value: str | None) -> bool:
    """``?saved=N`` after a change: a small whole number, or it is ignored."""
    return value is not None and value.isascii() and value.isdigit() and len(value) < 10


@staff_page(StaffRole.ADMIN)
def settings_page(ctx: StaffRequest) -> Response:
    if ctx.request.method == "POST":
        return _change(ctx)
    ctx.audit("view_settings")
    return _page(ctx)


def _change(ctx: StaffRequest) -> Response:
    """All or nothing: any bad value and nothing is stored (400, each problem on its field)."""
    try:
        values = validate(ctx.form)
    except SettingsError as exc:
        return _page(ctx, exc.errors, 400)
    code = ctx.services.settings.local_authority
    content = ctx.services.content
    current: dict[str, Any] = {
        key: value for key, (value, _) in in_effect(ctx.db, code, content.authority_file).items()
    }
    changed = save(ctx.db, code, values, current, ctx.staff)
    for key in changed:
        ctx.audit("change_setting", "setting", key)  # who, when, which key: never the value
    ctx.db.commit()  # before the refresh, so the chat cannot reload the old values
    content.refresh()
    return RedirectResponse(f"{PAGE}?saved={len(changed)}", status_code=303)
