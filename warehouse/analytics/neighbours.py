"""Statistical neighbours: the areas most like a given one on a few contextual indicators."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from warehouse.analytics._sql import LATEST_PERIOD_FIRST
from warehouse.assessments import neighbour_variables, statistical_neighbours
from warehouse.frames import query

#: Context the default neighbours are matched on: child poverty, out-of-work benefits,
#: employment, all-cause mortality and adult qualifications. Deprivation, labour market,
#: health and skills, as in the CIPFA-style models, from indicators every area reports.
DEFAULT_CONTEXT: tuple[str, ...] = ("NI 116", "NI 152", "NI 151", "NI 120", "NI 163")

#: Areas are neighbours only within one tier group: upper-tier authorities (counties and
#: unitaries, the level of Local Area Agreements) with each other, districts with
#: districts, regions with regions.
TIER_GROUPS: dict[str, tuple[str, ...]] = {
    "county": ("county", "unitary"),
    "unitary": ("county", "unitary"),
    "district": ("district",),
    "region": ("region",),
}

# Read from the derived table of assessed latest values (refreshed with every batch), not
# ranked from the facts: each area's row there is its current value at its region's latest
# period, so the latest period across the tier group is the latest of those.
_CONTEXT_SQL = f"""
WITH context_rows AS (
    SELECT indicator_id, area_code, value, period, period_start, period_end
    FROM assessed_latest
    WHERE list_contains($indicator_ids, indicator_id) AND list_contains($tiers, tier)
),
anchors AS (
    SELECT DISTINCT indicator_id, period, period_start, period_end FROM context_rows
    QUALIFY row_number() OVER (PARTITION BY indicator_id {LATEST_PERIOD_FIRST}) = 1
)
SELECT o.area_code, o.indicator_id AS variable, o.value, o.period
FROM context_rows o
JOIN anchors a ON a.indicator_id = o.indicator_id AND a.period = o.period
"""  # noqa: S608 - the fragment is ours; values arrive as parameters

_GROUP_AREAS_SQL = """
SELECT area_code, name AS area_name, area_type, tier, region_code
FROM areas WHERE list_contains($tiers, tier)
"""


def context_values(
    con: duckdb.DuckDBPyConnection,
    tiers: Sequence[str],
    context_indicators: Sequence[str] = DEFAULT_CONTEXT,
) -> pl.DataFrame:
    """Returns the latest current value of each context indicator for every area of ``tiers``.

    Returns
    -------
    polars.DataFrame
        Columns ``area_code``, ``variable`` (the indicator id), ``value`` and ``period``
        (each indicator's latest period among those areas, the same for every area).
    """
    return query(
        con,
        _CONTEXT_SQL,
        {"tiers": list(tiers), "indicator_ids": list(context_indicators)},
    )


def neighbour_table(
    con: duckdb.DuckDBPyConnection,
    tier: str,
    n: int = 10,
    context_indicators: Sequence[str] = DEFAULT_CONTEXT,
) -> pl.DataFrame:
    """Returns every area's ``n`` nearest statistical neighbours within the tier group of ``tier``.

    Returns
    -------
    polars.DataFrame
        Columns ``area_code``, ``neighbour_code``, ``rank`` (1 nearest) and ``distance``,
        from :func:`warehouse.assessments.statistical_neighbours`.
    """
    group = TIER_GROUPS.get(tier)
    if group is None:
        raise ValueError(
            f"Statistical neighbours are found for counties, unitaries, districts and "
            f"regions, not for areas of tier {tier!r}."
        )
    context = context_values(con, group, context_indicators).select(
        "area_code", "variable", "value"
    )
    areas = query(con, _GROUP_AREAS_SQL, {"tiers": list(group)}).select(
        "area_code", tier=pl.lit(group[0])
    )
    return statistical_neighbours(context, areas, n=n)


_AREA_SQL = "SELECT area_code, name, tier FROM areas WHERE area_code = $area_code"


def statistical_neighbours_for(
    con: duckdb.DuckDBPyConnection,
    area_code: str,
    n: int = 10,
    context_indicators: Sequence[str] = DEFAULT_CONTEXT,
) -> pl.DataFrame:
    """Returns the area's ``n`` statistical neighbours, nearest first, with the variables used.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    area_code : str
        GSS code of a county, unitary, district or region.
    n : int, default 10
        Number of neighbours.
    context_indicators : sequence of str, default :data:`DEFAULT_CONTEXT`
        Indicators whose latest values describe an area.

    Returns
    -------
    polars.DataFrame
        Columns ``neighbour_code``, ``neighbour_name``, ``neighbour_type`` (area type),
        ``rank`` (1 nearest), ``distance`` (Euclidean over z-scores) and ``variables``
        (list of the indicator ids matched on, the same in every row). Empty when the
        area lacks a value for a context indicator.

    Raises
    ------
    LookupError
        For an unknown area code.
    ValueError
        For England or another area outside the tier groups of :data:`TIER_GROUPS`.

    Notes
    -----
    Neighbours come from the area's tier group across England (upper-tier areas are
    compared with counties and unitaries alike). Each variable is z-scored within the
    group, so the units of the indicators do not matter.
    """
    found = query(con, _AREA_SQL, {"area_code": area_code})
    if found.is_empty():
        raise LookupError(f"There is no area with code {area_code}.")
    tier = found["tier"][0]
    group = TIER_GROUPS.get(tier)
    if group is None:
        raise ValueError(
            f"{found['name'][0]} is not a county, unitary, district or region, so it has no "
            "statistical neighbours."
        )
    context = context_values(con, group, context_indicators).select(
        "area_code", "variable", "value"
    )
    variables = neighbour_variables(context)
    group_areas = query(con, _GROUP_AREAS_SQL, {"tiers": list(group)})
    neighbours = statistical_neighbours(
        context, group_areas.select("area_code", tier=pl.lit(group[0])), n=n
    )
    return (
        neighbours.filter(pl.col("area_code") == area_code)
        .join(
            group_areas.select(
                neighbour_code="area_code", neighbour_name="area_name", neighbour_type="area_type"
            ),
            on="neighbour_code",
            how="left",
        )
        .sort("rank")
        .select(
            "neighbour_code",
            "neighbour_name",
            "neighbour_type",
            "rank",
            "distance",
            pl.lit(variables, dtype=pl.List(pl.String)).alias("variables"),
        )
    )


# The points of every area's trend window, from the derived table refreshed with every
# batch: the window's two ends are among them wherever the area's region has the same latest
# period as the region asking (an area whose region has moved on is not compared).
_WINDOW_CHANGES_SQL = """
WITH ends AS (
    SELECT unnest($indicator_ids) AS indicator_id, unnest($periods) AS period,
           unnest($ends) AS window_end
)
SELECT s.indicator_id, s.area_code, s.value, e.window_end
FROM assessed_series s
JOIN ends e ON e.indicator_id = s.indicator_id AND e.period = s.period
WHERE list_contains($area_codes, s.area_code)
"""


def window_changes(
    con: duckdb.DuckDBPyConnection, windows: pl.DataFrame, area_codes: Sequence[str]
) -> pl.DataFrame:
    """Returns each area's change over each indicator's window (last minus first value).

    Parameters
    ----------
    windows : polars.DataFrame
        Columns ``indicator_id``, ``first_period`` and ``last_period``.
    area_codes : sequence of str
        The areas wanted.

    Returns
    -------
    polars.DataFrame
        Columns ``indicator_id``, ``area_code`` and ``change`` (null when either end
        has no current value among the points of the area's own trend window, as the
        derived table ``assessed_series`` holds them: an area whose region has a later
        latest period than the window's is not compared).
    """
    schema = {"indicator_id": pl.String, "area_code": pl.String, "change": pl.Float64}
    if windows.is_empty() or not area_codes:
        return pl.DataFrame(schema=schema)
    n = windows.height
    rows = query(
        con,
        _WINDOW_CHANGES_SQL,
        {
            "indicator_ids": windows["indicator_id"].to_list() * 2,
            "periods": windows["first_period"].to_list() + windows["last_period"].to_list(),
            "ends": ["first"] * n + ["last"] * n,
            "area_codes": list(area_codes),
        },
    )
    if rows.is_empty():
        return pl.DataFrame(schema=schema)
    wide = rows.pivot(on="window_end", index=["indicator_id", "area_code"], values="value")
    for end in ("first", "last"):
        if end not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(end))
    return wide.select("indicator_id", "area_code", change=pl.col("last") - pl.col("first"))
