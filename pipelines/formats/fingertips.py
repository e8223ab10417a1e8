"""Fingertips (OHID public health profiles) CSV exports.

An export has one row per indicator, area, period and breakdown, with columns such as
``Indicator ID``, ``Area Code``, ``Time period``, ``Value``, the 95% and 99.8% confidence
limits, ``Count``, ``Denominator``, ``Value note``, ``Category Type`` and ``Category``, and
comparison columns (``Compared to England value or percentiles``, a ``Compared to <parent>``
column whose name varies, ``Recent Trend``) that we compute ourselves and ignore.

Each indicator's default breakdown (Persons, its usual age band, no ``Category Type``)
is loaded as its observations; the other rows (males and females, other age bands, rows
broken down by deprivation decile, ethnic group and so on) are loaded in the same batch
as its breakdowns (``Conversion.breakdowns``, ``warehouse.breakdowns``).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from pipelines.formats.conversion import (
    Conversion,
    UnknownLayout,
    exact_repeats,
    find_columns,
    is_blank,
    join_notes,
    map_periods,
    native_table,
    no_proposed_indicators,
    no_skipped_rows,
    skipped_rows,
)
from pipelines.validate import OBSERVATION_COLUMNS
from warehouse.breakdowns import DIMENSIONS

SOURCE = "Fingertips (Office for Health Improvement and Disparities)"
COLUMNS = {
    "indicator": "Indicator ID",
    "indicator_name": "Indicator Name",
    "area_code": "Area Code",
    "area_type": "Area Type",
    "sex": "Sex",
    "age": "Age",
    "category_type": "Category Type",
    "category": "Category",
    "period": "Time period",
    "value": "Value",
    "lower_ci_95": "Lower CI 95.0 limit",
    "upper_ci_95": "Upper CI 95.0 limit",
    "lower_ci_99_8": "Lower CI 99.8 limit",
    "upper_ci_99_8": "Upper CI 99.8 limit",
    "count": "Count",
    "denominator": "Denominator",
    "note": "Value note",
}
REQUIRED = ("indicator", "area_code", "period", "value")


def to_native(table: pl.DataFrame, indicator_ids: Mapping[str, str] | None = None) -> Conversion:
    """Returns a Fingertips export as the native table.

    Parameters
    ----------
    table
        The export as read by ``readers.read_table``.
    indicator_ids
        Our indicator id for a Fingertips indicator id, e.g. ``{"90630": "NI 116"}``.
        Fingertips ids not given here become ``FT <id>`` and are proposed as new indicators.
    """
    indicator_ids = dict(indicator_ids or {})
    found = find_columns(table, COLUMNS)
    missing = [COLUMNS[c] for c in REQUIRED if c not in found]
    if missing:
        raise UnknownLayout(
            f"This is not a Fingertips export: column(s) {', '.join(missing)} are missing."
        )
    frame = table.select(
        "_row",
        *[pl.col(found[c]).cast(pl.String).alias(c) for c in found],
        *[pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in found],
    ).with_columns(pl.col("indicator").str.strip_chars().str.replace(r"\.0+$", ""))
    notes: list[str] = []
    skipped = []

    no_value = is_blank(pl.col("value")) & is_blank(pl.col("note"))
    empty = frame.filter(no_value)
    if empty.height:
        skipped.append(
            skipped_rows(
                empty,
                found["value"],
                pl.col("value"),
                "No value and no value note: nothing to load for this row.",
            )
        )
        notes.append(f"{empty.height} row(s) with neither a value nor a value note were left out.")
    frame = frame.filter(~no_value)
    # Fingertips leaves the value empty where it is suppressed and says why in the note.
    suppressed = is_blank(pl.col("value"))
    if frame.select(suppressed.sum()).item():
        notes.append(
            "Rows with an empty value but a value note are loaded as suppressed (*), "
            "keeping the note."
        )

    frame = _with_default(frame)
    frame, id_notes = _our_indicator_ids(frame, indicator_ids)
    notes += id_notes
    frame, period_notes = map_periods(frame, "period")
    notes += period_notes

    native = {
        "indicator_id": pl.col("_indicator_id"),
        "area_code": pl.col("area_code"),
        "period": pl.col("_period"),
        "value": pl.when(suppressed).then(pl.lit("*")).otherwise(pl.col("value")),
        "lower_ci_95": pl.col("lower_ci_95"),
        "upper_ci_95": pl.col("upper_ci_95"),
        "lower_ci_99_8": pl.col("lower_ci_99_8"),
        "upper_ci_99_8": pl.col("upper_ci_99_8"),
        "count": pl.col("count"),
        "denominator": pl.col("denominator"),
        "note": join_notes(pl.col("note"), pl.col("_period_note")),
    }
    converted = native_table(frame.filter(pl.col("_default")), **native)
    converted, repeats = exact_repeats(converted)
    breakdowns, breakdown_repeats = _breakdowns(frame.filter(~pl.col("_default")), native)
    repeats = pl.concat([repeats, breakdown_repeats]).sort("row")
    if repeats.height:
        skipped.append(repeats)
        notes.append(f"{repeats.height} row(s) repeating another row exactly were left out.")
    if breakdowns.height:
        kinds = breakdowns.filter(pl.col("category_type") != "")["category_type"].unique()
        by_sex_or_age = ["sex or age"] if (breakdowns["category_type"] == "").any() else []
        by = [*by_sex_or_age, *sorted(kinds.to_list())]
        notes.append(
            f"{breakdowns.height} breakdown row(s) (by {', '.join(by)}) are "
            "loaded as breakdowns of their indicator, shown on the area profile and in the "
            "explorer; every status compares the default breakdown (Persons, the indicator's "
            "usual age band, no category)."
        )

    proposed = _proposed(frame, indicator_ids)
    if proposed.height:
        notes.append(
            f"{proposed.height} Fingertips indicator(s) have no id of ours and are read as "
            f"{', '.join(proposed['indicator_id'].head(3).to_list())}"
            f"{' …' if proposed.height > 3 else ''}. Create them first (a Fingertips export "
            "does not give unit or polarity), or give their ids, e.g. 90630 as NI 116."
        )
    return Conversion(
        table=converted,
        skipped=pl.concat(skipped) if skipped else no_skipped_rows(),
        proposed_indicators=proposed,
        notes=notes,
        layout="fingertips",
        source_columns={
            ("indicator_id" if ours == "indicator" else ours): found[ours]
            for ours in found
            if ours == "indicator" or ours in OBSERVATION_COLUMNS or ours in DIMENSIONS
        },
        breakdowns=breakdowns,
    )


def _with_default(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` with ``_default``: True on the rows of each indicator's default
    breakdown, the rest being breakdowns.

    The default is the headline (no ``Category Type``) rows for Persons in the indicator's
    usual age band, the age of most of its Persons headline rows (the first in the file on a
    tie). An indicator published with no Persons rows (life expectancy is by sex) keeps all
    its headline rows as default; ``_our_indicator_ids`` makes each sex its own indicator.
    """
    headline = is_blank(pl.col("category_type"))
    persons = headline & (pl.col("sex").str.strip_chars() == "Persons").fill_null(False)
    usual_age = (
        frame.filter(persons)
        .group_by("indicator", "age")
        .agg(_n=pl.len(), _first=pl.col("_row").min())
        .sort(["indicator", "_n", "_first"], descending=[False, True, False])
        .unique("indicator", keep="first", maintain_order=True)
        .select("indicator", _usual_age="age")
    )
    frame = frame.join(usual_age, on="indicator", how="left", maintain_order="left")
    has_persons = pl.col("_usual_age").is_not_null()
    default = pl.when(has_persons).then(persons & pl.col("age").eq_missing(pl.col("_usual_age")))
    return frame.with_columns(_default=default.otherwise(headline)).drop("_usual_age")


def _breakdowns(
    frame: pl.DataFrame, native: dict[str, pl.Expr]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (the breakdown rows as native columns and their dimensions, exact repeats)."""
    table = frame.select(
        pl.col("_row").cast(pl.Int64),
        *[
            native.get(name, pl.lit(None, pl.String)).cast(pl.String).alias(name)
            for name in OBSERVATION_COLUMNS
        ],
        *[pl.col(d).str.strip_chars().fill_null("").alias(d) for d in DIMENSIONS],
    ).rechunk()
    return exact_repeats(table, DIMENSIONS)


def _our_indicator_ids(
    frame: pl.DataFrame, indicator_ids: dict[str, str]
) -> tuple[pl.DataFrame, list[str]]:
    """Adds ``_indicator_id``: the mapped id or ``FT <id>``, with the sex or age appended
    where one indicator's default rows are split by them (else they would be duplicates)."""
    splits = (
        frame.filter(pl.col("_default"))
        .group_by("indicator")
        .agg(_by_sex=pl.col("sex").n_unique() > 1, _by_age=pl.col("age").n_unique() > 1)
    )
    frame = frame.join(splits, on="indicator", how="left", maintain_order="left").with_columns(
        pl.col("_by_sex", "_by_age").fill_null(False)
    )
    base = pl.col("indicator").replace_strict(
        indicator_ids, default=pl.format("FT {}", pl.col("indicator")), return_dtype=pl.String
    )
    parts = pl.concat_list(
        pl.when(pl.col("_by_sex")).then(pl.col("sex")),
        pl.when(pl.col("_by_age")).then(pl.col("age")),
    ).list.drop_nulls()
    suffix = pl.when(parts.list.len() > 0).then(pl.format(" ({})", parts.list.join(", ")))
    frame = frame.with_columns(_indicator_id=pl.concat_str([base, suffix.fill_null("")]))
    split = (
        frame.filter(pl.col("_default") & (pl.col("_by_sex") | pl.col("_by_age")))["indicator"]
        .unique()
        .sort()
    )
    notes = []
    if split.len():
        notes.append(
            f"Indicator(s) {', '.join(split.to_list())} have headline rows for several sexes or "
            "ages; each is read as its own indicator, e.g. 'FT 90366 (Male)'."
        )
    return frame, notes


def _proposed(frame: pl.DataFrame, indicator_ids: dict[str, str]) -> pl.DataFrame:
    unmapped = frame.filter(~pl.col("indicator").is_in(list(indicator_ids)))
    if unmapped.height == 0:
        return no_proposed_indicators()
    names = unmapped.group_by("_indicator_id", maintain_order=True).agg(
        name=pl.col("indicator_name").drop_nulls().first(),
        sex=pl.col("sex").first(),
        age=pl.col("age").first(),
        split=(pl.col("_by_sex") | pl.col("_by_age")).first(),
    )
    proposed = names.select(
        indicator_id=pl.col("_indicator_id"),
        name=pl.when(pl.col("split"))
        .then(pl.format("{} ({}, {})", pl.col("name"), pl.col("sex"), pl.col("age")))
        .otherwise(pl.col("name")),
        unit=pl.lit(None, pl.String),
        value_type=pl.lit(None, pl.String),
        multiplier=pl.lit(None, pl.Float64),
        polarity=pl.lit(None, pl.String),
        source=pl.lit(SOURCE),
        theme=pl.lit(None, pl.String),
    )
    return proposed.with_columns(pl.col("name").cast(pl.String))
