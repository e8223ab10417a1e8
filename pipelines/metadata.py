"""Indicator metadata uploads: new indicators are created, existing ones revised.

One row per indicator, in the shape of the ``indicators`` table. The allowed value types
and polarities are the reference data's own (``warehouse.reference_data.Indicator``), so an
uploaded indicator obeys the same rules as a shipped one. An optional cell left empty keeps
the indicator's current value; a new indicator's empty optional cells stay empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import get_args

import polars as pl

from pipelines import normalise, problems
from pipelines.validate import Lookups, _duplicate_keys, _with_numbers, _with_optional
from pipelines.validate import missing_columns as _missing_columns
from warehouse.reference_data import Indicator
from warehouse.revisions import compared_fields

METADATA_COLUMNS = [
    "indicator_id",
    "name",
    "definition",
    "unit",
    "value_type",
    "multiplier",
    "polarity",
    "owner_department_code",
    "theme",
    "source",
    "verification",
]
METADATA_REQUIRED = [
    "indicator_id",
    "name",
    "unit",
    "value_type",
    "polarity",
    "owner_department_code",
]
METADATA_OPTIONAL = ["definition", "multiplier", "theme", "source", "verification"]
#: The fields a revision compares (``verification`` says where a fact was checked, not the fact).
METADATA_COMPARED = compared_fields("metadata")
VALUE_TYPES = get_args(Indicator.model_fields["value_type"].annotation)
POLARITIES = get_args(Indicator.model_fields["polarity"].annotation)
UPLOADED = "Loaded from an analyst's metadata upload"


def _text(column: str) -> pl.Expr:
    return (
        pl.when(normalise.is_blank(column)).then(None).otherwise(pl.col(column).str.strip_chars())
    )


def validate_metadata(
    frame: pl.DataFrame, lookups: Lookups, required: Sequence[str] = tuple(METADATA_REQUIRED)
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (indicators ready to write, report) for the indicator metadata template.

    ``required`` are the cells every row must fill (an indicator created from a file of
    values may leave its owning department for later).
    """
    report = _missing_columns(frame, list(required), METADATA_COLUMNS)
    if problems.has_errors(report):
        return frame.clear(), report
    frame = _with_optional(frame, METADATA_COLUMNS)
    frame = frame.with_columns(
        _indicator=normalise.indicator_id("indicator_id"),
        _value_type=pl.col("value_type").str.strip_chars().str.to_lowercase(),
        _polarity=pl.col("polarity").str.strip_chars().str.to_lowercase(),
        _wanted_owner=pl.col("owner_department_code").str.strip_chars().str.to_lowercase(),
    )
    # Codes are written as departments write them (Defra, MoJ): match them in any case.
    owners = pl.DataFrame(
        {
            "_owner": lookups.departments["department_code"]
            if lookups.departments is not None
            else []
        },
        schema={"_owner": pl.String},
    ).with_columns(_wanted_owner=pl.col("_owner").str.to_lowercase())
    frame = frame.join(owners, on="_wanted_owner", how="left", maintain_order="left")
    frame = _with_numbers(frame, ["multiplier"])
    reports = [
        problems.row_problems(
            frame,
            normalise.is_blank(column),
            column,
            f"{column} is required for an indicator. Fill it in (see the template's example row).",
        )
        for column in required
    ]
    reports += [
        problems.row_problems(
            frame,
            ~normalise.is_blank("value_type") & ~pl.col("_value_type").is_in(VALUE_TYPES),
            "value_type",
            pl.format(
                "Unknown value type '{}'. Use one of: " + ", ".join(VALUE_TYPES) + ".",
                pl.col("value_type"),
            ),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("polarity") & ~pl.col("_polarity").is_in(POLARITIES),
            "polarity",
            pl.format(
                "Unknown polarity '{}'. Use higher (higher is better), lower (lower is better) "
                "or none (no judgement).",
                pl.col("polarity"),
            ),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("owner_department_code") & pl.col("_owner").is_null(),
            "owner_department_code",
            pl.format(
                "Unknown department '{}'. Use a department code from the indicator catalogue, "
                "such as DCSF, DH or CLG.",
                pl.col("owner_department_code"),
            ),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("multiplier")
            & ~(pl.col("_number_multiplier") > 0).fill_null(False),
            "multiplier",
            pl.format(
                "'{}' is not a multiplier. Give a number above zero (100 for a percentage, "
                "1000 for a rate per 1,000) or leave it empty.",
                pl.col("multiplier"),
            ),
        ),
        _duplicate_keys(frame, ["_indicator"], "indicator"),
    ]
    clean = frame.select(
        indicator_id=pl.col("_indicator"),
        name=_text("name"),
        definition=_text("definition"),
        unit=_text("unit"),
        value_type=pl.col("_value_type"),
        multiplier=pl.col("_number_multiplier"),
        polarity=pl.col("_polarity"),
        owner_department_code=pl.col("_owner"),
        theme=_text("theme"),
        source=_text("source"),
        verification=_text("verification"),
    )
    return _keep_current_where_empty(clean, lookups.indicators), problems.combine(
        [report, *reports]
    )


def _keep_current_where_empty(clean: pl.DataFrame, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Returns the rows with each empty optional cell filled from the indicator's current row."""
    current = catalogue.select(
        "indicator_id", *[pl.col(c).alias(f"_current_{c}") for c in METADATA_OPTIONAL]
    )
    joined = clean.join(current, on="indicator_id", how="left", maintain_order="left")
    return (
        joined.with_columns(
            pl.col(c).fill_null(pl.col(f"_current_{c}").cast(clean.schema[c]))
            for c in METADATA_OPTIONAL
        )
        .with_columns(pl.col("verification").fill_null(UPLOADED))
        .select(clean.columns)
    )


def metadata_changes(revised: pl.DataFrame, catalogue: pl.DataFrame) -> pl.DataFrame:
    """Returns one row per changed field of each revised indicator: field, old and new value."""
    if revised.is_empty():
        return pl.DataFrame(
            schema={
                "indicator_id": pl.String,
                "field": pl.String,
                "old": pl.String,
                "new": pl.String,
            }
        )
    as_text = [pl.col(c).cast(pl.String) for c in METADATA_COMPARED]
    new = revised.select("indicator_id", *as_text).unpivot(
        index="indicator_id", variable_name="field", value_name="new"
    )
    old = (
        catalogue.filter(pl.col("indicator_id").is_in(revised["indicator_id"].implode()))
        .select("indicator_id", *as_text)
        .unpivot(index="indicator_id", variable_name="field", value_name="old")
    )
    return (
        new.join(old, on=["indicator_id", "field"], how="left")
        .filter(pl.col("old").ne_missing(pl.col("new")))
        .select("indicator_id", "field", "old", "new")
    )
