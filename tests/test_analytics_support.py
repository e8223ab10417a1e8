"""A tiny North East warehouse whose every number is known, for the analytics tests.

Loaded through the same loader an analyst uses. NI 116 (children in poverty, lower is
better) runs 2006/07 to 2010/11 with published intervals:

* County Durham rises 20 → 30 (±1): worse than England (22 ± 0.1) and getting worse, a
  red-red; its LAA target (22.5 in 2007/08 → 17.5 in 2012/13, tolerance 1) is off track.
  A PSA target on County Durham is there to be ignored (local areas use LAA targets).
* Darlington falls 19 → 15 (±1): better and getting better, a green flag; its LAA target
  (18 → 12, tolerance 1) is slipping.
* Hartlepool has only 2010/11, as a count (450) and denominator (2000) without an interval:
  22.5% with a computed Wilson interval, similar to England; its LAA target (26 → 25) is met.
* The North East falls 24 → 23 (±0.2): worse than England; its PSA target (24.5 → 22.5)
  is on track.
* Derby (East Midlands) has 20 in 2010/11 and must never appear in the North East.

NI 151 (employment, higher is better) has only 2008/09: Darlington 69 ± 2 against
England 72 ± 0.5 (worse), the region 71 ± 0.5.

This module holds no tests; the ``test_analytics_*`` modules import it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import duckdb
import polars as pl

from pipelines.load import load_frame

NORTH_EAST = "E12000001"
ENGLAND = "E92000001"
DURHAM = "E06000047"
DARLINGTON = "E06000005"
HARTLEPOOL = "E06000001"
DERBY = "E06000015"
CHILD_POVERTY = "NI 116"
EMPLOYMENT = "NI 151"
YEARS = ["2006/07", "2007/08", "2008/09", "2009/10", "2010/11"]
LATEST_END = dt.date(2011, 3, 31)
BASELINE_END = dt.date(2008, 3, 31)
TARGET_END = dt.date(2013, 3, 31)

OBSERVATION_HEADER = (
    "indicator_id,area_code,period,value,lower_ci_95,upper_ci_95,lower_ci_99_8,"
    "upper_ci_99_8,count,denominator,note"
)
TARGET_HEADER = (
    "indicator_id,area_code,source,baseline_period,baseline_value,target_period,"
    "target_value,tolerance,milestones"
)


def row(indicator: str, area: str, period: str, value: float, half_width: float | None) -> str:
    """Returns one CSV line of the values template with a symmetric published interval."""
    if half_width is None:
        return f"{indicator},{area},{period},{value},,,,,,,"
    wide = half_width * 1.6
    return (
        f"{indicator},{area},{period},{value},{value - half_width:.4f},{value + half_width:.4f},"
        f"{value - wide:.4f},{value + wide:.4f},,,"
    )


def load_csv(
    con: duckdb.DuckDBPyConnection,
    lines: list[str],
    *,
    kind: str = "indicators",
    name: str = "test.csv",
    confirm: bool = False,
) -> str:
    """Returns the batch id of a CSV (header plus ``lines``) loaded through the loader."""
    header = OBSERVATION_HEADER if kind == "indicators" else TARGET_HEADER
    data = ("\n".join([header, *lines]) + "\n").encode()
    table = pl.read_csv(io.BytesIO(data), infer_schema=False).with_row_index("_row", offset=2)
    outcome = load_frame(
        con,
        table.with_columns(pl.col("_row").cast(pl.Int64)),
        kind=kind,
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        operator="test",
        confirm_revisions=confirm,
    )
    assert outcome.status == "committed", f"{outcome.message}\n{outcome.report}"
    return outcome.batch_id


def series_lines(indicator: str, area: str, values: list[float], half_width: float) -> list[str]:
    return [row(indicator, area, p, v, half_width) for p, v in zip(YEARS, values, strict=True)]


def build_north_east(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Returns the batch ids ('values', 'targets') after loading the tiny warehouse."""
    lines = (
        series_lines(CHILD_POVERTY, DURHAM, [20, 22.5, 25, 27.5, 30], 1.0)
        + series_lines(CHILD_POVERTY, DARLINGTON, [19, 18, 17, 16, 15], 1.0)
        + series_lines(CHILD_POVERTY, NORTH_EAST, [24, 23.8, 23.5, 23.2, 23.0], 0.2)
        + series_lines(CHILD_POVERTY, ENGLAND, [22.4, 22.3, 22.2, 22.1, 22.0], 0.1)
        + [
            f"{CHILD_POVERTY},{HARTLEPOOL},2010/11,22.5,,,,,450,2000,",
            row(CHILD_POVERTY, DERBY, "2010/11", 20, 1.0),
            row(EMPLOYMENT, DARLINGTON, "2008/09", 69, 2.0),
            row(EMPLOYMENT, ENGLAND, "2008/09", 72, 0.5),
            row(EMPLOYMENT, NORTH_EAST, "2008/09", 71, 0.5),
        ]
    )
    values = load_csv(con, lines, name="values.csv")
    targets = load_csv(
        con,
        [
            f"{CHILD_POVERTY},{DURHAM},LAA,2007/08,22.5,2012/13,17.5,1,",
            f"{CHILD_POVERTY},{DURHAM},PSA,2007/08,40,2012/13,45,0,",
            f"{CHILD_POVERTY},{DARLINGTON},LAA,2007/08,18,2012/13,12,1,",
            f"{CHILD_POVERTY},{HARTLEPOOL},LAA,2007/08,26,2012/13,25,0.5,",
            f"{CHILD_POVERTY},{NORTH_EAST},PSA,2007/08,24.5,2012/13,22.5,0.5,",
        ],
        kind="targets",
        name="targets.csv",
    )
    return {"values": values, "targets": targets}


def revise_north_east(con: duckdb.DuckDBPyConnection) -> str:
    """Returns the id of a later batch: Durham 2010/11 revised 30 → 31, Hartlepool 2009/10
    new, and Durham 2009/10 repeated unchanged."""
    return load_csv(
        con,
        [
            row(CHILD_POVERTY, DURHAM, "2010/11", 31, 1.0),
            row(CHILD_POVERTY, HARTLEPOOL, "2009/10", 23, 1.0),
            row(CHILD_POVERTY, DURHAM, "2009/10", 27.5, 1.0),
        ],
        name="revisions.csv",
        confirm=True,
    )


def one(frame: pl.DataFrame, **keys: object) -> dict:
    """Returns the single row of ``frame`` matching ``keys`` (fails if not exactly one)."""
    found = frame.filter(*(pl.col(k) == v for k, v in keys.items()))
    assert found.height == 1, f"{found.height} rows match {keys}:\n{found}"
    return found.row(0, named=True)
