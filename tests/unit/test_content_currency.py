"""Content that stays true: every answer checked recently, every figure in the facts table,
and every change in the law described as it stands (in force now, or coming)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.config import REPO_ROOT
from bot.knowledge.content import Content
from bot.knowledge.provisions import NO_DATE_YET, load_provisions
from bot.knowledge.report import (
    PATTERNS,
    STALE_AFTER_DAYS,
    FactsTable,
    build_report,
    council_values,
    figures_in,
    unknown_figures,
)
from bot.knowledge.topics import TopicLibrary

CONTENT = REPO_ROOT / "content"
LIBRARY = TopicLibrary(CONTENT / "topics")
COUNCIL = Content(CONTENT, "demoshire")
FACTS = FactsTable.load(CONTENT / "facts.yml")
PROVISIONS = load_provisions(CONTENT / "law.yml")
PLACEHOLDER = re.compile(r"\{provision_([a-z_]+?)(_for_others)?\}")

# Figures FACTS.md gives that no answer states, each for a reason (the test names any other).
UNUSED_ON_PURPOSE = {
    ("dates", "1 April 2023"),  # answers say "from April 2023"
    ("dates", "1 August 2025"),  # shorter apprenticeships: answers say "comes sooner"
    ("dates", "29 April 2026"),  # Royal Assent: answers say what is in force, not when passed
    ("working_days", "65"),  # stage 2 of a complaint: "25 working days, up to 65"
}


def test_no_answer_is_older_than_eighteen_months() -> None:
    today = dt.date.today()
    stale = [(t.id, t.checked) for t in LIBRARY.topics.values()
             if (today - t.checked).days > STALE_AFTER_DAYS]
    assert stale == []


def test_every_figure_in_every_text_is_in_the_facts_table() -> None:
    council = council_values(COUNCIL)
    texts = [(f"{t.id}/{a}", COUNCIL.fill(x)) for t in LIBRARY.topics.values()
             for a, x in t.answers.items()]
    texts += [(f"signposting/{a}", COUNCIL.signposting(a)) for a in ("child", "parent")]
    wrong = [(name, kind, fig) for name, text in texts
             for kind, fig in unknown_figures(text, FACTS, council)]
    assert wrong == []


def test_the_facts_table_names_every_figure_no_answer_states() -> None:
    used: set[tuple[str, str]] = set()
    texts = [COUNCIL.fill(x) for t in LIBRARY.topics.values() for x in t.answers.values()]
    texts += [COUNCIL.signposting(a) for a in ("child", "parent")]
    for text in texts:
        for kind, figures in figures_in(text).items():
            used |= {(kind, f) for f in figures}
            if kind == "days":
                used |= {("working_days", f) for f in figures}
    unused = {(kind, f) for kind in PATTERNS for f in FACTS.figures[kind]} - used
    assert unused == UNUSED_ON_PURPOSE, "FACTS.md figures no answer states changed"


def test_a_figure_not_in_the_facts_table_is_caught() -> None:
    text = "You get £2,500 and a review every 4 months. Call 0800 123 4567 from 1 May 2024."
    assert unknown_figures(text, FACTS, set()) == [
        ("amounts", "£2,500"), ("dates", "1 May 2024"), ("months", "4"),
        ("phones", "0800 123 4567")]


@pytest.mark.parametrize("topic", list(LIBRARY.topics.values()), ids=lambda t: t.id)
def test_an_answer_about_a_change_in_the_law_says_whether_it_is_in_force(topic) -> None:
    found = [m for text in topic.answers.values() for m in PLACEHOLDER.findall(text)]
    used = {provision_id for provision_id, _ in found}
    assert set(topic.provisions) == used, "list under provisions: exactly the changes used"
    assert used <= PROVISIONS.keys()
    for provision_id, for_others in found:
        assert not for_others or PROVISIONS[provision_id].has_wording_for_others, provision_id
    for audience, text in topic.answers.items():
        for provision in PROVISIONS.values():
            if any(m.lower() in text.lower() for m in provision.mentions):
                assert (f"{{provision_{provision.id}}}" in text
                        or f"{{provision_{provision.id}_for_others}}" in text), (
                    audience, provision.id)


def test_changes_not_yet_in_force_are_worded_as_coming() -> None:
    today = dt.date(2026, 12, 2)
    for provision in PROVISIONS.values():
        assert not provision.in_force_on(today), provision.id  # FACTS.md, 1 December 2026
    rendered = COUNCIL.fill(LIBRARY.get("staying_close").answers["care_leaver"])
    assert "not working yet" in rendered and NO_DATE_YET in rendered


def _law_file(tmp_path: Path, starts: str) -> Path:
    (tmp_path / "law.yml").write_text(
        "provisions:\n  example:\n    law: An Act\n    source: https://example.org\n"
        f"    in_force: false\n    starts: {starts}\n    now: The law says X.\n"
        "    coming: A new law says X will happen. It starts {starts}.\n")
    return tmp_path / "law.yml"


def test_a_carer_is_told_the_change_is_for_the_parents_not_for_them() -> None:
    carer = COUNCIL.fill(LIBRARY.get("family_group_decision_making").answers["carer"])
    assert "offer the child's parents a family group meeting" in carer
    assert "offer you" not in carer
    parent = COUNCIL.fill(LIBRARY.get("family_group_decision_making").answers["parent"])
    assert "offer you a family group meeting" in parent


def test_setting_a_start_date_changes_the_wording_and_the_day_switches_it(tmp_path) -> None:
    example = load_provisions(_law_file(tmp_path, "2027-04-01"))["example"]
    assert example.wording(dt.date(2027, 3, 31)) == (
        "A new law says X will happen. It starts on 1 April 2027.")
    assert example.wording(dt.date(2027, 4, 1)) == "The law says X."
    unset = load_provisions(_law_file(tmp_path, "null"))["example"]
    assert unset.wording(dt.date(2030, 1, 1)).endswith(f"It starts {NO_DATE_YET}.")


def test_a_council_that_left_out_a_local_offer_value_gets_ask_your_adviser(tmp_path) -> None:
    (tmp_path / "local_authorities").mkdir()
    for name in ("chat.yml", "law.yml"):
        (tmp_path / name).write_text((CONTENT / name).read_text())
    (tmp_path / "local_authorities" / "_fallbacks.yml").write_text(
        (CONTENT / "local_authorities" / "_fallbacks.yml").read_text())
    (tmp_path / "local_authorities" / "other.yml").write_text(
        "name: Other Council\nlocal_offer:\n  url: https://other.example\n  council_tax: ''\n")
    other = Content(tmp_path, "other")
    text = other.fill(LIBRARY.get("council_tax").answers["care_leaver"])
    assert "Ask your personal adviser if your council helps" in text
    assert "Demoshire" not in text and "until you are 25" not in text


def test_the_content_report_lists_what_it_promises() -> None:
    report = build_report(CONTENT, "demoshire", dt.date.today())
    assert "Answers not checked in the last 12 months: 0" in report
    assert "Sources cited by one answer only:" in report
    assert "  staying_close: " in report and "law changes: staying_close" in report
    assert "Figures in answers that content/facts.yml does not have: 0" in report
    late = build_report(CONTENT, "demoshire", dt.date.today() + dt.timedelta(days=400))
    assert "Answers not checked in the last 12 months: 0" not in late


def test_help_at_hand_is_offered_to_care_leavers_with_its_age_limit_and_hours() -> None:
    for topic in LIBRARY.topics.values():
        text = topic.answers.get("care_leaver", "")
        if "Help at Hand" in text or "0800 528 0731" in text:
            assert "9am to 5pm" in text and "21" in text and "25" in text, topic.id
