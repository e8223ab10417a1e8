"""The rules that rank "Needs attention" and "Learn from" into short lists.

Both rules are pure functions over frames, so they can be tested on hand-made rows.

Needs attention, most important first:

1. rows whose indicator is one of the region's priority goals;
2. then red-reds (worse than England and getting worse);
3. then the distance from the target's trajectory (or from the target, once it is due) in
   standard errors, in the bad direction, largest first;
4. then the distance from England in standard errors, in the bad direction, largest first;
5. then area name and indicator number, so that equal rows always come in one order.

Learn from, most useful first: priority goals, then green flags (better than England and
improving), then the most improved among statistical neighbours, then the distance from
England in standard errors in the good direction, largest first; then area and indicator.

A standard error is read from the 95% confidence interval: (upper − lower) / (2 × 1.96).
Rows without an interval have no distance and come after those with one at the same step.
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from warehouse.analytics.latest import indicator_number
from warehouse.assessments import ExceptionFlag, Polarity

#: z of a two-sided 95% interval: the interval is value ± Z95 standard errors.
Z95 = 1.959964

#: How many rows a short list shows.
SHORT_LIST = 10

NEEDS_ATTENTION_RULE = (
    "Ranked by a fixed rule: priority goals first, then red-reds (worse than England and "
    "getting worse), then how far each value is behind its target's trajectory in standard "
    "errors, then how far it is worse than England in standard errors."
)
LEARN_FROM_RULE = (
    "Ranked by a fixed rule: priority goals first, then green flags (better than England and "
    "improving), then the most improved among statistical neighbours, then how far each "
    "value is better than England in standard errors."
)


def standard_error() -> pl.Expr:
    """Returns the standard error read from the 95% interval (null without one)."""
    width = pl.col("upper_ci_95") - pl.col("lower_ci_95")
    return pl.when(width > 0).then(width / (2 * Z95)).otherwise(None)


def shortfall_in_standard_errors(reference: pl.Expr) -> pl.Expr:
    """Returns how far the value is on the bad side of ``reference``, in standard errors.

    Positive when worse than the reference (below it when higher is better, above it when
    lower is better); for an indicator with no polarity, the distance either way.
    """
    gap = pl.col("value") - reference
    signed = (
        pl.when(pl.col("polarity") == Polarity.HIGHER)
        .then(-gap)
        .when(pl.col("polarity") == Polarity.LOWER)
        .then(gap)
        .otherwise(gap.abs())
    )
    return signed / standard_error()


def rank_needs_attention(
    frame: pl.DataFrame, priority_indicators: Collection[str], limit: int | None = None
) -> pl.DataFrame:
    """Returns the rows ranked by the Needs attention rule, with ``rank`` first.

    Parameters
    ----------
    frame : polars.DataFrame
        Rows of :func:`warehouse.analytics.needs_attention` (at least ``area_name``,
        ``indicator_id``, ``value``, ``lower_ci_95``, ``upper_ci_95``, ``polarity``,
        ``england_value``, ``trajectory_value``, ``target_value`` and ``exception``).
    priority_indicators : collection of str
        Indicator ids of the region's priority goals.
    limit : int, optional
        Most rows returned (all by default).

    Returns
    -------
    polars.DataFrame
        The rows with ``rank`` (1 = most important), ``priority_goal``, ``red_red``,
        ``target_gap_se`` and ``england_gap_se`` added, in rank order.
    """
    target = pl.coalesce("trajectory_value", "target_value")
    ranked = frame.with_columns(
        priority_goal=pl.col("indicator_id").is_in(list(priority_indicators)),
        red_red=(pl.col("exception") == ExceptionFlag.RED_RED).fill_null(False),
        target_gap_se=shortfall_in_standard_errors(target),
        england_gap_se=shortfall_in_standard_errors(pl.col("england_value")),
    ).sort(
        [
            *map(pl.col, ["priority_goal", "red_red", "target_gap_se", "england_gap_se"]),
            pl.col("area_name"),
            indicator_number(),
        ],
        descending=[True, True, True, True, False, False],
        nulls_last=True,
    )
    ranked = ranked.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    return ranked if limit is None else ranked.head(limit)


def rank_learn_from(
    frame: pl.DataFrame, priority_indicators: Collection[str], limit: int | None = None
) -> pl.DataFrame:
    """Returns the rows ranked by the Learn from rule, with ``rank`` first.

    ``frame`` holds rows of :func:`warehouse.analytics.learn_from` (``green_flag``,
    ``most_improved``, ``value``, the 95% interval, ``polarity``, ``england_value`` …).
    Adds ``rank``, ``priority_goal`` and ``england_lead_se`` (how far better than England,
    in standard errors).
    """
    ranked = frame.with_columns(
        priority_goal=pl.col("indicator_id").is_in(list(priority_indicators)),
        green_flag=pl.col("green_flag").fill_null(False),
        most_improved=pl.col("most_improved").fill_null(False),
        england_lead_se=-shortfall_in_standard_errors(pl.col("england_value")),
    ).sort(
        [
            *map(pl.col, ["priority_goal", "green_flag", "most_improved", "england_lead_se"]),
            pl.col("area_name"),
            indicator_number(),
        ],
        descending=[True, True, True, True, False, False],
        nulls_last=True,
    )
    ranked = ranked.with_row_index("rank", offset=1).with_columns(pl.col("rank").cast(pl.Int64))
    return ranked if limit is None else ranked.head(limit)
