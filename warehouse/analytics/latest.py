"""Every indicator in every area of a region at its latest period, with all four signals.

This is the core the pages build on. SQL narrows ten million observation rows to the
region, the wanted indicators and the last few periods, and picks each key's current value;
Polars then applies the assessments (intervals, benchmark, target, trend, exceptions),
which stay the one place those rules live.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.analytics._sql import AREA_EXISTED, CURRENT_ROW, LATEST_PERIOD_FIRST, LIVE_CTE
from warehouse.analytics.milestones import milestones_column, usable_milestones
from warehouse.assessments import (
    assess_against_target,
    compare_with_benchmark,
    fill_missing_intervals,
    flag_exceptions,
    recent_trend,
)
from warehouse.assessments.intervals import (
    STANDARDISED_RATE,
    STANDARDISED_RATIO,
    IntervalMethod,
)
from warehouse.frames import query

STANDARDISED_VALUE_TYPES = (STANDARDISED_RATE, STANDARDISED_RATIO)
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
    "ci_method",
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
    "target_period_value",
    "target_judged_period",
    "target_reason",
    "recent_trend",
    "trend_slope",
    "trend_points",
    "exception",
]

# The region's area codes arrive as constant lists, so DuckDB filters the observations in
# the scan itself, before any join. Rows are narrowed to the trend window before the
# current row of each key is picked (see warehouse.analytics._sql for why the
# current_observations view is not read).
_AREAS_SQL = """
SELECT area_code, tier FROM areas WHERE region_code = $region_code
"""

# How the periods are found. With a trend: every period of the region's rows, then the
# latest of each indicator and the 5 before it of the same frequency. Without: only the
# latest period of each indicator, which one aggregate gives.
_TREND_PERIODS = """
periods AS MATERIALIZED (
    SELECT o.indicator_id, o.period, any_value(o.period_start) AS period_start,
           any_value(o.period_end) AS period_end, any_value(o.frequency) AS frequency
    FROM observations o
    WHERE list_contains($region_areas, o.area_code){narrow}
      AND o.batch_id IN (SELECT batch_id FROM live)
    GROUP BY o.indicator_id, o.period
),
anchors AS (
    SELECT indicator_id, period, period_start, period_end, frequency
    FROM periods
    WHERE ($period::VARCHAR IS NULL OR period = $period){chosen}
    QUALIFY row_number() OVER (PARTITION BY indicator_id {latest_first}) = 1
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
),"""

_LATEST_PERIOD_ONLY = """
anchors AS MATERIALIZED (
    SELECT o.indicator_id,
           arg_max(o.period, struct_pack(e := o.period_end, s := -epoch(o.period_start)))
               AS period,
           max(o.period_end) AS period_end
    FROM observations o
    WHERE list_contains($region_areas, o.area_code){narrow}
      AND ($period::VARCHAR IS NULL OR o.period = $period)
      AND o.batch_id IN (SELECT batch_id FROM live)
    GROUP BY o.indicator_id
),
trend_periods AS (
    SELECT indicator_id, period, TRUE AS is_anchor FROM anchors
    WHERE TRUE{chosen}
),"""

#: Up to this many indicators are filtered in the scan (cheap, and it lets DuckDB skip row
#: groups of other indicators); a longer list is applied to the few period rows instead.
_NARROW_SCAN_MAX = 20

_ASSESS_TAIL = f"""
facts AS (
    SELECT o.indicator_id, o.area_code, o.period, o.period_start, o.period_end, o.frequency,
           o.value, o.lower_ci_95, o.upper_ci_95, o.lower_ci_99_8, o.upper_ci_99_8,
           o.count, o.denominator, t.is_anchor
    FROM observations o
    JOIN live b ON b.batch_id = o.batch_id
    JOIN trend_periods t ON t.indicator_id = o.indicator_id AND t.period = o.period
    WHERE list_contains($wanted, o.area_code)
    {CURRENT_ROW}
),
current_area_targets AS (
    -- The current_targets rule (the latest live batch wins for each indicator, area,
    -- source and target period), on the scope's targets only.
    SELECT t.*
    FROM targets t
    JOIN live b ON b.batch_id = t.batch_id
    WHERE list_contains($scope, t.area_code)
    QUALIFY b.batch_rank = max(b.batch_rank) OVER (
        PARTITION BY t.indicator_id, t.area_code, t.source, t.target_period
    )
),
picked_targets AS (
    -- LAA targets for local areas, PSA targets for the region and England. Of several,
    -- the first still to come due at the latest period, else the most recent one.
    SELECT TRUE AS for_anchor, t.indicator_id, t.area_code, t.source AS target_source,
           t.level AS target_level,
           t.baseline_period, t.baseline_period_end, t.baseline_value, t.target_period,
           t.target_period_end, t.target_value, t.tolerance, t.milestones
    FROM current_area_targets t
    JOIN anchors a ON a.indicator_id = t.indicator_id
    WHERE t.source = CASE WHEN t.level IN ('region', 'England') THEN 'PSA' ELSE 'LAA' END
    QUALIFY row_number() OVER (
        PARTITION BY t.indicator_id, t.area_code
        ORDER BY t.target_period_end < a.period_end,
                 abs(date_diff('day', a.period_end, t.target_period_end)),
                 t.target_period
    ) = 1
),
target_values AS (
    -- The area's current value for the target's own period, else for the shortest
    -- period covering the target period's end (a late target is judged on time).
    SELECT p.indicator_id, p.area_code, o.value AS target_period_value,
           o.period AS target_judged_period
    FROM picked_targets p
    JOIN observations o
      ON o.indicator_id = p.indicator_id AND o.area_code = p.area_code
     AND o.period_start <= p.target_period_end AND o.period_end >= p.target_period_end
    JOIN live b ON b.batch_id = o.batch_id
    QUALIFY row_number() OVER (
        PARTITION BY p.indicator_id, p.area_code
        ORDER BY o.period = p.target_period DESC, o.period_end - o.period_start, o.period,
                 b.batch_rank DESC
    ) = 1
)
-- Names are sent for the latest rows only: the trend rows need just the numbers.
SELECT f.*,
       list_contains($scope, f.area_code) AS in_scope,
       i.polarity, i.value_type, i.multiplier,
       CASE WHEN f.is_anchor THEN i.name END AS indicator_name,
       CASE WHEN f.is_anchor THEN i.unit END AS unit,
       CASE WHEN f.is_anchor THEN i.owner_department_code END AS owner_department_code,
       CASE WHEN f.is_anchor THEN a.name END AS area_name,
       CASE WHEN f.is_anchor THEN a.area_type END AS area_type,
       CASE WHEN f.is_anchor THEN a.tier END AS tier,
       p.target_source, p.target_level, p.baseline_period, p.baseline_period_end,
       p.baseline_value, p.target_period, p.target_period_end, p.target_value, p.tolerance,
       p.milestones, v.target_period_value, v.target_judged_period
FROM facts f
JOIN current_indicators i ON i.indicator_id = f.indicator_id
JOIN areas a ON a.area_code = f.area_code
LEFT JOIN picked_targets p
  ON p.for_anchor = f.is_anchor AND p.indicator_id = f.indicator_id
 AND p.area_code = f.area_code
LEFT JOIN target_values v
  ON f.is_anchor AND v.indicator_id = f.indicator_id AND v.area_code = f.area_code
WHERE (f.is_anchor OR list_contains($scope, f.area_code)) AND {AREA_EXISTED}
"""  # noqa: S608 - the fragments are ours; values arrive as parameters


# Every region at once, for the derived tables: the same rules as the query above, with
# the region a column instead of a parameter. ``region_areas`` holds every area of every
# region (a region's latest period is the latest of any of its areas); the scope is every
# area of the tiers; England's rows at each region's latest periods give the benchmark.
_ALL_REGIONS_SQL = f"""
WITH {LIVE_CTE},
region_areas AS MATERIALIZED (
    SELECT area_code, region_code, tier, list_contains($tiers, tier) AS in_scope
    FROM areas WHERE region_code IS NOT NULL
),
candidates AS NOT MATERIALIZED (
    SELECT o.indicator_id, o.area_code, o.period, o.period_start, o.period_end,
           o.frequency, o.value, o.lower_ci_95, o.upper_ci_95, o.lower_ci_99_8,
           o.upper_ci_99_8, o.count, o.denominator, b.batch_rank
    FROM observations o
    JOIN live b ON b.batch_id = o.batch_id
    WHERE TRUE{{narrow}}
),
periods AS MATERIALIZED (
    SELECT r.region_code, o.indicator_id, o.period, any_value(o.period_start) AS period_start,
           any_value(o.period_end) AS period_end, any_value(o.frequency) AS frequency
    FROM candidates o
    JOIN region_areas r ON r.area_code = o.area_code
    GROUP BY r.region_code, o.indicator_id, o.period
),
anchors AS MATERIALIZED (
    SELECT region_code, indicator_id, period, period_start, period_end, frequency
    FROM periods
    QUALIFY row_number() OVER (PARTITION BY region_code, indicator_id {LATEST_PERIOD_FIRST}) = 1
),
trend_periods AS MATERIALIZED (
    SELECT p.region_code, p.indicator_id, p.period, p.period = a.period AS is_anchor
    FROM periods p
    JOIN anchors a
      ON p.region_code = a.region_code
     AND p.indicator_id = a.indicator_id
     AND p.frequency IS NOT DISTINCT FROM a.frequency
     AND p.period_start <= a.period_start
    QUALIFY row_number() OVER (
        PARTITION BY p.region_code, p.indicator_id ORDER BY p.period_start DESC
    ) <= $points
),
scope_facts AS (
    SELECT t.region_code, o.* EXCLUDE (batch_rank), t.is_anchor, r.tier
    FROM candidates o
    JOIN region_areas r ON r.area_code = o.area_code
    JOIN trend_periods t
      ON t.region_code = r.region_code AND t.indicator_id = o.indicator_id
     AND t.period = o.period
    WHERE r.in_scope
    QUALIFY o.batch_rank = max(o.batch_rank) OVER (
        PARTITION BY o.indicator_id, o.area_code, o.period
    )
),
england_facts AS (
    SELECT a.region_code, o.* EXCLUDE (batch_rank), TRUE AS is_anchor, NULL AS tier
    FROM candidates o
    JOIN anchors a ON a.indicator_id = o.indicator_id AND a.period = o.period
    WHERE o.area_code = $england
    QUALIFY o.batch_rank = max(o.batch_rank) OVER (
        PARTITION BY a.region_code, o.indicator_id, o.area_code, o.period
    )
),
facts AS (
    SELECT *, TRUE AS in_scope FROM scope_facts
    UNION ALL BY NAME
    SELECT *, FALSE AS in_scope FROM england_facts
),
current_area_targets AS (
    SELECT t.*, r.region_code
    FROM targets t
    JOIN live b ON b.batch_id = t.batch_id
    JOIN region_areas r ON r.area_code = t.area_code
    WHERE r.in_scope
    QUALIFY b.batch_rank = max(b.batch_rank) OVER (
        PARTITION BY t.indicator_id, t.area_code, t.source, t.target_period
    )
),
picked_targets AS (
    SELECT t.indicator_id, t.area_code, t.source AS target_source, t.level AS target_level,
           t.baseline_period, t.baseline_period_end, t.baseline_value, t.target_period,
           t.target_period_end, t.target_value, t.tolerance, t.milestones
    FROM current_area_targets t
    JOIN anchors a ON a.region_code = t.region_code AND a.indicator_id = t.indicator_id
    WHERE t.source = CASE WHEN t.level IN ('region', 'England') THEN 'PSA' ELSE 'LAA' END
    QUALIFY row_number() OVER (
        PARTITION BY t.indicator_id, t.area_code
        ORDER BY t.target_period_end < a.period_end,
                 abs(date_diff('day', a.period_end, t.target_period_end)),
                 t.target_period
    ) = 1
),
target_values AS (
    -- As in the one-region query: the value for the target's own period (or the shortest
    -- period covering its end), the newest live batch of that period.
    SELECT p.indicator_id, p.area_code, o.value AS target_period_value,
           o.period AS target_judged_period
    FROM picked_targets p
    JOIN candidates o
      ON o.indicator_id = p.indicator_id AND o.area_code = p.area_code
     AND o.period_start <= p.target_period_end AND o.period_end >= p.target_period_end
    QUALIFY row_number() OVER (
        PARTITION BY p.indicator_id, p.area_code
        ORDER BY o.period = p.target_period DESC, o.period_end - o.period_start, o.period,
                 o.batch_rank DESC
    ) = 1
)
SELECT f.*,
       i.polarity, i.value_type, i.multiplier,
       CASE WHEN f.is_anchor THEN i.name END AS indicator_name,
       CASE WHEN f.is_anchor THEN i.unit END AS unit,
       CASE WHEN f.is_anchor THEN i.owner_department_code END AS owner_department_code,
       CASE WHEN f.is_anchor THEN a.name END AS area_name,
       CASE WHEN f.is_anchor THEN a.area_type END AS area_type,
       p.target_source, p.target_level, p.baseline_period, p.baseline_period_end,
       p.baseline_value, p.target_period, p.target_period_end, p.target_value, p.tolerance,
       p.milestones, v.target_period_value, v.target_judged_period
FROM facts f
JOIN current_indicators i ON i.indicator_id = f.indicator_id
JOIN areas a ON a.area_code = f.area_code
LEFT JOIN picked_targets p
  ON f.is_anchor AND f.in_scope AND p.indicator_id = f.indicator_id
 AND p.area_code = f.area_code
LEFT JOIN target_values v
  ON f.is_anchor AND f.in_scope AND v.indicator_id = f.indicator_id
 AND v.area_code = f.area_code
WHERE {AREA_EXISTED}
"""  # noqa: S608 - the fragments are ours; values arrive as parameters


@functools.lru_cache(maxsize=2)
def _all_regions_sql(narrow: bool) -> str:
    """Returns the all-regions query, narrowed to ``$indicator_ids`` or not."""
    return _ALL_REGIONS_SQL.format(
        narrow="\n      AND list_contains($indicator_ids, o.indicator_id)" if narrow else ""
    )


@functools.lru_cache(maxsize=8)
def _assess_sql(with_trend: bool, narrow_scan: bool, chosen: bool) -> str:
    """Returns the core query for a combination of options (our own fragments only)."""
    periods = (_TREND_PERIODS if with_trend else _LATEST_PERIOD_ONLY).format(
        narrow="\n      AND o.indicator_id IN (SELECT unnest($indicator_ids))"
        if narrow_scan
        else "",
        chosen=" AND list_contains($indicator_ids, indicator_id)" if chosen else "",
        latest_first=LATEST_PERIOD_FIRST,
    )
    return f"WITH {LIVE_CTE},{periods}{_ASSESS_TAIL}"


def with_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` with missing intervals computed where count and denominator allow.

    Only rows missing a whole interval and carrying a count and denominator go through
    :func:`warehouse.assessments.fill_missing_intervals` (which evaluates every row it is
    given); the others keep their published intervals and get ``ci_computed`` False.
    """
    missing = (
        (pl.col("lower_ci_95").is_null() & pl.col("upper_ci_95").is_null())
        | (pl.col("lower_ci_99_8").is_null() & pl.col("upper_ci_99_8").is_null())
    ) & (
        pl.col("count").is_not_null()
        & (
            pl.col("denominator").is_not_null()
            # a standardised value's interval scales the value by its count's bounds
            | pl.col("value_type").str.to_lowercase().is_in(list(STANDARDISED_VALUE_TYPES))
        )
    )
    numbered = frame.with_row_index("__row")
    needs = numbered.filter(missing)
    published = pl.col("lower_ci_95").is_not_null() & pl.col("upper_ci_95").is_not_null()
    rest = numbered.filter(~missing).with_columns(
        ci_computed=pl.lit(False),
        ci_method=pl.when(published).then(pl.lit(IntervalMethod.PUBLISHED.value)),
    )
    if needs.is_empty():
        return rest.drop("__row")
    filled = fill_missing_intervals(needs)
    return pl.concat([rest, filled], how="vertical_relaxed").sort("__row").drop("__row")


def indicator_number() -> pl.Expr:
    """Returns an expression for the number in ``indicator_id`` (NI 2 sorts before NI 10)."""
    return pl.col("indicator_id").str.extract(r"(\d+)").cast(pl.Int64, strict=False)


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
    with_trend: bool = True,
    with_series: bool = True,
) -> AssessedRegion:
    """Returns the assessed latest rows (as :func:`assessed_latest`) and the trend series.

    ``series`` holds, for every area in scope, the values of the last 5 periods the trend
    used (columns indicator_id, area_code, period, period_start, period_end, value and
    the intervals), oldest first. With ``with_trend`` False, ``recent_trend``,
    ``trend_slope``, ``trend_points`` and ``exception`` are null and ``series`` is empty:
    a page that counts targets and comparisons needs neither. With ``with_series`` False
    the trend columns are kept but ``series`` is left empty (one read of the derived tables
    instead of two, for a caller that needs the latest rows alone).

    Each indicator's latest period is read from the derived tables ``assessed_latest`` and
    ``assessed_series`` (see :mod:`warehouse.analytics.materialised`), which every batch
    commit and withdrawal refreshes in its own transaction; only another ``period`` is
    assessed from the facts here and now (:func:`compute_region`).
    """
    if period is not None:
        return compute_region(
            con,
            region_code,
            indicator_ids=indicator_ids,
            area_codes=area_codes,
            tiers=tiers,
            period=period,
            with_trend=with_trend,
        )
    params = _read_params(region_code, indicator_ids, area_codes, tiers)
    latest = _sorted(query(con, _READ_LATEST_SQL, params))
    if not with_trend:
        latest = latest.with_columns(
            recent_trend=pl.lit(None, pl.String),
            trend_slope=pl.lit(None, pl.Float64),
            trend_points=pl.lit(None, pl.Int64),
            exception=pl.lit(None, pl.String),
        )
    if not (with_trend and with_series):
        return AssessedRegion(latest.select(ASSESSED_COLUMNS), _series_of(pl.DataFrame()))
    series = query(con, _READ_SERIES_SQL, params)
    return AssessedRegion(latest.select(ASSESSED_COLUMNS), _series_of(series))


# Reading the derived tables: one region, filtered in SQL; the types are the table's own.
_READ_LATEST_SQL = """
SELECT * EXCLUDE (data_version) FROM assessed_latest
WHERE region_code = $region_code
  AND list_contains($tiers, tier)
  AND ($indicator_ids::VARCHAR[] IS NULL OR list_contains($indicator_ids, indicator_id))
  AND ($area_codes::VARCHAR[] IS NULL OR list_contains($area_codes, area_code))
"""

# The same rows, only those showing one of the given exceptions or target statuses.
_READ_FLAGGED_SQL = (
    _READ_LATEST_SQL
    + """  AND (list_contains($exceptions, exception)
       OR list_contains($target_statuses, target_status))
"""
)

_READ_SERIES_SQL = """
SELECT * FROM assessed_series
WHERE region_code = $region_code
  AND list_contains($tiers, tier)
  AND ($indicator_ids::VARCHAR[] IS NULL OR list_contains($indicator_ids, indicator_id))
  AND ($area_codes::VARCHAR[] IS NULL OR list_contains($area_codes, area_code))
"""


def flagged_latest(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    *,
    exceptions: Sequence[str],
    target_statuses: Sequence[str],
    tiers: Sequence[str] = DEFAULT_TIERS,
) -> pl.DataFrame:
    """Returns the rows of :func:`assessed_latest` with one of these exceptions or statuses.

    The same rows as filtering :func:`assessed_latest`, filtered in the warehouse (a page
    that lists problems reads a few rows, not the whole region).
    """
    params = _read_params(region_code, None, None, tiers)
    params |= {"exceptions": list(exceptions), "target_statuses": list(target_statuses)}
    return _sorted(query(con, _READ_FLAGGED_SQL, params)).select(ASSESSED_COLUMNS)


def _read_params(
    region_code: str,
    indicator_ids: Sequence[str] | str | None,
    area_codes: Sequence[str] | str | None,
    tiers: Sequence[str],
) -> dict:
    # As compute_region: an empty list of areas means every area of the tiers, an empty
    # list of indicators means none.
    return {
        "region_code": region_code,
        "tiers": list(tiers),
        "indicator_ids": _as_list(indicator_ids),
        "area_codes": _as_list(area_codes) or None,
    }


def _sorted(latest: pl.DataFrame) -> pl.DataFrame:
    """Returns the rows in page order: indicator number, the region first, area name."""
    return latest.sort(
        indicator_number(),
        "indicator_id",
        pl.col("tier") != "region",
        "area_name",
        "area_code",
        nulls_last=True,
    )


def compute_region(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    *,
    indicator_ids: Sequence[str] | None = None,
    area_codes: Sequence[str] | None = None,
    tiers: Sequence[str] = DEFAULT_TIERS,
    period: str | None = None,
    with_trend: bool = True,
) -> AssessedRegion:
    """Returns what :func:`assess_region` returns, computed from the facts now (slow at scale).

    Used for a chosen ``period`` and by the tests that check the derived tables against it.
    With ``with_trend`` False only the latest period is read.
    """
    points = TREND_POINTS if with_trend else 1
    areas = query(con, _AREAS_SQL, {"region_code": region_code})
    region_areas = areas["area_code"].to_list()
    in_tiers = areas.filter(pl.col("tier").is_in(list(tiers)))["area_code"].to_list()
    wanted_areas = set(_as_list(area_codes) or in_tiers)
    scope = [code for code in in_tiers if code in wanted_areas]
    ids = _as_list(indicator_ids)
    narrow = ids is not None and len(ids) <= _NARROW_SCAN_MAX
    facts = query(
        con,
        _assess_sql(with_trend, narrow, ids is not None and not narrow),
        {
            "region_areas": region_areas,
            "scope": scope,
            "wanted": sorted({*scope, ENGLAND, region_code}),
            "period": period,
            **({"points": points} if with_trend else {}),
            **({"indicator_ids": ids} if ids is not None else {}),
        },
    )
    assessed = _assess_facts(facts.with_columns(region_code=pl.lit(region_code)), with_trend)
    series = assessed.series.drop("region_code", "tier")
    return AssessedRegion(assessed.latest, series.sort("indicator_id", "area_code", "period_start"))


def compute_all_regions(
    con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[str] | None = None
) -> AssessedRegion:
    """Returns every region's assessed latest rows and trend series, in one pass over the facts.

    The rows are those :func:`compute_region` gives region by region with every tier of
    area (the latest period, targets, benchmarks and trend of a row never depend on which
    other areas are asked for), restricted to ``indicator_ids`` when given. ``latest``
    has :data:`ASSESSED_COLUMNS`; ``series`` has ``region_code`` and ``tier`` besides.
    """
    ids = _as_list(indicator_ids)
    facts = query(
        con,
        _all_regions_sql(ids is not None),
        {
            "points": TREND_POINTS,
            "tiers": list(ALL_REGION_TIERS),
            "england": ENGLAND,
            **({"indicator_ids": ids} if ids is not None else {}),
        },
    )
    return _assess_facts(facts, with_trend=True)


def _assess_facts(facts: pl.DataFrame, with_trend: bool) -> AssessedRegion:
    """Returns the assessed latest rows and series of the facts of one region or several.

    ``facts`` are the rows of the core queries with a ``region_code`` column: the scope's
    rows at the trend periods (``in_scope``), and England's and each region's own rows at
    the latest period (``is_anchor``), which give the benchmarks.
    """
    points = TREND_POINTS if with_trend else 1
    if facts.is_empty():
        return AssessedRegion(empty_assessed(), _series_of(facts, with_region=True))
    facts = with_intervals(facts)

    in_scope = facts.filter(pl.col("in_scope"))
    latest = in_scope.filter(pl.col("is_anchor"))
    anchors = facts.filter(pl.col("is_anchor"))
    england = anchors.filter(pl.col("area_code") == ENGLAND).select(
        "region_code", "indicator_id", england_value=pl.col("value")
    )
    region = anchors.filter(pl.col("area_code") == pl.col("region_code")).select(
        "region_code", "indicator_id", region_value=pl.col("value")
    )
    latest = latest.join(england, on=["region_code", "indicator_id"], how="left").join(
        region, on=["region_code", "indicator_id"], how="left"
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

    if with_trend:
        trends = recent_trend(in_scope, points=points)
        latest = flag_exceptions(latest.join(trends, on=["indicator_id", "area_code"], how="left"))
    else:
        latest = latest.with_columns(
            recent_trend=pl.lit(None, pl.String),
            trend_slope=pl.lit(None, pl.Float64),
            trend_points=pl.lit(None, pl.Int64),
            exception=pl.lit(None, pl.String),
        )

    latest = _sorted(latest).select(ASSESSED_COLUMNS)
    return AssessedRegion(latest, _series_of(in_scope, with_region=True))


_SERIES_COLUMNS = {
    "indicator_id": pl.String,
    "area_code": pl.String,
    "period": pl.String,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "value": pl.Float64,
    "lower_ci_95": pl.Float64,
    "upper_ci_95": pl.Float64,
    "lower_ci_99_8": pl.Float64,
    "upper_ci_99_8": pl.Float64,
}


def _series_of(facts: pl.DataFrame, with_region: bool = False) -> pl.DataFrame:
    columns = {**_SERIES_COLUMNS}
    if with_region:
        columns = {"region_code": pl.String, "tier": pl.String, **columns}
    if facts.is_empty():
        return pl.DataFrame(schema=columns)
    if with_region:  # bound for the derived table, whose readers sort what they read
        return facts.select(list(columns))
    return facts.select(list(columns)).sort("indicator_id", "area_code", "period_start")


_TYPES = {
    "multiplier": pl.Float64,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "ci_computed": pl.Boolean,
    "baseline_value": pl.Float64,
    "target_value": pl.Float64,
    "tolerance": pl.Float64,
    "trajectory_value": pl.Float64,
    "target_period_value": pl.Float64,
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


def empty_assessed() -> pl.DataFrame:
    """Returns a frame with the columns and types of :func:`assessed_latest` and no rows."""
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
        with_series=False,
    ).latest
