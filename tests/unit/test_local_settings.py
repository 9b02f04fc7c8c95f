"""Local settings: strict validation, and Content laying the overrides over the council file
with a short cache (no database query per message) and an explicit refresh."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.content import Content
from bot.services.local_settings import BY_KEY, SettingsError, clean, validate

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.parametrize("phone", [
    "01632 960123", "01632960123", "+44 1632 960123", "+441632960123", "0800 111 1111",
    "  01632   960123 ",
])
def test_uk_phone_numbers_pass(phone):
    assert clean(BY_KEY["iro_team.phone"], phone) == " ".join(phone.split())


@pytest.mark.parametrize("phone", [
    "", "999", "0800 1111", "01632-960123", "(01632) 960123", "+1 555 123 4567",
    "+44 +44 1632 960123", "01632 960123 ext 4", "0" * 14, "０１６３２ ９６０１２３",
])
def test_anything_else_is_not_a_phone_number(phone):
    with pytest.raises(ValueError, match="IRO team phone"):
        clean(BY_KEY["iro_team.phone"], phone)


@pytest.mark.parametrize(("email", "ok"), [
    ("iro.team@demoshire.gov.uk", True), ("o'neill+iro@council.example", True),
    ("no-at-sign.example", False), ("two@@example.com", False), ("a@b", False),
    ("a b@example.com", False), ("<a@example.com>", False),
])
def test_emails(email, ok):
    if ok:
        assert clean(BY_KEY["advocacy.email"], email) == email
    else:
        with pytest.raises(ValueError, match="email address"):
            clean(BY_KEY["advocacy.email"], email)


@pytest.mark.parametrize(("days", "ok"), [
    ("30", True), ("365", True), ("90", True), ("29", False), ("366", False), ("9 0", False),
    ("90.5", False), ("-90", False), ("²", False), ("٩٠", False),
])
def test_retention_is_a_whole_number_of_days_from_30_to_365(days, ok):
    if ok:
        assert clean(BY_KEY["retention_days"], days) == int(days)
    else:
        with pytest.raises(ValueError, match="whole number from 30 to 365"):
            clean(BY_KEY["retention_days"], days)


def test_validate_reports_every_bad_field_and_leaves_out_missing_ones():
    with pytest.raises(SettingsError) as raised:
        validate({"iro_team_phone": "nope", "complaints_email": "nope", "advocacy_phone": ""})
    assert set(raised.value.errors) == {"iro_team.phone", "complaints.email", "advocacy.phone"}
    assert validate({"retention_days": " 120 ", "name": "Not editable"}) == {
        "retention_days": 120
    }


class Loader:
    def __init__(self, values):
        self.values, self.calls = values, 0

    def __call__(self):
        self.calls += 1
        if isinstance(self.values, Exception):
            raise self.values
        return self.values


def test_content_without_a_loader_reads_the_file_only():
    content = Content(CONTENT, "demoshire")
    assert content.authority is content.authority_file
    assert "01632 960123" in content.say("bot_challenge").text


def test_overrides_fill_placeholders_and_are_cached_until_refreshed():
    loader = Loader({"iro_team.phone": "01632 960999"})
    content = Content(CONTENT, "demoshire", overrides=loader, refresh_after=3600)
    for _ in range(5):
        assert "01632 960999" in content.say("bot_challenge").text
    assert loader.calls == 1  # not a query per message
    loader.values = {"iro_team.phone": "01632 960111"}
    assert "01632 960999" in content.say("bot_challenge").text
    content.refresh()
    assert "01632 960111" in content.say("bot_challenge").text
    assert loader.calls == 2
    assert content.authority_file["iro_team"]["phone"] == "01632 960123"  # file copy untouched


def test_overrides_are_reloaded_after_the_time_to_live():
    loader = Loader({"retention_days": 45})
    content = Content(CONTENT, "demoshire", overrides=loader, refresh_after=0)
    assert content.retention.days == 45
    loader.values = {}
    assert content.retention.days == 90


def test_blank_values_and_section_replacements_never_reach_a_child():
    loader = Loader({"iro_team.phone": "  ", "advocacy": "flat", "complaints.email": None,
                     "name.x": "no section here"})
    content = Content(CONTENT, "demoshire", overrides=loader)
    assert content.authority == content.authority_file
    assert "01632 960123" in content.say("bot_challenge").text


def test_if_the_overrides_cannot_be_loaded_the_last_known_values_are_used():
    loader = Loader({"alerts_read_within": "within an hour"})
    content = Content(CONTENT, "demoshire", overrides=loader, refresh_after=0)
    assert "within an hour" in content.signposting("child")
    loader.values = RuntimeError("database down")
    assert "within an hour" in content.signposting("child")
    fresh = Content(CONTENT, "demoshire", overrides=loader)
    assert "by the end of the next working day" in fresh.signposting("child")


@pytest.mark.parametrize(("age", "ok"), [("25", True), ("18", True), ("17", False),
                                         ("26", False), ("twenty", False), ("", False)])
def test_the_council_tax_age_limit_is_a_whole_number_from_18_to_25(age, ok):
    setting = BY_KEY["local_offer.council_tax_until_age"]
    if ok:
        assert clean(setting, age) == int(age)
    else:
        with pytest.raises(ValueError):
            clean(setting, age)


def test_a_council_can_set_its_local_offer_help_with_money_housing_and_council_tax():
    form = {"local_offer_council_tax": "Care leavers pay no council tax until 25.",
            "local_offer_financial_support": "We help with bills.",
            "local_offer_housing_help": "We help you find a flat.",
            "emergency_duty_team_phone": "01632 960999"}
    assert validate(form) == {
        "local_offer.council_tax": "Care leavers pay no council tax until 25.",
        "local_offer.financial_support": "We help with bills.",
        "local_offer.housing_help": "We help you find a flat.",
        "emergency_duty_team.phone": "01632 960999"}
