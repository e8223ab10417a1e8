"""Loading the native templates: valid files land as one batch; invalid files change nothing."""

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.load import load_file
from warehouse import open_warehouse
from warehouse.batches import list_batches
from warehouse.connection import latest_snapshot
from warehouse.reference_queries import table_counts

HEADER = "indicator_id,area_code,period,value,lower_ci_95,upper_ci_95,lower_ci_99_8,upper_ci_99_8,count,denominator,note\n"
VALID = HEADER + (
    "NI 116,E06000001,2008/09,28.1,26.0,30.2,25.0,31.3,5620,20000,\n"
    "NI116,00EC,2008/09,30.5,,,,,,,\n"  # id without space, old ONS code for Middlesbrough
    "ni 116,E12000001,2008,24.0,23.5,24.5,23.2,24.8,,,\n"
    "NI 151,E06000001,2008/09 Q1,66.2,,,,,,,provisional\n"
)


def write(tmp_path: Path, text: str, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def state(con):
    return latest_snapshot(con), table_counts(con).rows()


@pytest.mark.both_catalogs
def test_a_valid_file_loads_as_one_batch_with_normalised_ids_codes_and_periods(
    empty_lake, tmp_path
):
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con, write(tmp_path, VALID), kind="indicators", operator="ana", settings=empty_lake
    )
    assert outcome.status == "committed", outcome.message
    rows = con.execute(
        "SELECT indicator_id, area_code, period, frequency, value, note FROM current_observations ORDER BY value"
    ).fetchall()
    assert rows == [
        ("NI 116", "E12000001", "2008", "calendar_year", 24.0, None),
        ("NI 116", "E06000001", "2008/09", "financial_year", 28.1, None),
        ("NI 116", "E06000002", "2008/09", "financial_year", 30.5, None),
        ("NI 151", "E06000001", "2008/09 Q1", "financial_quarter", 66.2, "provisional"),
    ]
    batch = list_batches(con).filter(pl.col("batch_id") == outcome.batch_id).row(0, named=True)
    assert (batch["kind"], batch["operator"], batch["rows_loaded"], batch["status"]) == (
        "indicators",
        "ana",
        4,
        "live",
    )
    assert (
        con.execute(
            "SELECT count(*) FROM pipeline_runs WHERE batch_id = ?", [outcome.batch_id]
        ).fetchone()[0]
        == 1
    )


INVALID = {
    "unknown indicator": (
        "NI 999,E06000001,2008/09,1,,,,,,,\n",
        2,
        "indicator_id",
        "Unknown indicator 'NI 999'",
    ),
    "unknown area code": (
        "NI 116,E06999999,2008/09,1,,,,,,,\n",
        2,
        "area_code",
        "Unknown or retired area code 'E06999999'",
    ),
    "text in value": (
        "NI 116,E06000001,2008/09,high,,,,,,,\n",
        2,
        "value",
        "'high' is not a number",
    ),
    "lower CI above the value": (
        "NI 116,E06000001,2008/09,20,21,25,19,26,,,\n",
        2,
        "lower_ci_95",
        "does not contain the value",
    ),
    "unparseable period": (
        "NI 116,E06000001,2008/10,1,,,,,,,\n",
        2,
        "period",
        "Cannot read the period '2008/10'",
    ),
    # Issue 13: lower 22 above upper 18 is a swap, said as such (not "does not contain").
    "swapped 95% limits": (
        "NI 116,E06000001,2008/09,20,22,18,,,,,\n",
        2,
        "lower_ci_95",
        "lower limit 22 is above the upper limit 18",
    ),
    "swapped 99.8% limits": (
        "NI 116,E06000001,2008/09,20,,,23,17,,,\n",
        2,
        "lower_ci_99_8",
        "columns look swapped",
    ),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_row_is_reported_with_row_and_column_and_nothing_is_written(
    case, empty_lake, tmp_path
):
    bad_row, row, column, words = INVALID[case]
    con = open_warehouse(empty_lake)
    before = state(con)
    text = HEADER + "NI 116,E06000001,2007/08,27.0,,,,,,,\n" + bad_row.replace(",", ",", 1)
    outcome = load_file(
        con, write(tmp_path, text), kind="indicators", operator="ana", settings=empty_lake
    )
    assert outcome.status == "refused"
    problem = outcome.report.filter(pl.col("severity") == "error").row(0, named=True)
    assert (problem["row"], problem["column"]) == (row + 1, column)
    assert words in problem["message"]
    assert state(con) == before


def test_duplicate_keys_are_reported_against_the_first_row(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = state(con)
    text = (
        HEADER
        + "NI 116,E06000001,2008/09,1,,,,,,,\nNI 117,E06000001,2008/09,2,,,,,,,\nNI116,00EB,2008-09,3,,,,,,,\n"
    )
    outcome = load_file(
        con, write(tmp_path, text), kind="indicators", operator="ana", settings=empty_lake
    )
    assert outcome.status == "refused"
    assert outcome.report.select("row", "column", "message").rows() == [
        (
            4,
            "indicator_id",
            "Duplicate indicator, area and period: row 2 has the same key. Keep one row per key.",
        )
    ]
    assert state(con) == before


def test_every_problem_in_a_file_is_collected_in_one_pass(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    text = HEADER + "".join(bad for bad, *_ in INVALID.values())
    outcome = load_file(
        con, write(tmp_path, text), kind="indicators", operator="ana", settings=empty_lake
    )
    found = set(outcome.report.select("row", "column").rows())
    assert {
        (2, "indicator_id"),
        (3, "area_code"),
        (4, "value"),
        (5, "lower_ci_95"),
        (6, "period"),
    } <= found


def test_a_missing_required_column_is_named(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con,
        write(tmp_path, "indicator_id,area_code,value\nNI 116,E06000001,3\n"),
        kind="indicators",
        operator="ana",
        settings=empty_lake,
    )
    assert outcome.status == "refused"
    assert "Required column(s) period are missing" in outcome.report["message"][0]


@pytest.mark.both_catalogs
def test_reloading_identical_content_does_nothing_and_says_so(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    path = write(tmp_path, VALID)
    first = load_file(con, path, kind="indicators", operator="ana", settings=empty_lake)
    before = state(con)
    again = load_file(con, path, kind="indicators", operator="ana", settings=empty_lake)
    assert again.status == "duplicate" and first.batch_id in again.message
    assert state(con) == before


@pytest.mark.both_catalogs
def test_a_revision_needs_confirmation_and_then_keeps_its_predecessor(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    load_file(con, write(tmp_path, VALID), kind="indicators", operator="ana", settings=empty_lake)
    revised = write(
        tmp_path,
        HEADER + "NI 116,E06000001,2008/09,29.0,27.0,31.0,26.0,32.0,,,revised\n",
        "revised.csv",
    )
    refused = load_file(con, revised, kind="indicators", operator="ana", settings=empty_lake)
    assert refused.status == "needs-confirmation"
    assert refused.revisions().select("previous_value", "value").rows() == [(28.1, 29.0)]
    landed = load_file(
        con, revised, kind="indicators", operator="ana", settings=empty_lake, confirm_revisions=True
    )
    assert landed.status == "committed"
    values = con.execute(
        "SELECT value FROM observations WHERE area_code = 'E06000001' AND period = '2008/09' ORDER BY value"
    ).fetchall()
    assert values == [(28.1,), (29.0,)]
    current = con.execute(
        "SELECT value FROM current_observations WHERE area_code = 'E06000001' AND period = '2008/09'"
    ).fetchall()
    assert current == [(29.0,)]


def test_targets_load_with_level_from_the_area(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    text = (
        "indicator_id,area_code,source,baseline_period,baseline_value,target_period,target_value,tolerance\n"
        "NI 116,E92000001,PSA,2007/08,22.0,2010/11,18.0,0.5\n"
        "NI 116,E06000001,LAA,2007/08,28.0,2010/11,25.0,\n"
    )
    outcome = load_file(
        con, write(tmp_path, text), kind="targets", operator="ana", settings=empty_lake
    )
    assert outcome.status == "committed", outcome.report
    assert con.execute(
        "SELECT area_code, level, source, target_value FROM current_targets ORDER BY level"
    ).fetchall() == [
        ("E92000001", "England", "PSA", 18.0),
        ("E06000001", "area", "LAA", 25.0),
    ]


def run_cli(settings, *args):
    env = {
        "OUTCOMES_DATA_DIR": str(settings.data_dir),
        "OUTCOMES_WRITE_RETRIES": "30",
        "PATH": "/usr/bin:/bin",
        "OUTCOMES_WAREHOUSE": settings.warehouse,
    }
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.both_catalogs
def test_cli_load_prints_the_batch_id_last_and_cli_lists_it(empty_lake, tmp_path):
    result = run_cli(
        empty_lake, "load", str(write(tmp_path, VALID)), "--kind", "indicators", "--operator", "ana"
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("batch: ")
    listing = run_cli(empty_lake, "batches")
    assert last.removeprefix("batch: ") in listing.stdout


@pytest.mark.both_catalogs
def test_cli_refuses_an_invalid_file_with_every_problem_and_a_non_zero_exit(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = state(con)
    con.close()
    text = HEADER + "".join(bad for bad, *_ in INVALID.values())
    result = run_cli(empty_lake, "load", str(write(tmp_path, text)), "--kind", "indicators")
    assert result.returncode == 1
    for row, column in [
        (2, "indicator_id"),
        (3, "area_code"),
        (4, "value"),
        (5, "lower_ci_95"),
        (6, "period"),
    ]:
        assert f"upload.csv, row {row}, column {column}:" in result.stderr
    assert "Nothing was written" in result.stderr
    assert state(open_warehouse(empty_lake)) == before


def test_cli_status_prints_row_counts(empty_lake):
    result = run_cli(empty_lake, "status")
    assert result.returncode == 0
    assert "indicators" in result.stdout and "198" in result.stdout
