"""An indicator over time in a few areas, with the trajectory its target asks for."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from warehouse.analytics._sql import CURRENT_ROW, LIVE_CTE
from warehouse.analytics.latest import with_intervals
from warehouse.analytics.milestones import milestones_column, usable_milestones
from warehouse.assessments import assess_against_target
from warehouse.frames import query

_SERIES_SQL = f"""
WITH {LIVE_CTE}
SELECT o.indicator_id, i.name AS indicator_name, i.unit, i.polarity, i.value_type,
       i.multiplier, o.area_code, a.name AS area_name, a.area_type, a.tier,
       o.period, o.period_start, o.period_end, o.frequency, o.value,
       o.lower_ci_95, o.upper_ci_95, o.lower_ci_99_8, o.upper_ci_99_8,
       o.count, o.denominator, o.note
FROM observations o
JOIN live b ON b.batch_id = o.batch_id
JOIN current_indicators i ON i.indicator_id = o.indicator_id
JOIN areas a ON a.area_code = o.area_code
WHERE o.indicator_id = $indicator_id AND list_contains($area_codes, o.area_code)
{CURRENT_ROW}
"""  # noqa: S608 - the fragments are ours; values arrive as parameters

_TARGETS_SQL = """
SELECT indicator_id, area_code, source AS target_source, baseline_period,
       baseline_period_end, baseline_value, target_period, target_period_end, target_value,
       tolerance, milestones
FROM current_targets
WHERE indicator_id = $indicator_id AND list_contains($area_codes, area_code)
"""

_TEXT, _NUMBER, _DATE = pl.String, pl.Float64, pl.Date
#: Columns and types of :func:`indicator_series`.
SERIES_SCHEMA: dict[str, pl.DataType] = {
    "indicator_id": _TEXT,
    "indicator_name": _TEXT,
    "unit": _TEXT,
    "polarity": _TEXT,
    "area_code": _TEXT,
    "area_name": _TEXT,
    "area_type": _TEXT,
    "tier": _TEXT,
    "period": _TEXT,
    "period_start": _DATE,
    "period_end": _DATE,
    "frequency": _TEXT,
    "value": _NUMBER,
    "lower_ci_95": _NUMBER,
    "upper_ci_95": _NUMBER,
    "lower_ci_99_8": _NUMBER,
    "upper_ci_99_8": _NUMBER,
    "count": _NUMBER,
    "denominator": _NUMBER,
    "ci_computed": pl.Boolean,
    "note": _TEXT,
    "target_source": _TEXT,
    "baseline_period": _TEXT,
    "baseline_value": _NUMBER,
    "target_period": _TEXT,
    "target_value": _NUMBER,
    "trajectory_value": _NUMBER,
}


def indicator_series(
    con: duckdb.DuckDBPyConnection, indicator_id: str, area_codes: Sequence[str]
) -> pl.DataFrame:
    """Returns every current value of one indicator in the given areas, with the target's trajectory.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    indicator_id : str
        e.g. ``NI 116``.
    area_codes : sequence of str
        The areas to chart (any tier, England included).

    Returns
    -------
    polars.DataFrame
        Columns :data:`SERIES_SCHEMA`: one row per area and period with a current value,
        sorted by area and period; intervals are filled from count and denominator where
        not published (``ci_computed``). ``trajectory_value`` is what the applicable
        target expects at that period (linear from baseline to target, or through the
        milestones), with the target's ``target_source``, ``baseline_period``,
        ``baseline_value``, ``target_period`` and ``target_value``; all null for periods
        outside any target's baseline-to-target span.

    Notes
    -----
    The applicable target is the area's LAA target for local areas and the PSA target for
    a region or England; of two targets spanning one period the one due first applies.
    """
    params = {"indicator_id": indicator_id, "area_codes": list(area_codes)}
    series = query(con, _SERIES_SQL, params)
    if series.is_empty():
        return pl.DataFrame(schema=SERIES_SCHEMA)
    series = with_intervals(series).with_row_index("_row")
    targets = query(con, _TARGETS_SQL, params)
    source = (
        pl.when(pl.col("tier").is_in(["region", "country"]))
        .then(pl.lit("PSA"))
        .otherwise(pl.lit("LAA"))
    )
    spanning = (
        series.select("_row", "indicator_id", "area_code", "period_end", source.alias("_source"))
        .join(targets, on=["indicator_id", "area_code"], how="inner")
        .filter(
            (pl.col("target_source") == pl.col("_source"))
            & (pl.col("period_end") >= pl.col("baseline_period_end"))
            & (pl.col("period_end") <= pl.col("target_period_end"))
        )
        .sort("_row", "target_period_end")
        .unique("_row", keep="first")
        .drop("indicator_id", "area_code", "period_end", "_source")
    )
    joined = series.join(spanning, on="_row", how="left")
    joined = joined.with_columns(milestones_column(joined["milestones"]))
    traced = assess_against_target(usable_milestones(joined))
    return (
        traced.with_columns(
            pl.when(pl.col("target_value").is_null())
            .then(None)
            .otherwise(pl.col("trajectory_value"))
            .alias("trajectory_value")
        )
        .sort("area_code", "period_start")
        .select(list(SERIES_SCHEMA))
    )
