"""Outcome-department membership uploads: which indicators measure which department in which
region. Added, taken out, previewed, refused when wrong, and rolled back."""

from pathlib import Path

import pytest

from pipelines import templates
from pipelines.load import load_file
from pipelines.readers import read_table
from warehouse import open_warehouse
from warehouse.batches import withdraw_batch
from warehouse.connection import latest_snapshot
from warehouse.outcome_queries import outcome_departments
from warehouse.reference_queries import table_counts

NORTH_EAST = "E12000001"
CYP = f"{NORTH_EAST}:children_young_people"
HEADER = "region_code,outcome_department,indicator_id,member\n"


def write(tmp_path: Path, text: str, name: str = "membership.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def members(con, department: str = CYP) -> set[str]:
    rows = con.execute(
        "SELECT indicator_id FROM current_outcome_department_indicators WHERE outcome_department_id = ?",
        [department],
    ).fetchall()
    return {r[0] for r in rows}


def member_count(con) -> int:
    table = outcome_departments(con, NORTH_EAST)
    return table.filter(table["outcome_department_id"] == CYP)["indicators"][0]


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_blank_membership_template_reads_back_as_the_template(tmp_path, suffix):
    path = tmp_path / f"membership-template.{suffix}"
    path.write_bytes(
        templates.template_csv("membership")
        if suffix == "csv"
        else templates.template_xlsx("membership")
    )
    table = read_table(path)
    assert [c for c in table.columns if c != "_row"] == templates.COLUMNS["membership"]
    assert table.drop("_row").rows() == templates.template("membership").rows()


def test_adding_and_taking_out_indicators_changes_only_that_region(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = members(con)
    other_region = members(con, "E12000002:children_young_people")
    assert "NI 116" in before and "NI 1" not in before
    text = (
        HEADER
        + f"{NORTH_EAST},Children and young people,NI 1,yes\n{NORTH_EAST},children_young_people,ni116,no\n"
    )
    preview = load_file(
        con,
        write(tmp_path, text),
        kind="membership",
        operator="ana",
        settings=empty_lake,
        dry_run=True,
    )
    assert (preview.rows_new, preview.rows_revised, preview.rows_unchanged) == (1, 1, 0)
    assert preview.changes.rows() == [
        (NORTH_EAST, "Children and young people", "NI 116", "member", "not a member")
    ]
    outcome = load_file(
        con,
        write(tmp_path, text),
        kind="membership",
        operator="ana",
        settings=empty_lake,
        confirm_revisions=True,
    )
    assert outcome.status == "committed", outcome.report
    assert members(con) == (before - {"NI 116"}) | {"NI 1"}
    assert member_count(con) == len(before)
    assert members(con, "E12000002:children_young_people") == other_region


def test_taking_out_an_indicator_that_is_not_a_member_changes_nothing(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con,
        write(tmp_path, HEADER + f"{NORTH_EAST},children_young_people,NI 1,no\n"),
        kind="membership",
        operator="ana",
        settings=empty_lake,
        dry_run=True,
    )
    assert (outcome.rows_new, outcome.rows_revised, outcome.rows_unchanged) == (0, 0, 1)


def test_a_bad_membership_file_lists_every_problem_and_changes_nothing(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = latest_snapshot(con), table_counts(con).rows()
    text = HEADER + (
        "E12000099,children_young_people,NI 116,yes\n"
        f"{NORTH_EAST},no_such_department,NI 116,yes\n"
        f"{NORTH_EAST},children_young_people,NI 999,yes\n"
        f"{NORTH_EAST},children_young_people,NI 116,maybe\n"
        f"{NORTH_EAST},children_young_people,NI 116,yes\n"
    )
    outcome = load_file(
        con, write(tmp_path, text), kind="membership", operator="ana", settings=empty_lake
    )
    assert outcome.status == "refused"
    assert set(outcome.report.select("row", "column").rows()) == {
        (2, "region_code"),
        (3, "outcome_department"),
        (4, "indicator_id"),
        (5, "member"),
        (6, "indicator_id"),  # repeats row 5's department and indicator
    }
    assert (
        "children_young_people" in outcome.report.filter(outcome.report["row"] == 3)["message"][0]
    )
    assert (latest_snapshot(con), table_counts(con).rows()) == before


def test_rolling_back_a_membership_upload_restores_the_department(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = members(con)
    text = (
        HEADER
        + f"{NORTH_EAST},children_young_people,NI 116,no\n{NORTH_EAST},children_young_people,NI 1,\n"
    )
    outcome = load_file(
        con,
        write(tmp_path, text),
        kind="membership",
        operator="ana",
        settings=empty_lake,
        confirm_revisions=True,
    )
    assert members(con) != before
    withdraw_batch(con, outcome.batch_id, "ana", "wrong region")
    assert members(con) == before
