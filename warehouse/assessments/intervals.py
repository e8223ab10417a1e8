"""Confidence intervals for indicators where only the count and denominator are known.

Proportions use the Wilson score interval, rates use Byar's approximation
(count >= 10) or the exact Poisson interval (count < 10), as in the
Public Health England / OHID "Technical Guide: Confidence Intervals".
Directly standardised rates use Dobson's method where the age bands are known
and otherwise the value scaled by Byar's bounds of the count (PHEindicatormethods
``phe_dsr`` / ``calculate_dsr``); indirectly standardised ratios likewise scale
the ratio by the bounds of the observed count.
"""

from __future__ import annotations

import enum

import numpy as np
import polars as pl
from scipy import stats

#: Normal quantiles used by the published 95% and 99.8% intervals.
Z_95 = 1.959964
Z_99_8 = 3.090232

#: Counts below this use the exact Poisson interval instead of Byar's approximation.
BYAR_MIN_COUNT = 10

_LEVELS = (("95", 0.95), ("99_8", 0.998))

#: Value types whose interval is the value scaled by the bounds of its count.
STANDARDISED_RATE = "directly standardised rate"
STANDARDISED_RATIO = "indirectly standardised ratio"


class IntervalMethod(enum.StrEnum):
    """How a row's confidence interval was obtained (shown beside it as ``ci_method``)."""

    PUBLISHED = "Published with the data"
    WILSON = "Wilson score"
    BYAR = "Byar"
    EXACT_POISSON = "Exact Poisson"
    DOBSON = "Dobson (from age bands)"
    SCALED_BYAR = "Byar bounds of the count, scaled to the standardised value"
    SCALED_EXACT = "Exact Poisson bounds of the count, scaled to the standardised value"


def _z(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    return float(stats.norm.ppf(1.0 - (1.0 - confidence) / 2.0))


def _as_float_array(x) -> np.ndarray:
    if isinstance(x, pl.Series):
        return x.cast(pl.Float64).to_numpy()
    return np.asarray(x, dtype=float)


def _shape_result(lower: np.ndarray, upper: np.ndarray, scalar: bool):
    if scalar:
        return float(lower), float(upper)
    return lower, upper


def wilson_interval(count, denominator, confidence: float = 0.95, multiplier: float = 100.0):
    """Return the (lower, upper) Wilson score interval for a proportion, times ``multiplier``.

    Parameters
    ----------
    count : float or array-like or polars.Series
        Numerator (number of people with the outcome).
    denominator : float or array-like or polars.Series
        Number of people at risk.
    confidence : float, default 0.95
        Two-sided confidence level.
    multiplier : float, default 100.0
        Scale of the published value (100 for a percentage).

    Returns
    -------
    tuple
        ``(lower, upper)``: floats for scalar inputs, NumPy arrays otherwise.
        NaN where the interval is undefined: missing count or denominator,
        denominator <= 0, count < 0 or count > denominator.

    Notes
    -----
    With p = O/n and z the normal quantile::

        limits = (2np + z² ± z·sqrt(z² + 4np(1 - p))) / (2(n + z²))

    The interval stays inside [0, 1]: for O = 0 the lower limit is exactly 0
    and for O = n the upper limit is exactly 1.
    """
    scalar = np.ndim(count) == 0 and np.ndim(denominator) == 0
    o = _as_float_array(count)
    n = _as_float_array(denominator)
    z = _z(confidence)
    valid = np.isfinite(o) & np.isfinite(n) & (n > 0) & (o >= 0) & (o <= n)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = o / n
        root = z * np.sqrt(z * z + 4.0 * n * p * (1.0 - p))
        lower = (2.0 * n * p + z * z - root) / (2.0 * (n + z * z))
        upper = (2.0 * n * p + z * z + root) / (2.0 * (n + z * z))
    lower = np.where(o == 0, 0.0, lower)
    upper = np.where(o == n, 1.0, upper)
    lower = np.where(valid, lower * multiplier, np.nan)
    upper = np.where(valid, upper * multiplier, np.nan)
    return _shape_result(lower, upper, scalar)


def byar_interval(count, denominator, confidence: float = 0.95, multiplier: float = 100000.0):
    """Return the (lower, upper) confidence interval for a rate, times ``multiplier``.

    Parameters
    ----------
    count : float or array-like or polars.Series
        Number of events O.
    denominator : float or array-like or polars.Series
        Person-years or population at risk.
    confidence : float, default 0.95
        Two-sided confidence level.
    multiplier : float, default 100000.0
        Rate scale (per 100,000 by default).

    Returns
    -------
    tuple
        ``(lower, upper)``: floats for scalar inputs, NumPy arrays otherwise.
        NaN where undefined: missing count or denominator, denominator <= 0,
        count < 0.

    Notes
    -----
    For O >= 10, Byar's approximation with z the normal quantile::

        lower = O (1 - 1/(9O) - z/(3 sqrt(O)))³
        upper = (O + 1) (1 - 1/(9(O + 1)) + z/(3 sqrt(O + 1)))³

    For O < 10 the exact Poisson limits from chi-square quantiles, with
    alpha = 1 - confidence::

        lower = chi2.ppf(alpha/2, 2O) / 2        (0 when O = 0)
        upper = chi2.ppf(1 - alpha/2, 2O + 2) / 2

    Both are then divided by the denominator and multiplied by ``multiplier``.
    """
    scalar = np.ndim(count) == 0 and np.ndim(denominator) == 0
    o = _as_float_array(count)
    n = _as_float_array(denominator)
    z = _z(confidence)
    alpha = 1.0 - confidence
    valid = np.isfinite(o) & np.isfinite(n) & (n > 0) & (o >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        byar_lower = o * (1.0 - 1.0 / (9.0 * o) - z / (3.0 * np.sqrt(o))) ** 3
        byar_upper = (o + 1.0) * (1.0 - 1.0 / (9.0 * (o + 1.0)) + z / (3.0 * np.sqrt(o + 1.0))) ** 3
        exact_lower = np.where(o > 0, stats.chi2.ppf(alpha / 2.0, 2.0 * o) / 2.0, 0.0)
        exact_upper = stats.chi2.ppf(1.0 - alpha / 2.0, 2.0 * o + 2.0) / 2.0
        use_byar = o >= BYAR_MIN_COUNT
        lower = np.where(use_byar, byar_lower, exact_lower) / n * multiplier
        upper = np.where(use_byar, byar_upper, exact_upper) / n * multiplier
    lower = np.where(valid, lower, np.nan)
    upper = np.where(valid, upper, np.nan)
    return _shape_result(lower, upper, scalar)


def _count_bounds(count, confidence: float):
    """Returns Byar's (exact Poisson below 10) bounds of an event count, as counts."""
    return byar_interval(count, np.ones_like(_as_float_array(count)), confidence, multiplier=1.0)


def scaled_count_interval(value, count, confidence: float = 0.95):
    """Return (lower, upper): a standardised value scaled by the Byar bounds of its count.

    Parameters
    ----------
    value : float or array-like or polars.Series
        The published directly standardised rate (or indirectly standardised ratio).
    count : float or array-like or polars.Series
        Total observed events behind it.
    confidence : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    tuple
        ``(value × O_lower / O, value × O_upper / O)`` with ``O_lower, O_upper`` the
        bounds of :func:`byar_interval` for the count (exact Poisson below 10): floats
        for scalar inputs, NumPy arrays otherwise; NaN where the value or count is
        missing or the count is not positive.

    Notes
    -----
    The approximation PHEindicatormethods uses where the age bands are unknown (and
    its method for indirectly standardised ratios): the interval keeps the value's
    scale, so it always contains the value, unlike a crude interval around
    count / denominator.
    """
    scalar = np.ndim(value) == 0 and np.ndim(count) == 0
    v = _as_float_array(value)
    o = _as_float_array(count)
    lo, hi = _count_bounds(o, confidence)
    valid = np.isfinite(v) & np.isfinite(o) & (o > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = np.where(valid, v * lo / o, np.nan)
        upper = np.where(valid, v * hi / o, np.nan)
    return _shape_result(lower, upper, scalar)


def dobson_rates(frame: pl.DataFrame, by: list[str], multiplier: float = 100000.0) -> pl.DataFrame:
    """Return one directly standardised rate per group, with Dobson's 95% and 99.8% limits.

    Parameters
    ----------
    frame : polars.DataFrame
        One row per age band of each group: the ``by`` columns, ``count`` (events),
        ``population`` (at risk) and ``standard_population`` (e.g. the European
        Standard Population's weight for the band).
    by : list of str
        The group columns (e.g. indicator, area and period).
    multiplier : float, default 100000.0
        Rate scale.

    Returns
    -------
    polars.DataFrame
        The ``by`` columns, ``value``, ``count`` (total events), ``lower_ci_95``,
        ``upper_ci_95``, ``lower_ci_99_8``, ``upper_ci_99_8`` and ``ci_method``
        ("Dobson (from age bands)"), sorted by ``by``. Limits are null for a group
        with no events.

    Notes
    -----
    With band weights ``w = standard_population / sum(standard_population)``::

        DSR = sum(w x / n)        var(DSR) = sum(w² x / n²)        O = sum(x)
        limits = DSR + sqrt(var(DSR) / O) (O_bound - O)

    where ``O_bound`` are Byar's bounds of O (exact Poisson below 10); all times the
    multiplier (Dobson et al. 1991, as in PHEindicatormethods ``phe_dsr``).
    """
    std = pl.col("standard_population").cast(pl.Float64)
    x = pl.col("count").cast(pl.Float64)
    n = pl.col("population").cast(pl.Float64)
    groups = (
        frame.group_by(by)
        .agg(
            ((std * x / n).sum() / std.sum()).alias("__dsr"),
            ((std**2 * x / n**2).sum() / std.sum() ** 2).alias("__var"),
            x.sum().alias("count"),
        )
        .sort(by)
    )
    o = groups["count"].to_numpy()
    dsr = groups["__dsr"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.sqrt(groups["__var"].to_numpy() / o)
    columns = {}
    for suffix, confidence in _LEVELS:
        lo, hi = _count_bounds(o, confidence)
        keep = o > 0
        columns[f"lower_ci_{suffix}"] = np.where(keep, (dsr + spread * (lo - o)), np.nan)
        columns[f"upper_ci_{suffix}"] = np.where(keep, (dsr + spread * (hi - o)), np.nan)
    return groups.select(
        *by,
        (pl.col("__dsr") * multiplier).alias("value"),
        "count",
        *(
            (pl.Series(name, values * multiplier, dtype=pl.Float64).fill_nan(None))
            for name, values in columns.items()
        ),
        pl.lit(IntervalMethod.DOBSON.value).alias("ci_method"),
    )


def fill_missing_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with missing 95% and 99.8% intervals computed from count and denominator.

    Parameters
    ----------
    frame : polars.DataFrame
        Columns ``value``, ``lower_ci_95``, ``upper_ci_95``, ``lower_ci_99_8``,
        ``upper_ci_99_8``, ``count``, ``denominator``, ``value_type`` and
        ``multiplier``.

    Returns
    -------
    polars.DataFrame
        The same rows and columns (CI columns as Float64) plus a Boolean
        column ``ci_computed`` and ``ci_method`` (an :class:`IntervalMethod`
        word: the method of the computed interval, "Published with the data"
        for a row whose 95% interval was uploaded, null for a row with none).

    Notes
    -----
    Rules, applied to each level (95% with z = 1.959964, 99.8% with
    z = 3.090232) separately:

    * a pair is filled only when *both* its bounds are null; a published
      bound is never overwritten (a half-published pair is left as it is);
    * it is filled only when ``count``, ``denominator`` and ``multiplier``
      are present, ``denominator > 0`` and ``value_type`` is "proportion"
      (Wilson, count must not exceed denominator) or "rate" (Byar / exact
      Poisson), compared case-insensitively; for "directly standardised
      rate" and "indirectly standardised ratio" only ``value`` and ``count``
      are needed: the value scaled by the bounds of its count
      (:func:`scaled_count_interval`), never a crude interval around
      count / denominator; other value types are left null;
    * ``ci_computed`` is True when at least one pair of the row was filled.
    """
    o = frame["count"].cast(pl.Float64).to_numpy()
    n = frame["denominator"].cast(pl.Float64).to_numpy()
    v = frame["value"].cast(pl.Float64).to_numpy()
    mult = frame["multiplier"].cast(pl.Float64).to_numpy()
    kind = frame["value_type"].cast(pl.String).str.to_lowercase().to_numpy()
    is_prop = kind == "proportion"
    is_rate = kind == "rate"
    is_std = (kind == STANDARDISED_RATE) | (kind == STANDARDISED_RATIO)
    published = frame["lower_ci_95"].is_not_null() & frame["upper_ci_95"].is_not_null()

    out = frame
    computed_any = pl.lit(False)
    for suffix, confidence in _LEVELS:
        w_lo, w_hi = wilson_interval(o, n, confidence, multiplier=1.0)
        b_lo, b_hi = byar_interval(o, n, confidence, multiplier=1.0)
        s_lo, s_hi = scaled_count_interval(v, o, confidence)
        lo = np.where(is_prop, w_lo * mult, np.where(is_rate, b_lo * mult, np.nan))
        hi = np.where(is_prop, w_hi * mult, np.where(is_rate, b_hi * mult, np.nan))
        lo, hi = np.where(is_std, s_lo, lo), np.where(is_std, s_hi, hi)
        lo_col, hi_col = f"lower_ci_{suffix}", f"upper_ci_{suffix}"
        new_lo = f"__computed_lower_{suffix}"
        new_hi = f"__computed_upper_{suffix}"
        flag = f"__computed_{suffix}"
        out = out.with_columns(
            pl.Series(new_lo, lo, dtype=pl.Float64).fill_nan(None),
            pl.Series(new_hi, hi, dtype=pl.Float64).fill_nan(None),
        ).with_columns(
            (
                pl.col(lo_col).is_null()
                & pl.col(hi_col).is_null()
                & pl.col(new_lo).is_not_null()
                & pl.col(new_hi).is_not_null()
            ).alias(flag)
        )
        out = out.with_columns(
            pl.when(pl.col(flag))
            .then(pl.col(new_lo))
            .otherwise(pl.col(lo_col).cast(pl.Float64))
            .alias(lo_col),
            pl.when(pl.col(flag))
            .then(pl.col(new_hi))
            .otherwise(pl.col(hi_col).cast(pl.Float64))
            .alias(hi_col),
        )
        computed_any = computed_any | pl.col(flag)
    flags = [f"__computed_{s}" for s, _ in _LEVELS]
    temp = flags + [f"__computed_{b}_{s}" for s, _ in _LEVELS for b in ("lower", "upper")]
    exact = o < BYAR_MIN_COUNT
    method = np.select(
        [is_prop, is_rate & exact, is_rate, is_std & exact, is_std],
        [
            IntervalMethod.WILSON.value,
            IntervalMethod.EXACT_POISSON.value,
            IntervalMethod.BYAR.value,
            IntervalMethod.SCALED_EXACT.value,
            IntervalMethod.SCALED_BYAR.value,
        ],
        default="",
    )
    return (
        out.with_columns(
            computed_any.alias("ci_computed"),
            pl.Series("__method", method, dtype=pl.String),
            published.alias("__published"),
        )
        .with_columns(
            pl.when(pl.col("ci_computed"))
            .then(pl.col("__method"))
            .when(pl.col("__published"))
            .then(pl.lit(IntervalMethod.PUBLISHED.value))
            .otherwise(None)
            .alias("ci_method")
        )
        .drop(*temp, "__method", "__published")
    )
