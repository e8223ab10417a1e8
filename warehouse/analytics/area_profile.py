"""One local authority: every indicator against England and the region, with England's spread."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.analytics._sql import CURRENT_ROW, LIVE_CTE
from warehouse.analytics.latest import assessed_latest
from warehouse.analytics.neighbours import TIER_GROUPS
from warehouse.frames import query

_AREA_SQL = """
SELECT area_code, name, area_type, tier, region_code FROM areas WHERE area_code = $area_code
"""

_SPREAD_SQL = f"""
WITH {LIVE_CTE},
wanted AS (
    SELECT unnest($indicator_ids) AS indicator_id, unnest($periods) AS period
),
candidates AS MATERIALIZED (
    -- Narrowed by the few (indicator, period) pairs first, then by tier.
    SELECT o.indicator_id, o.area_code, o.period, o.value, o.batch_id
    FROM observations o
    JOIN wanted w ON w.indicator_id = o.indicator_id AND w.period = o.period
    WHERE o.area_code IN (SELECT area_code FROM areas WHERE list_contains($tiers, tier))
),
current_values AS (
    SELECT o.indicator_id, o.area_code, o.value
    FROM candidates o
    JOIN live b ON b.batch_id = o.batch_id
    {CURRENT_ROW}
)
SELECT indicator_id,
       min(value) AS england_min,
       quantile_cont(value, 0.25) AS england_q25,
       median(value) AS england_median,
       quantile_cont(value, 0.75) AS england_q75,
       max(value) AS england_max,
       count(value) AS areas_compared
FROM current_values
GROUP BY indicator_id
"""  # noqa: S608 - the fragments are ours; values arrive as parameters

AREA_PROFILE_COLUMNS = [
    "area_code",
    "area_name",
    "indicator_id",
    "indicator_name",
    "unit",
    "polarity",
    "period",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "ci_computed",
    "england_value",
    "region_value",
    "compared_to_england",
    "compared_to_england_99_8",
    "compared_to_region",
    "recent_trend",
    "target_source",
    "target_period",
    "target_value",
    "trajectory_value",
    "target_status",
    "exception",
    "england_min",
    "england_q25",
    "england_median",
    "england_q75",
    "england_max",
    "areas_compared",
]


def area_profile(con: duckdb.DuckDBPyConnection, area_code: str) -> pl.DataFrame:
    """Returns every indicator with a current value for the area at its latest period, for a spine chart.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    area_code : str
        GSS code of a county, unitary, district or region.

    Returns
    -------
    polars.DataFrame
        Columns :data:`AREA_PROFILE_COLUMNS`, one row per indicator, by indicator number:
        the area's value and intervals, ``england_value``, ``region_value``, the
        comparisons, ``recent_trend``, the target and ``target_status``, ``exception``, and
        England's spread among areas of the same tier group at the same period
        (``england_min``, ``england_q25``, ``england_median``, ``england_q75``,
        ``england_max``, over ``areas_compared`` areas; upper tier means counties and
        unitaries together).

    Raises
    ------
    LookupError
        For an unknown area code.
    ValueError
        For England (it has no region to be profiled in).
    """
    area = query(con, _AREA_SQL, {"area_code": area_code})
    if area.is_empty():
        raise LookupError(f"There is no area with code {area_code}.")
    tier, region_code = area["tier"][0], area["region_code"][0]
    group = TIER_GROUPS.get(tier)
    if group is None or region_code is None:
        raise ValueError(
            f"{area['name'][0]} has no area profile: choose a region or a local authority."
        )
    latest = assessed_latest(con, region_code, area_codes=[area_code], tiers=(tier,))
    spread = query(
        con,
        _SPREAD_SQL,
        {
            "indicator_ids": latest["indicator_id"].to_list(),
            "periods": latest["period"].to_list(),
            "tiers": list(group),
        },
    )
    return (
        latest.join(spread, on="indicator_id", how="left")
        .with_columns(pl.col("areas_compared").fill_null(0).cast(pl.Int64))
        .select(AREA_PROFILE_COLUMNS)
    )
