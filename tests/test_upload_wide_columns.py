"""Issue 12 item 9: a wide file whose columns are measures, not periods (the IMD file's
``Score``), is loaded by giving each column its period and indicator: in the page's column
table, or with ``--column-period`` and ``--column-indicator`` on the command line."""

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.formats import UnknownLayout
from pipelines.formats.wide import (
    column_review,
    mapping_for_columns,
    mapping_from_review,
    suggest_mapping,
    wide_to_native,
)
from pipelines.load import load_file
from pipelines.readers import read_table
from tests.conftest import shared_file
from warehouse import open_warehouse
from warehouse.reference_queries import area_code_lookup

IMD = "samples/imd2010_lad21_england.csv"
SCORES = "ltla21_code,Score,Proportion\nE06000001,33.25,0.36\nE06000002,37.62,0.47\n"
NEW = "indicator_id,name,unit,value_type,polarity\nIMD SCORE,IMD 2010 average score,score,score,lower\n"


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        "OUTCOMES_DATA_DIR": str(settings.data_dir),
        "OUTCOMES_WRITE_RETRIES": "30",
        "OUTCOMES_WAREHOUSE": settings.warehouse,
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_measure_column_given_a_period_and_an_indicator_becomes_one_row_per_area(tmp_path):
    table = read_table(write(tmp_path, SCORES, "imd.csv"))
    mapping = mapping_for_columns(table, {"Score": "2010"}, {"Score": "IMD SCORE"})
    assert mapping.area_code == "ltla21_code"  # found by its cells, E06000001 and so on
    converted = wide_to_native(table, mapping)
    assert converted.table.select(
        "_row", "indicator_id", "area_code", "period", "value"
    ).rows() == [
        (2, "IMD SCORE", "E06000001", "2010", "33.25"),
        (3, "IMD SCORE", "E06000002", "2010", "37.62"),
    ]
    assert converted.proposed_indicators.select("indicator_id", "name").rows() == [
        ("IMD SCORE", "Score")
    ]
    assert any("'Proportion' are not used" in note for note in converted.notes)


def test_two_measure_columns_can_be_two_indicators_of_one_period(tmp_path):
    table = read_table(write(tmp_path, SCORES, "imd.csv"))
    mapping = mapping_for_columns(
        table,
        {"Score": "2010", "Proportion": "2010"},
        {"Score": "IMD SCORE", "Proportion": "IMD P"},
    )
    rows = wide_to_native(table, mapping).table.select("indicator_id", "area_code", "value")
    assert sorted(rows.rows()) == [
        ("IMD P", "E06000001", "0.36"),
        ("IMD P", "E06000002", "0.47"),
        ("IMD SCORE", "E06000001", "33.25"),
        ("IMD SCORE", "E06000002", "37.62"),
    ]


def test_a_column_without_a_period_is_refused_saying_how_to_give_one(tmp_path):
    table = read_table(write(tmp_path, SCORES, "imd.csv"))
    with pytest.raises(UnknownLayout, match=r'--column-period "Score=2010"'):
        wide_to_native(table, mapping_for_columns(table, None, {"Score": "IMD SCORE"}))


def test_the_page_column_table_gives_the_mapping_and_leaves_blank_columns_out(tmp_path):
    table = read_table(write(tmp_path, SCORES, "imd.csv"))
    review = column_review(table, suggest_mapping(table), exclude=["ltla21_code", None])
    assert review.rows() == [("Score", None, None), ("Proportion", None, None)]
    assert mapping_from_review("ltla21_code", None, review) is None  # nothing filled in yet
    filled = review.with_columns(
        period=pl.when(pl.col("column") == "Score").then(pl.lit("2010")),
        indicator=pl.when(pl.col("column") == "Score").then(pl.lit(" IMD SCORE ")),
    )
    mapping = mapping_from_review("ltla21_code", None, filled)
    assert (mapping.period_labels(), dict(mapping.column_indicators)) == (
        {"Score": "2010"},
        {"Score": "IMD SCORE"},
    )


def test_a_period_named_column_keeps_its_period_in_the_column_table(tmp_path):
    table = read_table(write(tmp_path, "area_code,2008-09,2009/10\nE06000001,1,2\n", "w.csv"))
    review = column_review(table, suggest_mapping(table), exclude=["area_code", None])
    assert review.rows() == [("2008-09", "2008/09", None), ("2009/10", "2009/10", None)]


def test_the_imd_file_loads_on_the_command_line_with_its_column_mapped(empty_lake, tmp_path):
    imd = shared_file(IMD)
    edits = write(tmp_path, NEW, "new.csv")
    mapped = ("--column-period", "Score=2010", "--column-indicator", "Score=IMD SCORE")
    asked = run_cli(empty_lake, "load", str(imd), *mapped)
    assert asked.returncode == 1
    assert "1 new indicator(s) would be created (IMD SCORE)" in asked.stderr
    done = run_cli(
        empty_lake, "load", str(imd), *mapped, "--confirm-new-indicators",
        "--new-indicators", str(edits),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    batch = done.stdout.strip().splitlines()[-1].removeprefix("batch: ")

    # Every district of the file that is one of our areas, with its score for 2010.
    source = pl.read_csv(imd, schema_overrides={"ltla21_code": pl.String, "Score": pl.Float64})
    con = open_warehouse(empty_lake)
    known = set(area_code_lookup(con)["code"].to_list())
    expected = source.filter(pl.col("ltla21_code").is_in(list(known)))
    loaded = con.execute(
        "SELECT area_code, period, value FROM current_observations "
        "WHERE indicator_id = 'IMD SCORE' AND batch_id = ? ORDER BY area_code",
        [batch],
    ).pl()
    assert loaded.height == expected.height > 250
    assert set(loaded["period"]) == {"2010"}
    assert dict(zip(loaded["area_code"], loaded["value"], strict=True)) == pytest.approx(
        dict(zip(expected["ltla21_code"], expected["Score"], strict=True))
    )
    indicator = con.execute(
        "SELECT name, unit, value_type, polarity FROM indicators WHERE indicator_id = 'IMD SCORE'"
    ).fetchone()
    assert indicator == ("IMD 2010 average score", "score", "score", "lower")


def test_a_column_option_without_an_equals_sign_is_refused_with_an_example(empty_lake, tmp_path):
    path = write(tmp_path, SCORES, "imd.csv")
    run = run_cli(empty_lake, "load", str(path), "--column-period", "Score")
    assert run.returncode == 2
    assert "--column-period 'Score': write the column, '=' and its value" in run.stderr


def test_the_imd_file_loads_with_its_column_mapped_in_one_call(empty_lake):
    imd = shared_file(IMD)
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con, imd, kind="indicators", operator="ana", settings=empty_lake,
        column_periods={"Score": "2010"}, column_indicators={"Score": "IMD SCORE"},
        new_indicators=read_table_text(NEW), confirm_new_indicators=True,
    )  # fmt: skip
    assert outcome.status == "committed", outcome.message
    assert outcome.layout == "wide"


def read_table_text(text: str) -> pl.DataFrame:
    return pl.read_csv(text.encode(), infer_schema=False)
