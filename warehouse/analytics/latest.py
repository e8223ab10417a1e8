"""Every indicator in every area of a region at its latest period, with all four signals.

This is the core the pages build on. SQL narrows ten million observation rows to the
region, the wanted indicators and the last few periods, and picks each key's current value;
Polars then applies the assessments (intervals, benchmark, target, trend, exceptions),
which stay the one place those rules live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.analytics.milestones import milestones_column, usable_milestones
from warehouse.assessments import (
    assess_against_target,
    compare_with_benchmark,
    fill_missing_intervals,
    flag_exceptions,
    recent_trend,
)
from warehouse.frames import query

ENGLAND = "E92000001"
#: Upper-tier local authorities: the level at which LAAs were agreed.
LOCAL_TIERS: tuple[str, ...] = ("county", "unitary")
DEFAULT_TIERS: tuple[str, ...] = ("county", "unitary", "region")
#: Every tier an area of a region can have.
ALL_REGION_TIERS: tuple[str, ...] = ("county", "unitary", "district", "region")
#: Points in the recent trend (the Fingertips convention).
TREND_POINTS = 5

#: Columns of :func:`assessed_latest`, in order.
ASSESSED_COLUMNS = [
    "indicator_id",
    "indicator_name",
    "unit",
    "polarity",
    "value_type",
    "multiplier",
    "owner_department_code",
    "region_code",
    "area_code",
    "area_name",
    "area_type",
    "tier",
    "period",
    "period_start",
    "period_end",
    "frequency",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "count",
    "denominator",
    "ci_computed",
    "england_value",
    "region_value",
    "compared_to_england",
    "compared_to_england_99_8",
    "compared_to_region",
    "target_source",
    "target_level",
    "baseline_period",
    "baseline_value",
    "target_period",
    "target_value",
    "tolerance",
    "trajectory_value",
    "target_status",
    "recent_trend",
    "trend_slope",
    "trend_points",
    "exception",
]

# The "current" rule is the one of the current_observations view (the latest live batch
# wins for each indicator, area and period), applied here after the rows have been narrowed
# to the region and the trend window: DuckDB cannot push a join filter through the view's
# window function, so reading the view would rank every observation in the warehouse.
_ASSESS_SQL = """
WITH live AS MATERIALIZED (
    SELECT batch_id, created_at FROM live_batches
),
region_areas AS (
    SELECT area_code FROM areas WHERE region_code = $region_code
),
periods AS MATERIALIZED (
    SELECT DISTINCT o.indicator_id, o.period, o.period_start, o.period_end, o.frequency
    FROM observations o
    WHERE o.area_code IN (SELECT area_code FROM region_areas)
      AND o.batch_id IN (SELECT batch_id FROM live)
      AND ($indicator_ids::VARCHAR[] IS NULL OR list_contains($indicator_ids, o.indicator_id))
),
anchors AS (
    SELECT indicator_id, period, period_start, period_end, frequency
    FROM periods
    WHERE $period::VARCHAR IS NULL OR period = $period
    QUALIFY row_number() OVER (
        PARTITION BY indicator_id ORDER BY period_end DESC, period_start
    ) = 1
),
trend_periods AS (
    SELECT p.indicator_id, p.period, p.period = a.period AS is_anchor
    FROM periods p
    JOIN anchors a
      ON p.indicator_id = a.indicator_id
     AND p.frequency IS NOT DISTINCT FROM a.frequency
     AND p.period_start <= a.period_start
    QUALIFY row_number() OVER (
        PARTITION BY p.indicator_id ORDER BY p.period_start DESC
    ) <= $points
),
scope AS (
    SELECT area_code, tier FROM areas
    WHERE region_code = $region_code
      AND list_contains($tiers, tier)
      AND ($area_codes::VARCHAR[] IS NULL OR list_contains($area_codes, area_code))
),
wanted AS (
    SELECT area_code FROM scope
    UNION SELECT $england
    UNION SELECT $region_code
),
facts AS (
    SELECT o.indicator_id, o.area_code, o.period, o.period_start, o.period_end, o.frequency,
           o.value, o.lower_ci_95, o.upper_ci_95, o.lower_ci_99_8, o.upper_ci_99_8,
           o.count, o.denominator, t.is_anchor
    FROM observations o
    JOIN live b ON b.batch_id = o.batch_id
    JOIN trend_periods t ON t.indicator_id = o.indicator_id AND t.period = o.period
    WHERE o.area_code IN (SELECT area_code FROM wanted)
    QUALIFY row_number() OVER (
        PARTITION BY o.indicator_id, o.area_code, o.period
        ORDER BY b.created_at DESC, o.batch_id DESC
    ) = 1
),
picked_targets AS (
    -- LAA targets for local areas, PSA targets for the region and England. Of several,
    -- the first still to come due at the latest period, else the most recent one.
    SELECT TRUE AS for_anchor, t.indicator_id, t.area_code, t.source AS target_source,
           t.level AS target_level,
           t.baseline_period, t.baseline_period_end, t.baseline_value, t.target_period,
           t.target_period_end, t.target_value, t.tolerance, t.milestones
    FROM current_targets t
    JOIN anchors a ON a.indicator_id = t.indicator_id
    JOIN scope s ON s.area_code = t.area_code
    WHERE t.source = CASE WHEN s.tier IN ('region', 'country') THEN 'PSA' ELSE 'LAA' END
    QUALIFY row_number() OVER (
        PARTITION BY t.indicator_id, t.area_code
        ORDER BY t.target_period_end < a.period_end,
                 abs(date_diff('day', a.period_end, t.target_period_end)),
                 t.target_period
    ) = 1
)
SELECT f.*,
       f.area_code IN (SELECT area_code FROM scope) AS in_scope,
       i.name AS indicator_name, i.unit, i.polarity, i.value_type, i.multiplier,
       i.owner_department_code,
       try_cast(regexp_extract(f.indicator_id, '\\d+') AS INTEGER) AS indicator_number,
       a.name AS area_name, a.area_type, a.tier,
       p.target_source, p.target_level, p.baseline_period, p.baseline_period_end,
       p.baseline_value, p.target_period, p.target_period_end, p.target_value, p.tolerance,
       p.milestones
FROM facts f
JOIN indicators i ON i.indicator_id = f.indicator_id
JOIN areas a ON a.area_code = f.area_code
LEFT JOIN picked_targets p
  ON p.for_anchor = f.is_anchor AND p.indicator_id = f.indicator_id
 AND p.area_code = f.area_code
WHERE f.is_anchor OR f.area_code IN (SELECT area_code FROM scope)
"""


@dataclass(frozen=True)
class AssessedRegion:
    """What one pass over a region gives: the assessed latest rows and their trend series."""

    latest: pl.DataFrame
    series: pl.DataFrame


def _as_list(values: Sequence[str] | str | None) -> list[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        return [values]
    return list(values)


def assess_region(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    *,
    indicator_ids: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
    tiers: Sequence[str] = DEFAULT_TIERS,
    period: str | None = None,
    points: int = TREND_POINTS,
) -> AssessedRegion:
    """Returns the assessed latest rows (as :func:`assessed_latest`) and the trend series.

    ``series`` holds, for every area in scope, the values of the last ``points`` periods
    the trend used (columns indicator_id, area_code, period, period_start, period_end,
    value and the intervals), oldest first.
    """
    facts = query(
        con,
        _ASSESS_SQL,
        {
            "region_code": region_code,
            "indicator_ids": _as_list(indicator_ids),
            "area_codes": _as_list(area_codes),
            "tiers": list(tiers),
            "period": period,
            "points": points,
            "england": ENGLAND,
        },
    )
    if facts.is_empty():
        empty = _empty_assessed()
        return AssessedRegion(empty, _series_of(facts))
    facts = fill_missing_intervals(facts)

    in_scope = facts.filter(pl.col("in_scope"))
    latest = in_scope.filter(pl.col("is_anchor"))
    anchors = facts.filter(pl.col("is_anchor"))
    england = anchors.filter(pl.col("area_code") == ENGLAND).select(
        "indicator_id", england_value=pl.col("value")
    )
    region = anchors.filter(pl.col("area_code") == region_code).select(
        "indicator_id", region_value=pl.col("value")
    )
    latest = (
        latest.join(england, on="indicator_id", how="left")
        .join(region, on="indicator_id", how="left")
        .with_columns(region_code=pl.lit(region_code))
    )

    latest = compare_with_benchmark(
        latest.with_columns(benchmark_value=pl.col("england_value")), 0.95, "compared_to_england"
    )
    latest = compare_with_benchmark(latest, 0.998, "compared_to_england_99_8")
    # A region compared with itself would always be "Similar": leave it not compared.
    latest = compare_with_benchmark(
        latest.with_columns(
            benchmark_value=pl.when(pl.col("tier") == "region")
            .then(None)
            .otherwise(pl.col("region_value"))
        ),
        0.95,
        "compared_to_region",
    )

    latest = latest.with_columns(milestones_column(latest["milestones"]))
    latest = assess_against_target(usable_milestones(latest))

    trends = recent_trend(in_scope, points=points)
    latest = latest.join(trends, on=["indicator_id", "area_code"], how="left")
    latest = flag_exceptions(latest)

    latest = latest.sort(
        "indicator_number",
        "indicator_id",
        pl.col("tier") != "region",
        "area_name",
        nulls_last=True,
    ).select(ASSESSED_COLUMNS)
    return AssessedRegion(latest, _series_of(in_scope))


def _series_of(facts: pl.DataFrame) -> pl.DataFrame:
    columns = [
        "indicator_id",
        "area_code",
        "period",
        "period_start",
        "period_end",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "lower_ci_99_8",
        "upper_ci_99_8",
    ]
    if facts.is_empty():
        return pl.DataFrame(schema={c: facts.schema.get(c, pl.String) for c in columns})
    return facts.select(columns).sort("indicator_id", "area_code", "period_start")


_TYPES = {
    "multiplier": pl.Float64,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "ci_computed": pl.Boolean,
    "baseline_value": pl.Float64,
    "target_value": pl.Float64,
    "tolerance": pl.Float64,
    "trajectory_value": pl.Float64,
    "trend_slope": pl.Float64,
    "trend_points": pl.Int64,
    "value": pl.Float64,
    "lower_ci_95": pl.Float64,
    "upper_ci_95": pl.Float64,
    "lower_ci_99_8": pl.Float64,
    "upper_ci_99_8": pl.Float64,
    "count": pl.Float64,
    "denominator": pl.Float64,
    "england_value": pl.Float64,
    "region_value": pl.Float64,
}


def _empty_assessed() -> pl.DataFrame:
    return pl.DataFrame(schema={c: _TYPES.get(c, pl.String) for c in ASSESSED_COLUMNS})


def assessed_latest(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    *,
    indicator_ids: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
    tiers: Sequence[str] = DEFAULT_TIERS,
    period: str | None = None,
) -> pl.DataFrame:
    """Returns one row per (indicator, area) of the region at the indicator's latest period, assessed.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region, e.g. ``E12000001``.
    indicator_ids : sequence of str, optional
        Only these indicators (default: every indicator with data in the region).
    area_codes : sequence of str, optional
        Only these areas (still limited to the region and ``tiers``).
    tiers : sequence of str, default ("county", "unitary", "region")
        Which areas of the region: ``region`` is the region itself, ``county`` and
        ``unitary`` the upper-tier authorities, ``district`` the lower tier.
    period : str, optional
        Assess this period (e.g. ``2008/09``) instead of each indicator's latest;
        indicators without it are left out.

    Returns
    -------
    polars.DataFrame
        Columns :data:`ASSESSED_COLUMNS`, sorted by indicator number, the region first,
        then area name. Among them:

        * ``value``, the 95% and 99.8% intervals (published, or computed from ``count``
          and ``denominator`` when absent: ``ci_computed``), ``england_value``,
          ``region_value``;
        * ``compared_to_england`` (95%), ``compared_to_england_99_8``,
          ``compared_to_region`` (95%; "Not compared" for the region itself): Better,
          Similar, Worse, Higher, Lower or Not compared;
        * ``target_source`` (LAA for local areas, PSA for the region), ``target_period``,
          ``target_value``, ``trajectory_value`` and ``target_status`` (a TargetStatus
          word; "No target" without one; null when a target's direction cannot be told);
        * ``recent_trend`` over the indicator's last 5 periods of the same frequency,
          ``trend_slope``, ``trend_points``;
        * ``exception``: "Red-red", "Green flag" or null.

    Notes
    -----
    The latest period of an indicator is the most recent one with a current value in any
    area of the region (any tier), so narrowing the areas never changes the period.
    A row exists only where the area has a current value at that period. When an area
    has several targets, the first still to come due is used, else the latest past one.
    """
    return assess_region(
        con,
        region_code,
        indicator_ids=indicator_ids,
        area_codes=area_codes,
        tiers=tiers,
        period=period,
    ).latest
