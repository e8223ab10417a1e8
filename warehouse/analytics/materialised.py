"""Derived tables: the assessed latest values, their trend series and the overview counts.

Every page reads a region's latest values assessed (target, benchmark, trend, exceptions).
Computing them from ten million observation rows takes seconds, so they are computed when
the data change instead: :func:`refresh` runs inside the transaction of every batch commit
and withdrawal (and of a reference-data install), so a reader sees facts and derived rows
of the same snapshot, never one without the other.

The rows are derived, not facts: a refresh replaces them (the append-only rule is for
facts, whose lineage stays in the batches). A refresh recomputes only the indicators a
batch touched, and rewrites each table whole, so a table stays one file in the lake
rather than gathering a delete file per load.

* ``assessed_latest``: :data:`~warehouse.analytics.latest.ASSESSED_COLUMNS` for every
  area of every region (each tier), at each indicator's latest period in the region,
  plus ``data_version``: the :func:`warehouse.batches.data_version` token of the
  refresh that last rewrote the table (the same in every row).
* ``assessed_series``: the points of each row's trend window (``region_code``, ``tier``
  and the columns of ``AssessedRegion.series``).
* ``outcome_department_status``: :func:`~warehouse.analytics.overview.region_overview`'s
  counts for every outcome department, with ``region_code`` and ``data_version``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import duckdb
import polars as pl

from warehouse.analytics.latest import ASSESSED_COLUMNS, compute_all_regions
from warehouse.analytics.overview import (
    ENGLAND_COUNT_COLUMNS,
    TARGET_COUNT_COLUMNS,
    department_status,
)

#: The derived tables, created by migration 0007_assessed_latest.
DERIVED_TABLES = ("assessed_latest", "assessed_series", "outcome_department_status")

DERIVED_TABLES_SQL = """
CREATE TABLE IF NOT EXISTS assessed_latest (
    indicator_id VARCHAR, indicator_name VARCHAR, unit VARCHAR, polarity VARCHAR,
    value_type VARCHAR, multiplier DOUBLE, owner_department_code VARCHAR,
    region_code VARCHAR, area_code VARCHAR, area_name VARCHAR, area_type VARCHAR,
    tier VARCHAR, period VARCHAR, period_start DATE, period_end DATE, frequency VARCHAR,
    value DOUBLE, lower_ci_95 DOUBLE, upper_ci_95 DOUBLE, lower_ci_99_8 DOUBLE,
    upper_ci_99_8 DOUBLE, count DOUBLE, denominator DOUBLE, ci_computed BOOLEAN,
    ci_method VARCHAR, england_value DOUBLE, region_value DOUBLE, compared_to_england VARCHAR,
    compared_to_england_99_8 VARCHAR, compared_to_region VARCHAR, target_source VARCHAR,
    target_level VARCHAR, baseline_period VARCHAR, baseline_value DOUBLE,
    target_period VARCHAR, target_value DOUBLE, tolerance DOUBLE, trajectory_value DOUBLE,
    target_status VARCHAR, target_period_value DOUBLE, target_judged_period VARCHAR,
    target_reason VARCHAR, recent_trend VARCHAR, trend_slope DOUBLE, trend_points BIGINT,
    exception VARCHAR, data_version VARCHAR
);
CREATE TABLE IF NOT EXISTS assessed_series (
    region_code VARCHAR, tier VARCHAR, indicator_id VARCHAR, area_code VARCHAR,
    period VARCHAR, period_start DATE, period_end DATE, value DOUBLE, lower_ci_95 DOUBLE,
    upper_ci_95 DOUBLE, lower_ci_99_8 DOUBLE, upper_ci_99_8 DOUBLE
);
CREATE TABLE IF NOT EXISTS outcome_department_status (
    region_code VARCHAR, outcome_department_id VARCHAR, outcome_department_key VARCHAR,
    name VARCHAR, outcome VARCHAR, chair VARCHAR, indicators BIGINT,
    indicators_with_data BIGINT, latest_period VARCHAR, assessments BIGINT,
    {counts}, data_version VARCHAR
)
""".format(counts=", ".join(f"{c} BIGINT" for c in [*TARGET_COUNT_COLUMNS, *ENGLAND_COUNT_COLUMNS]))

# What a batch touched: the indicators of its rows in every table that has them.
_BATCH_INDICATORS_SQL = """
SELECT indicator_id FROM observations WHERE batch_id = $batch_id
UNION SELECT indicator_id FROM targets WHERE batch_id = $batch_id
UNION SELECT indicator_id FROM indicators WHERE batch_id = $batch_id
UNION SELECT indicator_id FROM outcome_department_indicators WHERE batch_id = $batch_id
"""

_KEPT_SQL = {
    table: f"""
SELECT * FROM {table}
WHERE $indicator_ids::VARCHAR[] IS NOT NULL
  AND NOT list_contains($indicator_ids, indicator_id)
"""  # noqa: S608 - the names are ours; values arrive as parameters
    for table in ("assessed_latest", "assessed_series")
}

_VERSION_SQL = "SELECT count(*), max(happened_at) FROM batch_events"


def create_and_fill(con: duckdb.DuckDBPyConnection) -> None:
    """Creates the derived tables and fills them from the facts (migration 0007)."""
    for statement in DERIVED_TABLES_SQL.split(";"):
        if statement.strip():
            con.execute(statement)
    refresh(con)


#: Columns issue 13 added to the derived tables (migration 0010_assessment_columns):
#: how each interval was found, which value a passed target was judged on and why, and
#: the count of "Not assessed" targets.
ADDED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("assessed_latest", "ci_method", "VARCHAR"),
    ("assessed_latest", "target_period_value", "DOUBLE"),
    ("assessed_latest", "target_judged_period", "VARCHAR"),
    ("assessed_latest", "target_reason", "VARCHAR"),
    ("outcome_department_status", "target_not_assessed", "BIGINT"),
)


def add_assessment_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Adds :data:`ADDED_COLUMNS` where missing and recomputes the derived tables (0010)."""
    for table, column, kind in ADDED_COLUMNS:
        present = {row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()}  # noqa: S608
        if column not in present:
            con.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")  # noqa: S608
    refresh(con)


def indicators_in(frames: Iterable[pl.DataFrame]) -> list[str]:
    """Returns the distinct indicator ids in the frames that have an ``indicator_id`` column."""
    found: set[str] = set()
    for frame in frames:
        if "indicator_id" in frame.columns:
            found.update(frame["indicator_id"].drop_nulls().unique().to_list())
    return sorted(found)


def indicators_of_batch(con: duckdb.DuckDBPyConnection, batch_id: str) -> list[str]:
    """Returns the indicator ids of a batch's rows (values, targets, metadata, membership)."""
    rows = con.execute(_BATCH_INDICATORS_SQL, {"batch_id": batch_id}).fetchall()
    return sorted(row[0] for row in rows if row[0] is not None)


def refresh(con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[str] | None = None) -> None:
    """Recomputes the derived tables for ``indicator_ids`` (default: every indicator).

    Call it inside the transaction that changed the facts, after the change: it reads the
    facts as that transaction sees them. The outcome-department counts are always
    recomputed whole (they are small, and membership can change without values).
    """
    ids = None if indicator_ids is None else sorted(set(indicator_ids))
    version = "{}:{}".format(*con.execute(_VERSION_SQL).fetchone())
    if ids != []:
        fresh = compute_all_regions(con, ids)
        params = {"indicator_ids": ids}
        latest = pl.concat(
            [
                con.execute(_KEPT_SQL["assessed_latest"], params).pl().select(ASSESSED_COLUMNS),
                fresh.latest,
            ],
            how="vertical_relaxed",
        ).with_columns(data_version=pl.lit(version))
        series = pl.concat(
            [
                con.execute(_KEPT_SQL["assessed_series"], params).pl().select(fresh.series.columns),
                fresh.series,
            ],
            how="vertical_relaxed",
        )
        _replace(con, "assessed_latest", latest.select(*ASSESSED_COLUMNS, "data_version"))
        _replace(con, "assessed_series", series)
    else:
        latest = con.execute("SELECT * FROM assessed_latest").pl()
    status = department_status(con, latest).with_columns(data_version=pl.lit(version))
    _replace(con, "outcome_department_status", status)


def derived_version(con: duckdb.DuckDBPyConnection) -> str | None:
    """Returns the data version the derived tables were last refreshed at (None before any)."""
    found = con.execute("SELECT any_value(data_version) FROM outcome_department_status").fetchone()
    return found[0] if found else None


def _replace(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    """Replaces every row of a derived table with ``frame`` (columns matched by name)."""
    if table not in DERIVED_TABLES:
        raise ValueError(f"{table!r} is not a derived table")
    con.execute(f"DELETE FROM {table}")  # noqa: S608 - the name is one of ours
    if frame.is_empty():
        return
    name = f"derived_{uuid.uuid4().hex}"
    con.register(name, frame.to_arrow())
    try:
        con.execute(f'INSERT INTO {table} BY NAME SELECT * FROM "{name}"')  # noqa: S608
    finally:
        con.unregister(name)
