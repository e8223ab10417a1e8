"""Exception reporting: areas that stand out for better or worse."""

from __future__ import annotations

import polars as pl

from warehouse.assessments.status import Comparison, ExceptionFlag, Polarity, validate_polarity

KEYS = ["indicator_id", "area_code"]


def flag_exceptions(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with an ``exception`` column flagging "Red-red" and "Green flag" rows.

    Parameters
    ----------
    frame : polars.DataFrame
        Columns ``compared_to_england`` (a :class:`Comparison` word) and
        ``recent_trend`` (a :class:`Trend` word).

    Returns
    -------
    polars.DataFrame
        The input plus ``exception`` (String): "Red-red" when the area is
        "Worse" than England and its recent trend ends with "getting worse";
        "Green flag" when it is "Better" and the trend ends with "getting
        better"; null otherwise (including when either input is null).
    """
    compared = pl.col("compared_to_england")
    trend = pl.col("recent_trend")
    flag = (
        pl.when((compared == Comparison.WORSE) & trend.str.ends_with("getting worse"))
        .then(pl.lit(ExceptionFlag.RED_RED.value))
        .when((compared == Comparison.BETTER) & trend.str.ends_with("getting better"))
        .then(pl.lit(ExceptionFlag.GREEN_FLAG.value))
        .otherwise(None)
    )
    return frame.with_columns(flag.cast(pl.String).alias("exception"))


def most_improved_among_neighbours(changes: pl.DataFrame, neighbours: pl.DataFrame) -> pl.DataFrame:
    """Return the (indicator_id, area_code) pairs that improved most within their neighbour group.

    Parameters
    ----------
    changes : polars.DataFrame
        Columns ``indicator_id``, ``area_code``, ``change`` (latest minus
        earliest value over the trend window) and ``polarity``.
    neighbours : polars.DataFrame
        Columns ``area_code`` and ``neighbour_code`` (e.g. from
        :func:`warehouse.assessments.neighbours.statistical_neighbours`).

    Returns
    -------
    polars.DataFrame
        Columns ``indicator_id``, ``area_code``, ``improvement`` (Float64)
        and ``neighbours_compared`` (Int64), sorted by the keys.

    Notes
    -----
    * Improvement is ``change`` for polarity "higher" and ``-change`` for
      "lower". Polarity "none" (or null) has no better direction, and a null
      change has no size: such rows are never selected and never compete.
    * An area's group is the area itself plus its own listed neighbours.
      The area is selected for an indicator when its improvement is
      positive and at least as large as that of every neighbour with a
      change for the same indicator (ties at the top are all selected),
      and at least one neighbour could be compared.
    """
    validate_polarity(changes["polarity"])
    improvement = (
        pl.when(pl.col("polarity") == Polarity.HIGHER)
        .then(pl.col("change").cast(pl.Float64))
        .when(pl.col("polarity") == Polarity.LOWER)
        .then(-pl.col("change").cast(pl.Float64))
        .otherwise(None)
        .fill_nan(None)
    )
    scored = changes.select(*KEYS, improvement.alias("improvement")).filter(
        pl.col("improvement").is_not_null()
    )
    best_neighbour = (
        neighbours.select("area_code", "neighbour_code")
        .filter(pl.col("area_code") != pl.col("neighbour_code"))
        .unique()
        .join(
            scored.rename({"area_code": "neighbour_code", "improvement": "neighbour_improvement"}),
            on="neighbour_code",
            how="inner",
        )
        .group_by(KEYS)
        .agg(
            pl.col("neighbour_improvement").max().alias("best_neighbour"),
            pl.len().cast(pl.Int64).alias("neighbours_compared"),
        )
    )
    return (
        scored.join(best_neighbour, on=KEYS, how="inner")
        .filter((pl.col("improvement") > 0) & (pl.col("improvement") >= pl.col("best_neighbour")))
        .select(*KEYS, "improvement", "neighbours_compared")
        .sort(KEYS)
    )
