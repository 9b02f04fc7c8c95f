"""The council's local settings that an admin may change on the staff dashboard (issue 6).

A council's values live in ``content/local_authorities/<code>.yml``. A short whitelist of them,
the operational ones the chat says to children (phone numbers, emails, the advocacy provider,
when alerts are read, how long chat is kept), can be overridden from ``/iro/admin/settings``;
the overrides are rows of ``local_settings`` and ``Content.authority`` lays them over the file.

Values are validated strictly before anything is stored (all or nothing): a blank or malformed
value must never reach a child.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.engine import session_scope
from db.models import LocalSetting, StaffUser
from db.time import utcnow

RETENTION_DAYS = (30, 365)
_PHONE = re.compile(r"(\+44 ?)?[0-9][0-9 ]*")
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
_NOT_TEXT = re.compile(r"[\x00-\x1f\x7f{}<>]")


@dataclass(frozen=True)
class Editable:
    """One setting an admin may change: its dotted path in the council file, and its form."""

    key: str
    label: str
    kind: str  # phone | email | text | days | age
    max_length: int
    hint: str = ""

    @property
    def field(self) -> str:
        """The form field's name and the placeholder the chat texts use."""
        return self.key.replace(".", "_")


EDITABLE: tuple[Editable, ...] = (
    Editable("iro_team.phone", "IRO team phone", "phone", 20),
    Editable("iro_team.email", "IRO team email", "email", 200),
    Editable("advocacy.provider", "Advocacy provider name", "text", 120),
    Editable("advocacy.phone", "Advocacy provider phone", "phone", 20),
    Editable("advocacy.email", "Advocacy provider email", "email", 200),
    Editable("complaints.phone", "Complaints phone", "phone", 20),
    Editable("complaints.email", "Complaints email", "email", 200),
    Editable("leaving_care_team.phone", "Leaving care team phone", "phone", 20),
    Editable("childrens_services.phone", "Children's services phone", "phone", 20),
    Editable("emergency_duty_team.phone", "Out-of-hours (emergency duty) phone", "phone", 20),
    Editable("fostering_team.phone", "Fostering team phone", "phone", 20),
    Editable(
        "local_offer.council_tax", "Council tax for care leavers", "text", 300,
        "One or two sentences said to care leavers, for example \u201cIf you are a care "
        "leaver, you do not pay council tax until you are 25.\u201d",
    ),
    Editable("local_offer.council_tax_until_age", "Council tax help up to age", "age", 2,
             "The age until which care leavers get council tax help (18 to 25)."),
    Editable("local_offer.financial_support", "Local offer: help with money", "text", 300),
    Editable("local_offer.housing_help", "Local offer: help with housing", "text", 300),
    Editable(
        "alerts_read_within", "When a person reads an urgent alert", "text", 120,
        "Ends the sentence in the safeguarding reply: \u201cA person from the council will "
        "read what you wrote \u2026\u201d, for example \u201cby the end of the next working "
        "day\u201d.",
    ),
    Editable(
        "retention_days", "Days the chat is kept", "days", 3,
        f"A whole number from {RETENTION_DAYS[0]} to {RETENTION_DAYS[1]}. New chat messages "
        "are deleted this many days after they are stored.",
    ),
)
BY_KEY = {e.key: e for e in EDITABLE}


class SettingsError(ValueError):
    """Some values were not valid: ``errors`` maps each field's key to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def clean(setting: Editable, raw: str) -> str | int:
    """The value to store for ``setting``, or ValueError with a message for the form."""
    value = " ".join(raw.split())
    name = setting.label
    if not value:
        raise ValueError(f"{name}: enter a value.")
    if setting.kind == "days":
        low, high = RETENTION_DAYS
        if not (value.isascii() and value.isdigit()) or not low <= int(value) <= high:
            raise ValueError(f"{name}: enter a whole number from {low} to {high}.")
        return int(value)
    if setting.kind == "age":
        if not (value.isascii() and value.isdigit()) or not 18 <= int(value) <= 25:
            raise ValueError(f"{name}: enter a whole number from 18 to 25.")
        return int(value)
    if len(value) > setting.max_length:
        raise ValueError(f"{name}: use {setting.max_length} characters or fewer.")
    if setting.kind == "phone":
        digits = sum(c.isdigit() for c in value)
        if not _PHONE.fullmatch(value) or not 10 <= digits <= 13:
            raise ValueError(f"{name}: enter a UK phone number, 10 to 13 digits and spaces, "
                             "optionally starting +44, like 01632 960123.")
    elif setting.kind == "email":
        if not _EMAIL.fullmatch(value):
            raise ValueError(f"{name}: enter an email address, like team@council.gov.uk.")
    elif _NOT_TEXT.search(value):
        raise ValueError(f"{name}: leave out line breaks and the characters {{ }} < >.")
    return value


def validate(form: Mapping[str, str]) -> dict[str, str | int]:
    """Every whitelisted value present in ``form`` (by ``Editable.field``), cleaned; raises
    SettingsError listing every bad field. A field missing from ``form`` is left as it is."""
    values: dict[str, str | int] = {}
    errors: dict[str, str] = {}
    for setting in EDITABLE:
        if setting.field not in form:
            continue
        try:
            values[setting.key] = clean(setting, form[setting.field])
        except ValueError as exc:
            errors[setting.key] = str(exc)
    if errors:
        raise SettingsError(errors)
    return values


def stored(session: Session, local_authority: str) -> dict[str, LocalSetting]:
    """The override rows for this council, by key (only whitelisted keys)."""
    rows = session.scalars(
        select(LocalSetting).where(LocalSetting.local_authority == local_authority)
    )
    return {row.key: row for row in rows if row.key in BY_KEY}


def dotted(data: Mapping[str, Any], key: str) -> Any:
    """``dotted(authority, "iro_team.phone")``: a value of the nested council file, or None."""
    value: Any = data
    for part in key.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def load_overrides(database_url: str, local_authority: str) -> dict[str, Any]:
    """``{"iro_team.phone": "...", ...}``: what ``Content`` lays over the council file.

    Rows are checked again on the way out, so a value put in the table by hand that would not
    pass the form is ignored rather than said to a child."""
    with session_scope(database_url) as session:
        rows = stored(session, local_authority)
    overrides: dict[str, Any] = {}
    for key, row in rows.items():
        try:
            overrides[key] = clean(BY_KEY[key], row.value)
        except ValueError:
            continue
    return overrides


def in_effect(session: Session, local_authority: str,
              file_values: Mapping[str, Any]) -> dict[str, tuple[Any, LocalSetting | None]]:
    """Each whitelisted key's value in effect (the stored change, else the file's) and the
    row that changed it, read from the database now (not from ``Content``'s cache)."""
    rows = stored(session, local_authority)
    return {
        e.key: (rows[e.key].value, rows[e.key]) if e.key in rows
        else (dotted(file_values, e.key), None)
        for e in EDITABLE
    }


def save(session: Session, local_authority: str, values: Mapping[str, str | int],
         current: Mapping[str, Any], staff: StaffUser) -> list[str]:
    """Store the values that differ from ``current`` (the values in effect, by dotted key);
    the keys that changed. The caller has validated ``values`` and commits the session."""
    rows = stored(session, local_authority)
    changed = []
    for key, value in values.items():
        if str(current.get(key)) == str(value):
            continue
        row = rows.get(key)
        if row is None:
            row = LocalSetting(local_authority=local_authority, key=key)
            session.add(row)
        row.value = str(value)
        row.updated_by_id = staff.id
        row.updated_at = utcnow()
        changed.append(key)
    session.flush()
    return changed
