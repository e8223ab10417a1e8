"""Assessment of indicator values against targets and their trajectories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from warehouse.assessments.status import Polarity, TargetStatus, validate_polarity

#: Absolute slack used when comparing floats, so that a value equal to an
#: interpolated trajectory up to rounding counts as "at" the trajectory.
_EPS = 1e-9


def trajectory_value(
    baseline_date: dt.date,
    baseline_value: float,
    target_date: dt.date,
    target_value: float,
    at_date: dt.date,
    milestones: Sequence[tuple[dt.date, float]] | None = None,
) -> float:
    """Return the value the trajectory from baseline to target expects at ``at_date``.

    Parameters
    ----------
    baseline_date, baseline_value : datetime.date, float
        Start of the trajectory.
    target_date, target_value : datetime.date, float
        End of the trajectory; ``target_date`` must be after ``baseline_date``.
    at_date : datetime.date
        Date at which the trajectory is read.
    milestones : sequence of (datetime.date, float), optional
        Interim points; each date must lie strictly between the baseline and
        target dates. Order does not matter.

    Returns
    -------
    float
        Piecewise-linear interpolation (by calendar days) through the
        baseline, the milestones in date order and the target. Before the
        baseline date the baseline value; after the target date the target
        value.

    Raises
    ------
    ValueError
        If ``target_date`` is not after ``baseline_date``, a milestone lies
        outside the open interval between them, or two milestones share a date.
    """
    if target_date <= baseline_date:
        raise ValueError(f"target date {target_date} must be after baseline date {baseline_date}")
    inner = sorted((d, float(v)) for d, v in (milestones or []))
    for d, _ in inner:
        if not baseline_date < d < target_date:
            raise ValueError(
                f"milestone {d} must lie strictly between {baseline_date} and {target_date}"
            )
    dates = [d for d, _ in inner]
    if len(set(dates)) != len(dates):
        raise ValueError("two milestones share a date")
    knots = [(baseline_date, float(baseline_value)), *inner, (target_date, float(target_value))]
    if at_date <= baseline_date:
        return knots[0][1]
    if at_date >= target_date:
        return knots[-1][1]
    for (d0, v0), (d1, v1) in zip(knots, knots[1:], strict=False):
        if d0 <= at_date <= d1:
            fraction = (at_date - d0).days / (d1 - d0).days
            return v0 + fraction * (v1 - v0)
    raise AssertionError("unreachable: at_date lies between baseline and target")


def _linear_trajectory() -> pl.Expr:
    days_total = (pl.col("target_period_end") - pl.col("baseline_period_end")).dt.total_days()
    days_done = (pl.col("period_end") - pl.col("baseline_period_end")).dt.total_days()
    fraction = (days_done.cast(pl.Float64) / days_total.cast(pl.Float64)).clip(0.0, 1.0)
    return pl.col("baseline_value") + fraction * (pl.col("target_value") - pl.col("baseline_value"))


def _milestone_list(items) -> list[tuple[dt.date, float]]:
    return [(m["period_end"], m["value"]) for m in items or [] if m is not None]


def assess_against_target(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with ``trajectory_value`` and ``target_status`` columns added.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per indicator and area with columns ``value`` (latest
        observed value), ``period_end`` (date the latest observation's period
        ends), ``polarity`` ("higher", "lower", "none"),
        ``baseline_period_end``, ``baseline_value``, ``target_period_end``,
        ``target_value``, ``tolerance`` (absolute units; null means 0) and,
        optionally, ``milestones`` (list of struct {period_end: date,
        value: f64}, or null), ``target_period`` (label),
        ``target_period_value`` (the area's value for the target's own
        period, or the nearest period covering its end; without the column,
        ``value`` counts as that only when ``period_end`` equals
        ``target_period_end``) and ``target_judged_period`` (the label of the
        period ``target_period_value`` is for).

    Returns
    -------
    polars.DataFrame
        The input plus ``trajectory_value`` (Float64: the trajectory read at
        ``period_end``; null when there is no target, no baseline or no
        ``period_end``, or a target date not after the baseline date),
        ``target_status`` (String, a :class:`TargetStatus` word or null) and
        ``target_reason`` (String: why a passed target reads as it does;
        null while the target period is still to come).

    Raises
    ------
    ValueError
        For an unknown polarity, or (from :func:`trajectory_value`) invalid
        dates in a row with milestones.

    Notes
    -----
    Rules, in order (first match wins):

    1. ``target_value`` null or ``value`` null -> "No target".
    2. The better direction is up for polarity "higher", down for "lower";
       for "none" (or null) it is the direction from ``baseline_value`` to
       ``target_value``. If that direction cannot be told (polarity none
       and baseline missing or equal to the target) the status is null.
    3. ``period_end >= target_period_end`` (the data reach the target
       period): the target is judged by ``target_period_value``, the value
       for its own period, never by a later one: at or better than
       ``target_value`` -> "Met" (and it stays "Met" whatever follows), worse
       -> "Not met", missing -> "Not assessed" with the reason.
    4. ``value`` at or better than ``target_value`` before the target period
       -> "Met": a target met early is met.
    5. Otherwise compare with the trajectory at ``period_end`` (linear in
       days from baseline to target, or piecewise-linear through the
       milestones): at or better -> "On track"; worse by no more than
       ``tolerance`` -> "Slipping"; worse by more -> "Off track". Without a
       baseline (or without ``period_end``) the trajectory is unknown and
       the status is null.

    Comparisons allow an absolute slack of 1e-9 for floating-point rounding.
    Rows without milestones are computed with Polars expressions; rows with
    milestones use :func:`trajectory_value` row by row.
    """
    validate_polarity(frame["polarity"])
    out = frame.with_row_index("__row").with_columns(
        pl.col(c).cast(pl.Date) for c in ("period_end", "baseline_period_end", "target_period_end")
    )
    out = _with_target_period_value(out)
    has_target = pl.col("target_value").is_not_null()
    has_baseline = (
        pl.col("baseline_value").is_not_null() & pl.col("baseline_period_end").is_not_null()
    )
    can_trace = (
        has_target
        & has_baseline
        & pl.col("period_end").is_not_null()
        & (pl.col("target_period_end") > pl.col("baseline_period_end")).fill_null(False)
    )
    out = out.with_columns(
        pl.when(can_trace).then(_linear_trajectory()).otherwise(None).alias("trajectory_value")
    )

    # An all-null milestones column (dtype Null) has no milestones to use.
    if "milestones" in out.columns and isinstance(out.schema["milestones"], pl.List):
        with_ms = out.filter(
            pl.col("milestones").is_not_null() & (pl.col("milestones").list.len() > 0) & can_trace
        )
        if with_ms.height:
            values = [
                trajectory_value(
                    r["baseline_period_end"],
                    r["baseline_value"],
                    r["target_period_end"],
                    r["target_value"],
                    r["period_end"],
                    _milestone_list(r["milestones"]),
                )
                for r in with_ms.iter_rows(named=True)
            ]
            patch = pl.DataFrame(
                {"__row": with_ms["__row"], "__ms_trajectory": pl.Series(values, dtype=pl.Float64)}
            )
            out = (
                out.join(patch, on="__row", how="left")
                .with_columns(
                    pl.coalesce("__ms_trajectory", "trajectory_value").alias("trajectory_value")
                )
                .drop("__ms_trajectory")
                .sort("__row")
            )

    direction = (
        pl.when(pl.col("polarity") == Polarity.HIGHER)
        .then(1.0)
        .when(pl.col("polarity") == Polarity.LOWER)
        .then(-1.0)
        .otherwise((pl.col("target_value") - pl.col("baseline_value")).sign())
    )
    # Positive shortfall means "worse than"; direction 0 or null is handled below.
    short_of_target = direction * (pl.col("target_value") - pl.col("value"))
    short_on_time = direction * (pl.col("target_value") - pl.col("target_period_value"))
    reached = pl.col("period_end") >= pl.col("target_period_end")
    short_of_trajectory = direction * (pl.col("trajectory_value") - pl.col("value"))
    tolerance = pl.col("tolerance").cast(pl.Float64).fill_null(0.0)

    status = (
        pl.when(pl.col("target_value").is_null() | pl.col("value").is_null())
        .then(pl.lit(TargetStatus.NO_TARGET.value))
        .when(direction.is_null() | (direction == 0.0))
        .then(None)
        .when(reached & pl.col("target_period_value").is_null())
        .then(pl.lit(TargetStatus.NOT_ASSESSED.value))
        .when(reached & (short_on_time <= _EPS))
        .then(pl.lit(TargetStatus.MET.value))
        .when(reached)
        .then(pl.lit(TargetStatus.NOT_MET.value))
        .when(short_of_target <= _EPS)
        .then(pl.lit(TargetStatus.MET.value))
        .when(pl.col("trajectory_value").is_null())
        .then(None)
        .when(short_of_trajectory <= _EPS)
        .then(pl.lit(TargetStatus.ON_TRACK.value))
        .when(short_of_trajectory <= tolerance + _EPS)
        .then(pl.lit(TargetStatus.SLIPPING.value))
        .otherwise(pl.lit(TargetStatus.OFF_TRACK.value))
    )
    out = out.with_columns(status.cast(pl.String).alias("target_status"))
    return out.with_columns(_target_reason()).drop("__row", "__target_label")


def _with_target_period_value(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` with the value for the target's own period and its label filled in."""
    label = pl.col("target_period") if "target_period" in frame.columns else pl.lit(None)
    out = frame.with_columns(__target_label=label.cast(pl.String))
    if "target_period_value" not in out.columns:
        own = pl.col("period_end") == pl.col("target_period_end")
        out = out.with_columns(
            target_period_value=pl.when(own).then(pl.col("value")),
            target_judged_period=pl.when(own).then(
                pl.col("period") if "period" in out.columns else pl.col("__target_label")
            ),
        )
    elif "target_judged_period" not in out.columns:
        out = out.with_columns(
            target_judged_period=pl.when(pl.col("target_period_value").is_not_null()).then(
                pl.col("__target_label")
            )
        )
    return out.with_columns(
        pl.col("target_period_value").cast(pl.Float64),
        pl.col("target_judged_period").cast(pl.String),
    )


def _target_reason() -> pl.Expr:
    """Returns the sentence saying which value a passed target was judged on (or why not)."""
    label = pl.coalesce(pl.col("__target_label"), pl.lit("its target period"))
    status = pl.col("target_status")
    return (
        pl.when(status == TargetStatus.NOT_ASSESSED)
        .then(
            pl.format(
                "No value for {}, the target's own period: a later value cannot show "
                "whether the target was met on time.",
                label,
            )
        )
        .when(
            status.is_in([TargetStatus.MET.value, TargetStatus.NOT_MET.value])
            & (pl.col("period_end") >= pl.col("target_period_end"))
        )
        .then(pl.format("Judged on the value for {}.", pl.col("target_judged_period")))
        .otherwise(None)
        .cast(pl.String)
        .alias("target_reason")
    )
