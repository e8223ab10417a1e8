"""What a revision of indicator values changes: every field, and what becomes of its status.

A revision replaces the whole current row of an indicator, area and period. A file that
gives only a value therefore empties the interval, count and denominator the current row
had, and the comparison with England may turn into "Not compared". Before the analyst
confirms, the preview lists each field that changes, old and new (an empty field as
"(none)"), and one sentence per revised row saying what its comparison with England is
now and will be.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse import reference_queries
from warehouse.analytics.latest import with_intervals
from warehouse.assessments import compare_with_benchmark
from warehouse.breakdowns import DIMENSIONS
from warehouse.revisions import compared_fields, current_rows

ENGLAND = "E92000001"
KEYS = ["indicator_id", "area_code", "period"]
#: A breakdown row (by sex, age, category) is keyed by its dimensions too, so two
#: breakdowns of one indicator, area and period are two rows, not a revision of one.
BREAKDOWN_KEYS = [*KEYS, *DIMENSIONS]
NONE = "(none)"
FIELD_NAMES = {
    "value": "value",
    "lower_ci_95": "lower 95% limit",
    "upper_ci_95": "upper 95% limit",
    "lower_ci_99_8": "lower 99.8% limit",
    "upper_ci_99_8": "upper 99.8% limit",
    "count": "count",
    "denominator": "denominator",
}
_CHANGES_SCHEMA = {
    "indicator_id": pl.String,
    "area_code": pl.String,
    "period": pl.String,
    "field": pl.String,
    "old": pl.String,
    "new": pl.String,
}
_STATUS_SCHEMA = {
    "indicator_id": pl.String,
    "area_code": pl.String,
    "period": pl.String,
    "status_now": pl.String,
    "status_after": pl.String,
    "sentence": pl.String,
}


@dataclass(frozen=True)
class RevisionPreview:
    """What the revisions in a file change.

    Attributes
    ----------
    changes
        One row per changed field of each revised row: ``indicator_id``, ``area_code``,
        ``period``, ``field`` (in words), ``old`` and ``new`` as text, "(none)" for empty.
    statuses
        One row per revised row: ``status_now``, ``status_after`` (comparison with England
        at 95%) and ``sentence``, which says both and, where the comparison is lost, why.
    """

    changes: pl.DataFrame
    statuses: pl.DataFrame


def revision_preview(
    con: duckdb.DuckDBPyConnection,
    incoming: pl.DataFrame,
    revised: pl.DataFrame,
    kind: str = "indicators",
) -> RevisionPreview:
    """Returns the field changes and status changes of the ``revised`` rows.

    ``incoming`` is every validated row of the file (an England row in it is the new
    benchmark); ``revised`` the rows that revise a current value. For ``kind``
    "breakdowns" the rows are keyed by their dimensions too (``BREAKDOWN_KEYS``, which
    ``changes`` then has as columns), and there are no statuses: only the default
    breakdown is compared with England.
    """
    if revised.is_empty():
        return RevisionPreview(
            pl.DataFrame(schema=_CHANGES_SCHEMA), pl.DataFrame(schema=_STATUS_SCHEMA)
        )
    fields = compared_fields(kind)
    if kind == "breakdowns":
        current = current_rows(con, kind, revised.select(BREAKDOWN_KEYS))
        new = revised.select(*BREAKDOWN_KEYS, *fields)
        return RevisionPreview(
            changed_fields(current, new, BREAKDOWN_KEYS), pl.DataFrame(schema=_STATUS_SCHEMA)
        )
    current = current_rows(con, "indicators", revised.select(KEYS))
    england_keys = revised.select("indicator_id", "period", area_code=pl.lit(ENGLAND)).unique()
    england_now = current_rows(con, "indicators", england_keys).select(
        "indicator_id", "period", england_now=pl.col("value")
    )
    england_in_file = incoming.filter(pl.col("area_code") == ENGLAND).select(
        "indicator_id", "period", england_after=pl.col("value")
    )
    indicators = reference_queries.indicators(con).select(
        "indicator_id", "polarity", "value_type", "multiplier"
    )
    new = revised.select(*KEYS, *fields)
    return RevisionPreview(
        changed_fields(current, new),
        status_changes(current, new, england_now, england_in_file, indicators),
    )


def changed_fields(
    current: pl.DataFrame, new: pl.DataFrame, keys: list[str] = KEYS
) -> pl.DataFrame:
    """Returns one row per field whose value differs between ``current`` and ``new`` rows
    (matched by ``keys``: indicator, area and period, and for breakdowns their dimensions),
    old and new as text, "(none)" for empty."""
    fields = [f for f in FIELD_NAMES if f in new.columns]
    long_new = new.select(*keys, *[_as_text(f) for f in fields]).unpivot(
        index=keys, variable_name="field", value_name="new"
    )
    long_old = current.select(*keys, *[_as_text(f) for f in fields]).unpivot(
        index=keys, variable_name="field", value_name="old"
    )
    order = {f: i for i, f in enumerate(fields)}
    return (
        long_new.join(long_old, on=[*keys, "field"], how="inner")
        .filter(pl.col("old").ne_missing(pl.col("new")))
        .with_columns(_order=pl.col("field").replace_strict(order, return_dtype=pl.Int64))
        .sort([*keys, "_order"])
        .select(
            *keys,
            pl.col("field").replace_strict(FIELD_NAMES, return_dtype=pl.String),
            pl.col("old").fill_null(NONE),
            pl.col("new").fill_null(NONE),
        )
    )


def _as_text(field: str) -> pl.Expr:
    """Returns a number as a person writes it: 17729 rather than 17729.0."""
    number = pl.col(field).cast(pl.Float64)
    whole = number.is_finite() & (number == number.round(0)) & (number.abs() < 1e15)
    return (
        pl.when(whole)
        .then(number.cast(pl.Int64).cast(pl.String))
        .otherwise(number.cast(pl.String))
        .alias(field)
    )


def status_changes(
    current: pl.DataFrame,
    new: pl.DataFrame,
    england_now: pl.DataFrame,
    england_in_file: pl.DataFrame,
    indicators: pl.DataFrame,
) -> pl.DataFrame:
    """Returns, per revised row, its comparison with England now and after the revision.

    The comparison is the app's (``compare_with_benchmark`` at 95%, with an interval worked
    out from count and denominator where none is given). The benchmark after is England's
    value in the file where it has one, else England's current value.
    """
    benchmarks = england_now.join(
        england_in_file, on=["indicator_id", "period"], how="full", coalesce=True
    ).with_columns(england_after=pl.coalesce("england_after", "england_now"))
    before = _compared(current, benchmarks, "england_now", indicators)
    after = _compared(new, benchmarks, "england_after", indicators)
    joined = after.join(
        before.select(*KEYS, status_now=pl.col("status")), on=KEYS, how="left"
    ).rename({"status": "status_after"})
    where = pl.format("{}, {}, {}", *[pl.col(k) for k in KEYS])
    change = (
        pl.when(pl.col("status_now") == pl.col("status_after"))
        .then(pl.format("stays {}", pl.col("status_after")))
        .otherwise(pl.format("goes from {} to {}", pl.col("status_now"), pl.col("status_after")))
    )
    reason = (
        pl.when(pl.col("status_after") != "Not compared")
        .then(pl.lit(""))
        .when(pl.col("value").is_null())
        .then(pl.lit(", because the revision leaves no value"))
        .when(pl.col("benchmark_value").is_null())
        .then(pl.format(", because there is no England value for {}", pl.col("period")))
        .otherwise(
            pl.lit(
                ", because the revision leaves no 95% confidence interval, and no count and "
                "denominator to work one out"
            )
        )
    )
    sentence = (
        pl.when(pl.col("area_code") == ENGLAND)
        .then(
            pl.format(
                "{}: England is the benchmark; every area's comparison with England for {} is "
                "worked out again against its new value.",
                where,
                pl.col("period"),
            )
        )
        .otherwise(pl.format("{}: compared with England, this {}{}.", where, change, reason))
    )
    return joined.with_columns(sentence=sentence).select(list(_STATUS_SCHEMA))


def _compared(
    rows: pl.DataFrame, benchmarks: pl.DataFrame, benchmark: str, indicators: pl.DataFrame
) -> pl.DataFrame:
    """Returns ``rows`` with ``status``: their comparison with the ``benchmark`` column."""
    numbers = [c for c in FIELD_NAMES if c != "value"]
    ready = (
        rows.join(indicators, on="indicator_id", how="left")
        .join(
            benchmarks.select("indicator_id", "period", benchmark_value=pl.col(benchmark)),
            on=["indicator_id", "period"],
            how="left",
        )
        .with_columns(pl.col("value", *numbers).cast(pl.Float64))
    )
    compared = compare_with_benchmark(with_intervals(ready), 0.95, "status")
    return compared.with_columns(
        status=pl.when(pl.col("area_code") == ENGLAND).then(None).otherwise(pl.col("status"))
    )
