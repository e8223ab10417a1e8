"""Indicator metadata uploads: templates round-trip, new indicators are created, revisions are
previewed field by field and confirmed, bad files change nothing, and rollback restores."""

from pathlib import Path

import polars as pl
import pytest

from pipelines import templates
from pipelines.load import load_file
from pipelines.readers import read_table
from warehouse import open_warehouse
from warehouse.batches import withdraw_batch
from warehouse.connection import latest_snapshot
from warehouse.reference_queries import indicators, table_counts

HEADER = "indicator_id,name,definition,unit,value_type,multiplier,polarity,owner_department_code,theme,source\n"
NEW = (
    HEADER
    + "LOCAL 7,Households in fuel poverty,Share of households,%,proportion,100,lower,decc,Environment,Local survey\n"
)


def write(tmp_path: Path, text: str, name: str = "metadata.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def state(con):
    return latest_snapshot(con), table_counts(con).rows()


def catalogue_row(con, indicator_id: str) -> dict | None:
    found = indicators(con).filter(pl.col("indicator_id") == indicator_id)
    return found.row(0, named=True) if found.height else None


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_the_blank_metadata_template_reads_back_as_the_template(tmp_path, suffix):
    path = tmp_path / f"metadata-template.{suffix}"
    path.write_bytes(
        templates.template_csv("metadata")
        if suffix == "csv"
        else templates.template_xlsx("metadata")
    )
    table = read_table(path)
    assert [c for c in table.columns if c != "_row"] == templates.COLUMNS["metadata"]
    assert (
        table.drop("_row").fill_null("").rows()
        == templates.template("metadata").fill_null("").rows()
    )


def test_the_filled_in_template_loads_and_creates_its_indicator(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    path = tmp_path / "metadata-template.xlsx"
    path.write_bytes(templates.template_xlsx("metadata"))
    outcome = load_file(con, path, kind="metadata", operator="ana", settings=empty_lake)
    assert outcome.status == "committed", outcome.report
    assert outcome.rows_new == 1
    row = catalogue_row(con, "LOCAL 1")
    assert (
        row["name"],
        row["unit"],
        row["value_type"],
        row["polarity"],
        row["owner_department_code"],
    ) == ("Households in fuel poverty", "%", "proportion", "lower", "DECC")


def test_a_new_indicator_becomes_usable_for_values(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    assert (
        load_file(
            con, write(tmp_path, NEW), kind="metadata", operator="ana", settings=empty_lake
        ).status
        == "committed"
    )
    values = write(
        tmp_path,
        "indicator_id,area_code,period,value\nLOCAL 7,E06000001,2008/09,12.5\n",
        "values.csv",
    )
    outcome = load_file(con, values, kind="indicators", operator="ana", settings=empty_lake)
    assert outcome.status == "committed", outcome.report


def test_a_bad_metadata_file_lists_every_problem_and_changes_nothing(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = state(con)
    text = HEADER + (
        "LOCAL 8,,,%,proportion,100,lower,DECC,,\n"
        "LOCAL 9,A name,,%,ratio,100,up,XYZ,,\n"
        "LOCAL 10,Another,,%,proportion,-5,lower,DECC,,\n"
        "LOCAL 9,Again,,%,proportion,,lower,DECC,,\n"
    )
    outcome = load_file(
        con, write(tmp_path, text), kind="metadata", operator="ana", settings=empty_lake
    )
    assert outcome.status == "refused"
    assert set(outcome.report.select("row", "column").rows()) == {
        (2, "name"),
        (3, "value_type"),
        (3, "polarity"),
        (3, "owner_department_code"),
        (4, "multiplier"),
        (5, "indicator_id"),
    }
    assert "Nothing was written" in outcome.message
    assert state(con) == before


def test_a_revision_is_previewed_field_by_field_needs_confirmation_and_rolls_back(
    empty_lake, tmp_path
):
    con = open_warehouse(empty_lake)
    original = catalogue_row(con, "NI 116")
    revised = write(
        tmp_path,
        "indicator_id,name,unit,value_type,polarity,owner_department_code\n"
        f"NI116,Children in poverty (revised),{original['unit']},{original['value_type']},"
        f"{original['polarity']},DWP\n",
    )
    refused = load_file(con, revised, kind="metadata", operator="ana", settings=empty_lake)
    assert refused.status == "needs-confirmation"
    assert refused.changes.rows() == [
        ("NI 116", "name", original["name"], "Children in poverty (revised)"),
        ("NI 116", "owner_department_code", original["owner_department_code"], "DWP"),
    ]
    landed = load_file(
        con, revised, kind="metadata", operator="ana", settings=empty_lake, confirm_revisions=True
    )
    assert landed.status == "committed"
    now = catalogue_row(con, "NI 116")
    assert (now["name"], now["owner_department_code"]) == ("Children in poverty (revised)", "DWP")
    # Optional cells left empty keep the indicator's current definition.
    assert now["definition"] == original["definition"]

    withdraw_batch(con, landed.batch_id, "ana", "wrong owner")
    assert catalogue_row(con, "NI 116") == original


def test_rolling_back_a_new_indicator_removes_it_from_the_catalogue(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con, write(tmp_path, NEW), kind="metadata", operator="ana", settings=empty_lake
    )
    assert catalogue_row(con, "LOCAL 7") is not None
    withdraw_batch(con, outcome.batch_id, "ana")
    assert catalogue_row(con, "LOCAL 7") is None
    assert (
        con.execute("SELECT count(*) FROM indicators WHERE indicator_id = 'LOCAL 7'").fetchone()[0]
        == 1
    )
