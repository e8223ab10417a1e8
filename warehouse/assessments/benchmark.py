"""Comparison of an area's value with a benchmark (e.g. England) by confidence interval."""

from __future__ import annotations

import polars as pl

from warehouse.assessments.status import Comparison, Polarity, validate_polarity

_CI_COLUMNS = {
    0.95: ("lower_ci_95", "upper_ci_95"),
    0.998: ("lower_ci_99_8", "upper_ci_99_8"),
}


def compare_with_benchmark(
    frame: pl.DataFrame, confidence: float = 0.95, column: str = "comparison"
) -> pl.DataFrame:
    """Return ``frame`` with a column of :class:`Comparison` words against the benchmark.

    Parameters
    ----------
    frame : polars.DataFrame
        Columns ``value``, ``lower_ci_95``, ``upper_ci_95``,
        ``lower_ci_99_8``, ``upper_ci_99_8``, ``benchmark_value`` and
        ``polarity`` ("higher", "lower", "none" or null).
    confidence : float, default 0.95
        Which interval to use: 0.95 or 0.998.
    column : str, default "comparison"
        Name of the added column.

    Returns
    -------
    polars.DataFrame
        The input plus ``column`` (String).

    Raises
    ------
    ValueError
        If ``confidence`` is not 0.95 or 0.998, or a polarity is unknown.

    Notes
    -----
    The Fingertips method, using the area's interval at the chosen level:

    * lower bound > benchmark (interval wholly above) -> significantly higher;
    * upper bound < benchmark (wholly below) -> significantly lower;
    * otherwise (the interval contains or touches the benchmark) -> "Similar".

    Higher/lower become "Better"/"Worse" for polarity "higher", the reverse
    for "lower", and stay "Higher"/"Lower" for "none" or a null polarity.
    A missing (null or NaN) value, either bound missing, or a missing
    benchmark gives "Not compared".
    """
    if confidence not in _CI_COLUMNS:
        raise ValueError(f"confidence must be 0.95 or 0.998, got {confidence}")
    validate_polarity(frame["polarity"])

    def number(name: str) -> pl.Expr:
        # NaN is treated as missing, like null.
        return pl.col(name).cast(pl.Float64).fill_nan(None)

    lower, upper = (number(c) for c in _CI_COLUMNS[confidence])
    benchmark = number("benchmark_value")
    value = number("value")
    polarity = pl.col("polarity")

    def word(member: Comparison) -> pl.Expr:
        return pl.lit(member.value)

    above = (
        pl.when(polarity == Polarity.HIGHER)
        .then(word(Comparison.BETTER))
        .when(polarity == Polarity.LOWER)
        .then(word(Comparison.WORSE))
        .otherwise(word(Comparison.HIGHER))
    )
    below = (
        pl.when(polarity == Polarity.HIGHER)
        .then(word(Comparison.WORSE))
        .when(polarity == Polarity.LOWER)
        .then(word(Comparison.BETTER))
        .otherwise(word(Comparison.LOWER))
    )
    missing = value.is_null() | lower.is_null() | upper.is_null() | benchmark.is_null()
    result = (
        pl.when(missing)
        .then(word(Comparison.NOT_COMPARED))
        .when(lower > benchmark)
        .then(above)
        .when(upper < benchmark)
        .then(below)
        .otherwise(word(Comparison.SIMILAR))
    )
    return frame.with_columns(result.cast(pl.String).alias(column))
