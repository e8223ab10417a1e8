"""Warnings an analyst must confirm before a file loads: small counts, jumps, implausible values.

Errors block a load; these do not, because each can be right (a small authority has small
counts, a definition change makes a jump). They are listed in the validation report with
severity 'warning', and a load that has any writes only when the analyst accepts them.
Every check is one Polars expression over the whole file, all evaluated in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from pipelines import problems
from pipelines.problems import RowCheck
from pipelines.validate import packed_key, with_lookup

WHAT_TO_DO = "Check it; if it is right, accept the warnings to load the file."
_RANGE_IN_UNIT = r"\((-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\)"


@dataclass(frozen=True)
class Thresholds:
    """How small a count and how big a jump earn a warning (``OUTCOMES_*`` settings)."""

    small_count: int = 5
    jump_factor: float = 3.0

    @classmethod
    def from_settings(cls, settings: object) -> Thresholds:
        """Returns the thresholds configured in ``Settings``."""
        return cls(
            small_count=settings.small_count_threshold,  # type: ignore[attr-defined]
            jump_factor=settings.jump_factor,  # type: ignore[attr-defined]
        )


def plausible_ranges(indicators: pl.DataFrame) -> pl.DataFrame:
    """Returns each indicator's plausible ``lowest`` and ``highest`` value (null: no limit).

    Proportions lie between 0 and their multiplier (100 for a percentage); rates, counts and
    means are not negative; a score whose unit states its range, such as 'score (1-5)',
    lies in it. Anything else (percentage points, gaps, changes) may take any value.
    """
    unit = pl.col("unit").fill_null("")
    multiplier = pl.col("multiplier").cast(pl.Float64, strict=False)
    stated = unit.str.extract_groups(_RANGE_IN_UNIT)
    value_type = pl.col("value_type").fill_null("")
    return indicators.select(
        "indicator_id",
        unit=unit,
        lowest=pl.when(value_type.is_in(["proportion", "rate", "count", "mean"]))
        .then(pl.lit(0.0))
        .when(value_type == "score")
        .then(stated.struct.field("1").cast(pl.Float64, strict=False))
        .otherwise(None),
        highest=pl.when(value_type == "proportion")
        .then(
            multiplier.fill_null(
                pl.when(unit.str.contains("%", literal=True)).then(100.0).otherwise(1.0)
            )
        )
        .when(value_type == "score")
        .then(stated.struct.field("2").cast(pl.Float64, strict=False))
        .otherwise(None),
    )


def _codes(column: pl.Series) -> pl.Series:
    """Returns an integer per value, equal exactly when the values are (nulls alike)."""
    codes = column.cast(pl.Categorical).to_physical().cast(pl.Int64)
    return codes.fill_null(int(codes.max() or 0) + 1)


def _previous_in_file(rows: pl.DataFrame) -> pl.Series:
    """Returns, for each row, the position of the file's row with the latest earlier period
    of the same indicator, area and frequency that has a value (null where there is none).

    Rows without a value, or without an indicator, area or period, have none; rows without a
    period end are nobody's previous period. The rows are sorted once, on one integer per
    row made of codes for the keys and the period's end, so no text is sorted.
    """
    nothing = pl.repeat(None, rows.height, dtype=pl.get_index_type(), eager=True)
    members = rows.select(
        pl.arg_where(pl.col("value").is_not_null() & pl.col("period_end").is_not_null())
    ).to_series()
    if members.is_empty():
        return nothing
    codes = [
        _codes(rows[key]).gather(members) for key in ("indicator_id", "area_code", "frequency")
    ]
    days = rows["period_end"].gather(members).cast(pl.Int64)
    days = days - int(days.min())
    key = packed_key([*codes, days])
    if key is not None:
        order = key.arg_sort()
    else:  # too many distinct keys for one integer: sort on each
        parts = {f"part_{i}": part for i, part in enumerate([*codes, days])}
        order = pl.DataFrame(parts).select(pl.arg_sort_by(list(parts))).to_series()
    in_order = [part.gather(order) for part in codes]
    same_group = pl.select(pl.all_horizontal(part == part.shift(1) for part in in_order))
    previous = members.gather(order).shift(1)
    previous = pl.select(pl.when(same_group.to_series()).then(previous)).to_series()
    # Only a row with an indicator, area and period is matched to its previous period.
    receives = rows.select(
        pl.all_horizontal(pl.col(c).is_not_null() for c in ("indicator_id", "area_code", "period"))
    ).to_series()
    by_row = nothing.scatter(members.gather(order), previous)
    return pl.select(pl.when(receives).then(by_row)).to_series()


def with_previous_period(rows: pl.DataFrame, warehouse_previous: pl.DataFrame) -> pl.DataFrame:
    """Returns ``rows`` with ``previous_value`` and ``previous_period``.

    The previous period is the latest earlier period of the same frequency with a value, for
    the same indicator and area, in the file or (current value) in the warehouse, whichever
    is later; the file wins when both hold it, since the file revises the warehouse.
    """
    keys = ["indicator_id", "area_code", "period"]
    previous = _previous_in_file(rows)
    in_file = {f"file_{c}": rows[c].gather(previous) for c in ("period", "period_end", "value")}
    frame = rows.with_columns(**in_file).rechunk()  # as a join leaves it; free for one chunk
    if warehouse_previous.is_empty():
        # What the join below gives when the warehouse has nothing before these values.
        joined = frame.with_columns(
            pl.lit(None, dtype).alias(c)
            for c, dtype in warehouse_previous.schema.items()
            if c not in keys
        )
    else:
        joined = frame.join(warehouse_previous, on=keys, how="left", maintain_order="left")
    file_is_later = pl.col("file_period_end").is_not_null() & (
        pl.col("previous_period_end").is_null()
        | (pl.col("file_period_end") >= pl.col("previous_period_end"))
    )
    return joined.with_columns(
        previous_value=pl.when(file_is_later)
        .then(pl.col("file_value"))
        .otherwise(pl.col("previous_value")),
        previous_period=pl.when(file_is_later)
        .then(pl.col("file_period"))
        .otherwise(pl.col("previous_period")),
    ).drop("file_period", "file_period_end", "file_value", "previous_period_end")


def observation_warnings(
    rows: pl.DataFrame,
    indicators: pl.DataFrame,
    warehouse_previous: pl.DataFrame,
    thresholds: Thresholds,
) -> pl.DataFrame:
    """Returns the warnings for clean indicator values (a report with severity 'warning').

    ``rows`` are validated values with their spreadsheet row number in ``_row``;
    ``indicators`` the catalogue (``indicator_id``, ``unit``, ``value_type``, ``multiplier``);
    ``warehouse_previous`` what ``warehouse.previous_values.previous_values`` returns.
    """
    frame = with_lookup(
        with_previous_period(rows, warehouse_previous), plausible_ranges(indicators), "indicator_id"
    )
    value, previous = pl.col("value"), pl.col("previous_value")
    factor = thresholds.jump_factor
    ratio = value.abs() / previous.abs()
    comparable = value.is_not_null() & previous.is_not_null() & (value != 0) & (previous != 0)
    checks = [
        RowCheck(
            pl.col("count") < thresholds.small_count,
            "count",
            pl.format(
                "The count {} is below {}: a value from so few events is unreliable and may "
                "identify people. " + WHAT_TO_DO,
                pl.col("count"),
                pl.lit(thresholds.small_count),
            ),
            severity=problems.WARNING,
        ),
        RowCheck(
            comparable & ((ratio > factor) | (ratio < 1 / factor)),
            "value",
            pl.format(
                "{} is {} times the value of the previous period ({}: {}), beyond the "
                "factor of {} that is checked. " + WHAT_TO_DO,
                value,
                ratio.round(2),
                pl.col("previous_period"),
                previous,
                pl.lit(factor),
            ),
            severity=problems.WARNING,
        ),
        RowCheck(
            (value < pl.col("lowest")) | (value > pl.col("highest")),
            "value",
            pl.format(
                "{} is not plausible for an indicator measured in '{}' (expected {} to {}). "
                "Check the value and the indicator's unit. " + WHAT_TO_DO,
                value,
                pl.col("unit"),
                pl.col("lowest").cast(pl.String).fill_null("any"),
                pl.col("highest").cast(pl.String).fill_null("any"),
            ),
            severity=problems.WARNING,
        ),
    ]
    return problems.combine(problems.check_rows(frame, checks))
