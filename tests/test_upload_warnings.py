"""Warnings an analyst must read and accept: small counts, jumps against the previous period,
values implausible for the unit. Each fires exactly where expected and nowhere else."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl

from pipelines.load import load_file
from pipelines.plausibility import Thresholds, observation_warnings
from warehouse import open_warehouse
from warehouse.connection import latest_snapshot
from warehouse.previous_values import PREVIOUS_SCHEMA
from warehouse.reference_queries import table_counts

CATALOGUE = pl.DataFrame(
    {
        "indicator_id": ["PCT", "RATE", "SCORE", "GAP"],
        "unit": ["%", "per 1,000 population", "score (1-5)", "percentage points"],
        "value_type": ["proportion", "rate", "score", "score"],
        "multiplier": [100.0, 1000.0, None, None],
    }
)
YEAR_END = {p: date(int(p[:4]) + 1, 3, 31) for p in ("2006/07", "2007/08", "2008/09", "2009/10")}
NO_PREVIOUS = pl.DataFrame(schema=PREVIOUS_SCHEMA)


def rows(*values: tuple) -> pl.DataFrame:
    """Clean rows: (indicator, area, period, value, count), numbered from spreadsheet row 2."""
    frame = pl.DataFrame(
        values,
        schema={
            "indicator_id": pl.String,
            "area_code": pl.String,
            "period": pl.String,
            "value": pl.Float64,
            "count": pl.Float64,
        },
        orient="row",
    )
    return frame.with_columns(
        _row=pl.int_range(2, frame.height + 2, dtype=pl.Int64),
        period_end=pl.col("period").replace_strict(YEAR_END, return_dtype=pl.Date),
        frequency=pl.lit("financial_year"),
    )


def where(report: pl.DataFrame) -> list[tuple]:
    assert set(report["severity"]) <= {"warning"}
    return sorted(report.select("row", "column").rows())


def test_a_count_below_the_threshold_is_flagged_and_the_threshold_is_configurable():
    frame = rows(
        ("RATE", "A", "2008/09", 1.0, 4.0),
        ("RATE", "B", "2008/09", 1.0, 5.0),
        ("RATE", "C", "2008/09", 1.0, 0.0),
        ("RATE", "D", "2008/09", 1.0, None),
    )
    assert where(
        observation_warnings(frame, CATALOGUE, NO_PREVIOUS, Thresholds(small_count=5))
    ) == [
        (2, "count"),
        (4, "count"),
    ]
    assert where(
        observation_warnings(frame, CATALOGUE, NO_PREVIOUS, Thresholds(small_count=6))
    ) == [
        (2, "count"),
        (3, "count"),
        (4, "count"),
    ]
    assert observation_warnings(frame, CATALOGUE, NO_PREVIOUS, Thresholds(small_count=0)).is_empty()


def test_a_jump_against_the_previous_period_in_the_same_file_is_flagged_both_ways():
    frame = rows(
        ("RATE", "A", "2007/08", 10.0, None),
        ("RATE", "A", "2008/09", 31.0, None),  # 3.1 times 2007/08: flagged
        ("RATE", "A", "2009/10", 30.0, None),  # against 2008/09: fine
        ("RATE", "B", "2008/09", 9.0, None),
        (
            "RATE",
            "B",
            "2007/08",
            30.0,
            None,
        ),  # earlier row, later in the file: B 2008/09 fell to 0.3
        ("RATE", "C", "2008/09", 29.0, None),  # first period of its area: nothing to compare
        ("GAP", "A", "2008/09", 0.0, None),  # zero: no ratio
        ("GAP", "A", "2009/10", 5.0, None),
    )
    report = observation_warnings(frame, CATALOGUE, NO_PREVIOUS, Thresholds(jump_factor=3.0))
    assert where(report) == [(3, "value"), (5, "value")]
    assert "previous period (2007/08: 10.0)" in report.filter(pl.col("row") == 3)["message"][0]
    assert (
        where(observation_warnings(frame, CATALOGUE, NO_PREVIOUS, Thresholds(jump_factor=4.0)))
        == []
    )


def test_the_previous_period_comes_from_the_warehouse_unless_the_file_has_a_later_one():
    frame = rows(
        ("RATE", "A", "2008/09", 40.0, None),  # warehouse 2007/08 is 10: flagged
        ("RATE", "B", "2008/09", 40.0, None),  # warehouse 2006/07 is 10, file 2007/08 is 35: fine
        ("RATE", "B", "2007/08", 35.0, None),  # warehouse 2006/07 is 10: flagged
    )
    warehouse = pl.DataFrame(
        {
            "indicator_id": ["RATE", "RATE", "RATE"],
            "area_code": ["A", "B", "B"],
            "period": ["2008/09", "2008/09", "2007/08"],
            "previous_period": ["2007/08", "2006/07", "2006/07"],
            "previous_period_end": [YEAR_END["2007/08"], YEAR_END["2006/07"], YEAR_END["2006/07"]],
            "previous_value": [10.0, 10.0, 10.0],
        },
        schema=PREVIOUS_SCHEMA,
    )
    assert where(observation_warnings(frame, CATALOGUE, warehouse, Thresholds())) == [
        (2, "value"),
        (4, "value"),
    ]


def test_values_implausible_for_the_unit_are_flagged():
    frame = rows(
        ("PCT", "A", "2008/09", 140.0, None),  # a percentage of 140
        ("PCT", "B", "2008/09", 100.0, None),
        ("PCT", "C", "2008/09", -0.5, None),
        ("RATE", "A", "2008/09", -2.0, None),  # a negative rate
        ("RATE", "B", "2008/09", 5000.0, None),  # no upper limit for a rate
        ("SCORE", "A", "2008/09", 6.0, None),  # outside 'score (1-5)'
        ("SCORE", "B", "2008/09", 1.0, None),
        ("GAP", "A", "2008/09", -12.0, None),  # percentage points may be negative
    )
    report = observation_warnings(frame, CATALOGUE, NO_PREVIOUS, Thresholds())
    assert where(report) == [(2, "value"), (4, "value"), (5, "value"), (7, "value")]
    assert "140.0 is not plausible for an indicator measured in '%'" in report["message"][0]


HEADER = "indicator_id,area_code,period,value,count,denominator\n"
PREVIOUS = HEADER + "NI 116,E06000001,2007/08,20.0,2000,10000\n"
JUMPY = HEADER + "NI 116,E06000001,2008/09,70.0,7000,10000\nNI 116,E06000002,2008/09,0.02,2,10000\n"


def run_cli(settings, *args):
    env = {
        "OUTCOMES_DATA_DIR": str(settings.data_dir),
        "OUTCOMES_WRITE_RETRIES": "30",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_load_with_warnings_is_refused_until_they_are_accepted(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    assert (
        load_file(
            con,
            write(tmp_path, PREVIOUS, "2007.csv"),
            kind="indicators",
            operator="ana",
            settings=empty_lake,
        ).status
        == "committed"
    )
    before = latest_snapshot(con), table_counts(con).rows()
    path = write(tmp_path, JUMPY, "2008.csv")
    refused = load_file(con, path, kind="indicators", operator="ana", settings=empty_lake)
    assert refused.status == "needs-warning-confirmation"
    assert refused.warnings == 2
    assert sorted(refused.report.select("row", "column").rows()) == [(2, "value"), (3, "count")]
    assert (latest_snapshot(con), table_counts(con).rows()) == before
    landed = load_file(
        con, path, kind="indicators", operator="ana", settings=empty_lake, accept_warnings=True
    )
    assert landed.status == "committed"
    assert "2 warning(s) were read and accepted" in landed.message


def test_the_cli_refuses_warnings_without_accept_warnings_and_loads_with_it(empty_lake, tmp_path):
    assert run_cli(empty_lake, "load", str(write(tmp_path, PREVIOUS, "2007.csv"))).returncode == 0
    path = str(write(tmp_path, JUMPY, "2008.csv"))
    refused = run_cli(empty_lake, "load", path)
    assert refused.returncode == 1
    assert "Warning: 2008.csv, row 2, column value:" in refused.stdout
    assert "Warning: 2008.csv, row 3, column count:" in refused.stdout
    assert "--accept-warnings" in refused.stderr and "Nothing was written" in refused.stderr
    accepted = run_cli(empty_lake, "load", path, "--accept-warnings")
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip().splitlines()[-1].startswith("batch: ")
