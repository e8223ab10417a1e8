"""Checking and comparing the breakdown rows of an upload (by sex, age and category).

A converted file's breakdown rows (``Conversion.breakdowns``) are the native columns plus
the dimensions ``sex``, ``age``, ``category_type`` and ``category``. They are checked as
indicator values are, one breakdown at a time, so that two breakdowns of one indicator,
area and period are not duplicates while two rows of the same breakdown are; they are
written in the same batch as the file's default rows (``warehouse.breakdowns``).
"""

from __future__ import annotations

import polars as pl

from pipelines import problems
from pipelines.validate import Lookups, validate_observations
from warehouse.breakdowns import DIMENSIONS

_DUPLICATE = "Duplicate indicator, area and period:"


def describe(sex: str, age: str, category_type: str, category: str) -> str:
    """Returns a breakdown in words, e.g. "Male, All ages" or "Persons, <16 yrs, Most
    deprived decile (Deprivation decile)"."""
    parts = [p for p in (sex, age) if p]
    if category:
        parts.append(f"{category} ({category_type})" if category_type else category)
    return ", ".join(parts) or "no breakdown"


def validate_breakdowns(frame: pl.DataFrame, lookups: Lookups) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (breakdown rows ready to write, with their dimensions and ``_row``, report).

    ``frame`` has ``_row``, the native columns and the dimensions (text, "" where none).
    Every check of ``validate_observations`` applies; a repeated indicator, area, period and
    breakdown is an error naming both rows and the breakdown.
    """
    if frame.is_empty():
        return pl.DataFrame(), problems.empty()
    cleans, reports = [], []
    frame = frame.with_columns(pl.col(DIMENSIONS).fill_null(""))
    for dims, group in frame.group_by(DIMENSIONS, maintain_order=True):
        clean, report = validate_observations(group.drop(DIMENSIONS), lookups)
        named = describe(*dims)
        reports.append(
            report.with_columns(
                message=pl.col("message").str.replace(
                    _DUPLICATE,
                    f"Duplicate breakdown (indicator, area, period and {named}):",
                    literal=True,
                )
            )
        )
        cleans.append(
            clean.with_columns(
                *[pl.lit(d, pl.String).alias(n) for n, d in zip(DIMENSIONS, dims, strict=True)],
                _row=group["_row"],
            )
        )
    clean = pl.concat(cleans, how="vertical_relaxed").sort("_row")
    return clean, problems.combine(reports)


def breakdown_summary(preview: pl.DataFrame) -> str:
    """Returns what a file's breakdown rows will do, e.g. "3 breakdown row(s): 2 new,
    1 revised and 0 unchanged", or "" when it has none."""
    if preview is None or preview.is_empty():
        return ""
    new, revised, same = (
        preview.filter(pl.col("change") == c).height for c in ("new", "revised", "unchanged")
    )
    return (
        f"{preview.height} breakdown row(s) by sex, age or category: {new} new, {revised} "
        f"revised and {same} unchanged"
    )
