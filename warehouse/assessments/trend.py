"""Recent trend of each indicator in each area, by weighted regression on the latest points."""

from __future__ import annotations

import polars as pl

from warehouse.assessments.intervals import Z_95
from warehouse.assessments.status import Polarity, Trend, validate_polarity

#: The 99.8% point of chi-square with one degree of freedom (3.090232²): the Fingertips
#: trend marker calls the weighted fit's slope significant when its chi-square,
#: (slope / se(slope))², exceeds this.
CHI_SQUARE_99_8 = 9.5495

#: Frequencies whose series are not trended (Fingertips trends annual periods only,
#: because seasonality fakes trends in quarterly and rolling quarterly data).
UNTRENDED_FREQUENCIES: frozenset[str] = frozenset({"financial_quarter", "calendar_quarter"})

KEYS = ["indicator_id", "area_code"]

_FLAT_Z = 1e-9


def _word(member: Trend) -> pl.Expr:
    return pl.lit(member.value)


def recent_trend(frame: pl.DataFrame, points: int = 5) -> pl.DataFrame:
    """Return one row per (indicator_id, area_code) with its recent trend, slope and point count.

    Parameters
    ----------
    frame : polars.DataFrame
        Long frame with ``indicator_id``, ``area_code``, ``period_start``
        (used only for ordering), ``value``, ``lower_ci_95``,
        ``upper_ci_95``, ``polarity`` and, optionally, ``frequency``.
    points : int, default 5
        Number of most recent periods the trend uses (at least 3).

    Returns
    -------
    polars.DataFrame
        Columns ``indicator_id``, ``area_code``, ``recent_trend`` (a
        :class:`Trend` word), ``trend_slope`` (Float64, change in value per
        period; null when the trend cannot be calculated) and
        ``trend_points`` (Int64, usable points in the window), sorted by
        the keys.

    Raises
    ------
    ValueError
        If ``points`` < 3 or a polarity is unknown.

    Notes
    -----
    For each group:

    1. Rows are ordered by ``period_start`` (rows without one are dropped)
       and the last ``points`` rows form the window.
    2. A point is usable when it has a value and both 95% bounds and its
       standard error ``SE = (upper_ci_95 - lower_ci_95) / (2 * 1.959964)``
       is positive. If fewer than ``points`` points of the window are usable
       (a short series, a gap, a missing CI, or a zero SE) the trend is
       "Cannot be calculated".
    3. Weighted least squares of value on the time index t = 0..n-1 (oldest
       to newest) with weights w = 1/SE²:
       ``slope = sum(w (t - tbar)(y - ybar)) / sum(w (t - tbar)²)`` with
       weighted means tbar and ybar, ``se(slope) = sqrt(1 / sum(w (t - tbar)²))``
       and ``z = slope / se(slope)``.
    4. The Fingertips trend marker: the change is significant when the
       chi-square of the fit, ``z²``, exceeds 9.5495 (chi-square, 1 degree of
       freedom, 99.8%) and, for robustness, when each point in turn is left
       out (keeping the others at their time index) the slope keeps the same
       sign (a left-out slope of zero does not). The left-out fits need not
       be significant themselves.
    5. A significant increase is "Increasing and getting better" for
       polarity "higher", "Increasing and getting worse" for "lower" and
       "Increasing" for "none" (or null); a decrease likewise. Otherwise
       "No significant change".
    6. A series whose latest point is quarterly (``frequency``
       "financial_quarter" or "calendar_quarter") is not trended: "Cannot be
       calculated: quarterly data", with a null slope.

    The computation is vectorised: weighted sums per group, and each
    leave-one-out fit as the group sums minus that point's terms.
    """
    if points < 3:
        raise ValueError(f"points must be at least 3, got {points}")
    validate_polarity(frame["polarity"])

    def number(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Float64).fill_nan(None)

    window = (
        frame.select(
            *KEYS,
            "period_start",
            number("value").alias("y"),
            number("lower_ci_95").alias("lo"),
            number("upper_ci_95").alias("hi"),
            pl.col("polarity").cast(pl.String),
            (
                pl.col("frequency").cast(pl.String)
                if "frequency" in frame.columns
                else pl.lit(None, pl.String)
            ).alias("frequency"),
        )
        .filter(pl.col("period_start").is_not_null())
        .sort([*KEYS, "period_start"])
        .with_columns(
            (pl.len() - 1 - pl.int_range(pl.len())).over(KEYS).alias("age"),
        )
        .filter(pl.col("age") < points)
        .with_columns(
            (points - 1 - pl.col("age")).cast(pl.Float64).alias("t"),
            ((pl.col("hi") - pl.col("lo")) / (2.0 * Z_95)).alias("se"),
        )
        .with_columns(
            (pl.col("y").is_not_null() & (pl.col("se") > 0.0)).fill_null(False).alias("usable"),
        )
        .with_columns(
            pl.when(pl.col("usable")).then(1.0 / pl.col("se") ** 2).otherwise(0.0).alias("w"),
            pl.col("y").fill_null(0.0),
        )
        .with_columns(
            (pl.col("w") * pl.col("t")).alias("wt"),
            (pl.col("w") * pl.col("t") ** 2).alias("wtt"),
            (pl.col("w") * pl.col("y")).alias("wy"),
            (pl.col("w") * pl.col("t") * pl.col("y")).alias("wty"),
        )
    )
    sums = ["w", "wt", "wtt", "wy", "wty"]
    window = window.with_columns(
        *(pl.col(c).sum().over(KEYS).alias(f"s_{c}") for c in sums),
        pl.col("usable").sum().over(KEYS).alias("trend_points"),
    )

    def z_score(sw, swt, swtt, swy, swty) -> pl.Expr:
        # z = slope / se(slope) = (Sw Swty - Swt Swy) / sqrt(Sw (Sw Swtt - Swt^2))
        return (sw * swty - swt * swy) / (sw * (sw * swtt - swt**2)).sqrt()

    full = [pl.col(f"s_{c}") for c in sums]
    left_out = [pl.col(f"s_{c}") - pl.col(c) for c in sums]
    window = window.with_columns(
        # NaN (0/0 in groups without enough usable points) would compare as largest.
        z_score(*full).fill_nan(None).alias("z"),
        z_score(*left_out).fill_nan(None).alias("z_loo"),
        (
            (pl.col("s_w") * pl.col("s_wty") - pl.col("s_wt") * pl.col("s_wy"))
            / (pl.col("s_w") * pl.col("s_wtt") - pl.col("s_wt") ** 2)
        ).alias("slope"),
    )

    summary = window.group_by(KEYS).agg(
        pl.col("trend_points").first().cast(pl.Int64),
        pl.col("slope").first(),
        pl.col("z").first(),
        # z is scale-free, so a left-out z within 1e-9 of zero is a flat fit up to rounding
        # (the left-out sums are group sums minus one point's terms).
        (pl.col("z_loo") * pl.col("z").sign() > _FLAT_Z).fill_null(False).all().alias("robust"),
        pl.col("polarity").last(),
        pl.col("frequency")
        .last()
        .is_in(list(UNTRENDED_FREQUENCIES))
        .fill_null(False)
        .alias("quarterly"),
    )

    calculable = (pl.col("trend_points") >= points) & ~pl.col("quarterly")
    significant = (pl.col("z") ** 2 > CHI_SQUARE_99_8) & pl.col("robust")
    increasing = pl.col("z") > 0
    polarity = pl.col("polarity")
    up = (
        pl.when(polarity == Polarity.HIGHER)
        .then(_word(Trend.INCREASING_BETTER))
        .when(polarity == Polarity.LOWER)
        .then(_word(Trend.INCREASING_WORSE))
        .otherwise(_word(Trend.INCREASING))
    )
    down = (
        pl.when(polarity == Polarity.HIGHER)
        .then(_word(Trend.DECREASING_WORSE))
        .when(polarity == Polarity.LOWER)
        .then(_word(Trend.DECREASING_BETTER))
        .otherwise(_word(Trend.DECREASING))
    )
    status = (
        pl.when(pl.col("quarterly"))
        .then(_word(Trend.CANNOT_BE_CALCULATED_QUARTERLY))
        .when(~calculable)
        .then(_word(Trend.CANNOT_BE_CALCULATED))
        .when(significant & increasing)
        .then(up)
        .when(significant)
        .then(down)
        .otherwise(_word(Trend.NO_SIGNIFICANT_CHANGE))
    )
    return (
        summary.with_columns(
            status.cast(pl.String).alias("recent_trend"),
            pl.when(calculable).then(pl.col("slope")).otherwise(None).alias("trend_slope"),
        )
        .select(*KEYS, "recent_trend", "trend_slope", "trend_points")
        .sort(KEYS)
    )
