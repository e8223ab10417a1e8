"""The minister's landing page: each outcome department at a glance, priority goals,
what needs attention and where to learn from."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.analytics.latest import (
    LOCAL_TIERS,
    assess_region,
    assessed_latest,
    empty_assessed,
    flagged_latest,
    indicator_number,
)
from warehouse.analytics.neighbours import neighbour_table, window_changes
from warehouse.assessments import (
    Comparison,
    ExceptionFlag,
    TargetStatus,
    most_improved_among_neighbours,
)
from warehouse.frames import query


def _snake(word: str) -> str:
    return word.lower().replace(" ", "_").replace("-", "_")


#: Count columns of :func:`region_overview` and the status word each counts, in display order.
TARGET_COUNT_COLUMNS: dict[str, str] = {f"target_{_snake(s)}": s.value for s in TargetStatus}
ENGLAND_COUNT_COLUMNS: dict[str, str] = {f"england_{_snake(c)}": c.value for c in Comparison}

# Every region's outcome departments with their member indicators (for the derived table
# outcome_department_status; the page reads that table).
_DEPARTMENTS_SQL = """
SELECT d.region_code, d.outcome_department_id, d.outcome_department_key, d.name, d.outcome,
       d.chair, m.indicator_id
FROM current_outcome_departments d
LEFT JOIN current_outcome_department_indicators m USING (outcome_department_id)
"""

_STATUS_SQL = """
SELECT * EXCLUDE (region_code, data_version) FROM outcome_department_status
WHERE region_code = $region_code
ORDER BY outcome_department_key
"""

#: Columns of :func:`region_overview`, in order.
OVERVIEW_COLUMNS = [
    "outcome_department_id",
    "outcome_department_key",
    "name",
    "outcome",
    "chair",
    "indicators",
    "indicators_with_data",
    "latest_period",
    "assessments",
    *TARGET_COUNT_COLUMNS,
    *ENGLAND_COUNT_COLUMNS,
]


def region_overview(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns one row per outcome department of the region with counts of each status.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region.

    Returns
    -------
    polars.DataFrame
        One row per outcome department, in key order, with columns
        ``outcome_department_id``, ``outcome_department_key``, ``name``, ``outcome``,
        ``chair``, ``indicators`` (member indicators), ``indicators_with_data``,
        ``latest_period`` (the most recent period of any member indicator),
        ``assessments`` (local area × indicator pairs counted), then one count column per
        word: :data:`TARGET_COUNT_COLUMNS` (``target_on_track`` … ``target_no_target``)
        and :data:`ENGLAND_COUNT_COLUMNS` (``england_better``, ``england_similar``,
        ``england_worse``, ``england_higher``, ``england_lower``,
        ``england_not_compared``). Red-reds and green flags need the trend and are
        counted by :func:`needs_attention` and :func:`learn_from`.

    Notes
    -----
    Counts run over the region's upper-tier local areas (counties and unitaries) × the
    department's member indicators, each at the indicator's latest period. An indicator
    in two departments counts in both. A page labels a column with the word in the
    mappings above, so the status is always shown as text. The counts are read from the
    derived table ``outcome_department_status`` (one small query), which
    :func:`department_status` fills whenever a batch lands or is withdrawn.
    """
    return query(con, _STATUS_SQL, {"region_code": region_code}).select(OVERVIEW_COLUMNS)


def department_status(con: duckdb.DuckDBPyConnection, assessed: pl.DataFrame) -> pl.DataFrame:
    """Returns :func:`region_overview`'s rows for every region, with ``region_code`` first.

    ``assessed`` holds the assessed latest rows of every region (at least their local
    tiers, with ``region_code``); the derived table ``outcome_department_status`` is this
    frame, refreshed with ``assessed_latest``.
    """
    members = query(con, _DEPARTMENTS_SQL)
    departments = members.select(
        "region_code",
        "outcome_department_id",
        "outcome_department_key",
        "name",
        "outcome",
        "chair",
    ).unique("outcome_department_id")
    local = assessed.filter(pl.col("tier").is_in(list(LOCAL_TIERS))).drop(
        "outcome_department_id", strict=False
    )
    pairs = members.drop_nulls("indicator_id").join(
        local, on=["region_code", "indicator_id"], how="inner"
    )

    def counts(column: str, words: dict[str, str]) -> list[pl.Expr]:
        """Returns one count expression per status word, named by its column."""
        return [(pl.col(column) == word).sum().alias(name) for name, word in words.items()]

    summary = pairs.group_by("outcome_department_id").agg(
        pl.len().alias("assessments"),
        pl.col("indicator_id").n_unique().alias("indicators_with_data"),
        # Ordered as each indicator's latest period is: last to end, the longer on a tie.
        pl.col("period")
        .sort_by(["period_end", "period_start"], descending=[True, False])
        .first()
        .alias("latest_period"),
        *counts("target_status", TARGET_COUNT_COLUMNS),
        *counts("compared_to_england", ENGLAND_COUNT_COLUMNS),
    )
    sizes = members.group_by("outcome_department_id").agg(
        pl.col("indicator_id").drop_nulls().n_unique().alias("indicators")
    )
    count_columns = [
        "indicators_with_data",
        "assessments",
        *TARGET_COUNT_COLUMNS,
        *ENGLAND_COUNT_COLUMNS,
    ]
    return (
        departments.join(sizes, on="outcome_department_id", how="left")
        .join(summary, on="outcome_department_id", how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in ["indicators", *count_columns])
        .select("region_code", *OVERVIEW_COLUMNS)
        .sort("region_code", "outcome_department_key")
    )


_GOALS_SQL = """
SELECT d.outcome_department_id, d.outcome_department_key, d.name AS outcome_department,
       g.goal_id, g.goal, g.indicator_id, coalesce(g.priority, false) AS priority,
       row_number() OVER (
           PARTITION BY d.outcome_department_id, coalesce(g.priority, false) ORDER BY g.goal_id
       ) AS goal_rank
FROM current_outcome_department_goals g
JOIN current_outcome_departments d USING (outcome_department_id)
WHERE d.region_code = $region_code
ORDER BY priority DESC, goal_rank, d.outcome_department_key
LIMIT $limit
"""


def priority_goals(
    con: duckdb.DuckDBPyConnection, region_code: str, limit: int = 5
) -> pl.DataFrame:
    """Returns the region's goals, priority goals first, each with how the region is doing.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region.
    limit : int, default 5
        Most goals returned.

    Returns
    -------
    polars.DataFrame
        Columns ``outcome_department_id``, ``outcome_department``, ``goal_id``, ``goal``,
        ``priority``, ``indicator_id``, ``indicator_name``, ``unit``, ``polarity``,
        ``period``, ``value`` (the region's), ``lower_ci_95``, ``upper_ci_95``,
        ``england_value``, ``target_source``, ``target_period``, ``target_value``,
        ``trajectory_value``, ``target_status``, ``compared_to_england``,
        ``recent_trend``. Value columns are null for a goal whose indicator has no
        regional value yet.

    Notes
    -----
    Priority goals come first, taken in turn from each department (every department's
    first priority goal, then every department's second …) so that a short list still
    spans the outcomes.
    """
    goals = query(con, _GOALS_SQL, {"region_code": region_code, "limit": limit})
    ids = goals["indicator_id"].drop_nulls().unique().to_list()
    regional = (
        assessed_latest(con, region_code, indicator_ids=ids, tiers=("region",))
        if ids
        else empty_assessed()
    ).select(
        "indicator_id",
        "indicator_name",
        "unit",
        "polarity",
        "period",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "england_value",
        "target_source",
        "target_period",
        "target_value",
        "trajectory_value",
        "target_status",
        "compared_to_england",
        "recent_trend",
    )
    return (
        goals.with_row_index("_order")
        .join(regional, on="indicator_id", how="left")
        .sort("_order")
        .drop("_order", "goal_rank", "outcome_department_key")
    )


def _number(column: str) -> pl.Expr:
    """Returns the column as text with one decimal place (what a sentence shows)."""
    return pl.col(column).round(1).cast(pl.String)


def needs_attention(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns the region's red-reds and off-track or missed targets, area by area, with why.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region.

    Returns
    -------
    polars.DataFrame
        One row per (local area, indicator) that is a red-red (worse than England and
        getting worse) or whose target is "Off track" or "Not met". Columns
        ``area_code``, ``area_name``, ``area_type``, ``indicator_id``, ``indicator_name``,
        ``unit``, ``period``, ``value``, ``england_value``, ``target_value``,
        ``trajectory_value``, ``target_status``, ``compared_to_england``, ``recent_trend``,
        ``exception``, ``reason`` (the most serious status word: "Red-red", else the target
        status), ``why`` (a plain-English sentence, more than one when both apply) and
        ``area_issues`` (rows for the same area). Areas with most issues first, red-reds
        first within an area.
    """
    latest = flagged_latest(
        con,
        region_code,
        exceptions=[ExceptionFlag.RED_RED.value],
        target_statuses=[TargetStatus.OFF_TRACK.value, TargetStatus.NOT_MET.value],
        tiers=LOCAL_TIERS,
    )
    red_red = pl.col("exception") == ExceptionFlag.RED_RED
    off_track = pl.col("target_status") == TargetStatus.OFF_TRACK
    not_met = pl.col("target_status") == TargetStatus.NOT_MET
    flagged = latest.filter(red_red | off_track | not_met)
    why_red_red = pl.format(
        "Worse than England ({} against {}) and {}.",
        _number("value"),
        _number("england_value"),
        pl.col("recent_trend").str.to_lowercase(),
    )
    why_off_track = pl.format(
        "Off track against its {} target: {} against a trajectory of {} (target {} by {}).",
        pl.col("target_source"),
        _number("value"),
        _number("trajectory_value"),
        _number("target_value"),
        pl.col("target_period"),
    )
    # A passed target is judged on the value for its own period (issue 13), so say that one.
    why_not_met = pl.format(
        "{} target of {} for {} not met: {} in {}.",
        pl.col("target_source"),
        _number("target_value"),
        pl.col("target_period"),
        pl.coalesce(_number("target_period_value"), _number("value")),
        pl.coalesce("target_judged_period", "period"),
    )
    return (
        flagged.with_columns(
            reason=pl.when(red_red)
            .then(pl.lit(ExceptionFlag.RED_RED.value))
            .otherwise(pl.col("target_status")),
            why=pl.concat_str(
                [
                    pl.when(red_red).then(why_red_red),
                    pl.when(off_track).then(why_off_track).when(not_met).then(why_not_met),
                ],
                separator=" ",
                ignore_nulls=True,
            ),
            area_issues=pl.len().over("area_code").cast(pl.Int64),
        )
        .sort(
            pl.col("area_issues"),
            "area_name",
            red_red,
            indicator_number(),
            descending=[True, False, True, False],
        )
        .select(
            "area_code",
            "area_name",
            "area_type",
            "indicator_id",
            "indicator_name",
            "unit",
            "period",
            "value",
            "england_value",
            "target_value",
            "trajectory_value",
            "target_status",
            "compared_to_england",
            "recent_trend",
            "exception",
            "reason",
            "why",
            "area_issues",
        )
    )


def learn_from(
    con: duckdb.DuckDBPyConnection, region_code: str, neighbours: int = 10
) -> pl.DataFrame:
    """Returns the region's green flags and most-improved areas: where to learn what works.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region.
    neighbours : int, default 10
        Size of each area's statistical-neighbour group.

    Returns
    -------
    polars.DataFrame
        One row per (local area, indicator) that is a green flag (better than England and
        getting better) or improved most over the trend window among its statistical
        neighbours. Columns ``area_code``, ``area_name``, ``indicator_id``,
        ``indicator_name``, ``unit``, ``period``, ``value``, ``england_value``,
        ``compared_to_england``, ``recent_trend``, ``green_flag`` (bool),
        ``most_improved`` (bool), ``improvement`` (change in the better direction over the
        trend window; null unless most improved), ``neighbours_compared`` and ``why``.

    Notes
    -----
    Neighbours are found among all English upper-tier areas (see
    :func:`statistical_neighbours_for`), so an area's group reaches outside the region;
    "change" is the latest value minus the value at the start of the region's 5-period
    trend window, for the area and for each neighbour alike (a neighbour whose own region
    has moved on to a later period, so that its trend window no longer holds the start
    of this one, is not compared: see :func:`window_changes`).
    """
    assessed = assess_region(con, region_code, tiers=LOCAL_TIERS)
    latest = assessed.latest
    if latest.is_empty():
        return _learn_columns(latest.with_columns(improvement=None, neighbours_compared=None))

    windows = (
        assessed.series.group_by("indicator_id")
        .agg(
            pl.col("period").sort_by("period_start").first().alias("first_period"),
            pl.col("period").sort_by("period_start").last().alias("last_period"),
        )
        .filter(pl.col("first_period") != pl.col("last_period"))
    )
    groups = neighbour_table(con, "county", n=neighbours)
    region_areas = latest["area_code"].unique()
    groups = groups.filter(pl.col("area_code").is_in(region_areas.implode()))
    needed = pl.concat([groups["area_code"], groups["neighbour_code"]]).unique().to_list()
    changes = window_changes(con, windows, needed).join(
        latest.select("indicator_id", "polarity").unique("indicator_id"),
        on="indicator_id",
        how="inner",
    )
    improved = most_improved_among_neighbours(changes, groups).filter(
        pl.col("area_code").is_in(region_areas.implode())
    )
    green = pl.col("exception") == ExceptionFlag.GREEN_FLAG
    found = (
        latest.join(improved, on=["indicator_id", "area_code"], how="left")
        .with_columns(
            green_flag=green.fill_null(False),
            most_improved=pl.col("improvement").is_not_null(),
        )
        .filter(pl.col("green_flag") | pl.col("most_improved"))
        .with_columns(
            why=pl.concat_str(
                [
                    pl.when(pl.col("green_flag")).then(
                        pl.format(
                            "Better than England ({} against {}) and {}.",
                            _number("value"),
                            _number("england_value"),
                            pl.col("recent_trend").str.to_lowercase(),
                        )
                    ),
                    pl.when(pl.col("most_improved")).then(
                        pl.format(
                            "Improved most among {} statistical neighbours compared ({} in the "
                            "better direction over the last 5 periods).",
                            pl.col("neighbours_compared"),
                            _number("improvement"),
                        )
                    ),
                ],
                separator=" ",
                ignore_nulls=True,
            )
        )
        .sort("area_name", indicator_number())
    )
    return _learn_columns(found)


def _learn_columns(frame: pl.DataFrame) -> pl.DataFrame:
    columns = {
        "area_code": pl.String,
        "area_name": pl.String,
        "indicator_id": pl.String,
        "indicator_name": pl.String,
        "unit": pl.String,
        "period": pl.String,
        "value": pl.Float64,
        "england_value": pl.Float64,
        "compared_to_england": pl.String,
        "recent_trend": pl.String,
        "green_flag": pl.Boolean,
        "most_improved": pl.Boolean,
        "improvement": pl.Float64,
        "neighbours_compared": pl.Int64,
        "why": pl.String,
    }
    if frame.is_empty():
        return pl.DataFrame(schema=columns)
    return frame.select(pl.col(name).cast(dtype) for name, dtype in columns.items())
