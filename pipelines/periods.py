"""Period labels: financial years, calendar years and their quarters, parsed in bulk.

Accepted forms (case and spacing forgiven): ``2008/09`` (also ``2008-09``, ``2008/2009``),
``2008``, ``2008/09 Q1`` (April to June 2008) and ``2008 Q3`` (July to September 2008).
"""

from __future__ import annotations

import polars as pl

FINANCIAL_YEAR = "financial_year"
CALENDAR_YEAR = "calendar_year"
FINANCIAL_QUARTER = "financial_quarter"
CALENDAR_QUARTER = "calendar_quarter"

_PATTERN = r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?(?:\s*Q([1-4]))?$"


def parse_periods(labels: pl.Expr) -> pl.Expr:
    """Returns a struct expression with ``period`` (canonical label), ``period_start``,
    ``period_end`` and ``frequency``; all four are null where the label cannot be read."""
    text = labels.cast(pl.String).str.strip_chars().str.to_uppercase().str.replace_all(r"\s+", " ")
    parts = text.str.extract_groups(_PATTERN)
    year = parts.struct.field("1").cast(pl.Int32, strict=False)
    second = parts.struct.field("2")
    quarter = parts.struct.field("3").cast(pl.Int32, strict=False)
    end_year = (
        pl.when(second.str.len_chars() == 2)
        .then((year // 100) * 100 + second.cast(pl.Int32, strict=False))
        .otherwise(second.cast(pl.Int32, strict=False))
    )
    # 1999/00 rolls over the century.
    end_year = pl.when(end_year < year).then(end_year + 100).otherwise(end_year)
    financial = second.is_not_null()
    valid = year.is_not_null() & (~financial | (end_year == year + 1))
    frequency = (
        pl.when(~valid)
        .then(None)
        .when(financial & quarter.is_not_null())
        .then(pl.lit(FINANCIAL_QUARTER))
        .when(financial)
        .then(pl.lit(FINANCIAL_YEAR))
        .when(quarter.is_not_null())
        .then(pl.lit(CALENDAR_QUARTER))
        .otherwise(pl.lit(CALENDAR_YEAR))
    )
    start_month = (
        pl.when(financial & quarter.is_not_null())
        .then(4 + (quarter - 1) * 3)
        .when(financial)
        .then(4)
        .when(quarter.is_not_null())
        .then(1 + (quarter - 1) * 3)
        .otherwise(1)
    )
    start_year = pl.when(start_month > 12).then(year + 1).otherwise(year)
    start_month = pl.when(start_month > 12).then(start_month - 12).otherwise(start_month)
    months = pl.when(quarter.is_not_null()).then(3).otherwise(12)
    start = pl.date(start_year, start_month, 1)
    end = start.dt.offset_by(pl.format("{}mo", months)).dt.offset_by("-1d")
    fy_label = pl.format("{}/{}", year, (year + 1).mod(100).cast(pl.String).str.zfill(2))
    label = (
        pl.when(frequency == FINANCIAL_QUARTER)
        .then(pl.format("{} Q{}", fy_label, quarter))
        .when(frequency == FINANCIAL_YEAR)
        .then(fy_label)
        .when(frequency == CALENDAR_QUARTER)
        .then(pl.format("{} Q{}", year, quarter))
        .when(frequency == CALENDAR_YEAR)
        .then(year.cast(pl.String))
    )
    return pl.struct(
        period=label,
        period_start=pl.when(valid).then(start),
        period_end=pl.when(valid).then(end),
        frequency=frequency,
    )


def parse_period(label: str) -> dict:
    """Returns the parsed form of one period label (see ``parse_periods``)."""
    return pl.select(parse_periods(pl.lit(label))).item()
