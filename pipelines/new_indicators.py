"""Indicators a file of values would create: shown for review, edited, checked, then created.

A Fingertips export, an ONS tidy file or a wide table can name indicators the catalogue
does not have yet. They are proposed with what the file (or its metadata) says, which is
often not enough: a Fingertips export gives no unit or polarity, and the ONS metadata marks
only the indicators where lower is better. The analyst reviews the proposals, edits their
name, unit, value type, multiplier and polarity, and confirms them; the edited values are
checked exactly as an indicator metadata upload is (``pipelines.metadata``) before anything
is written.
"""

from __future__ import annotations

import polars as pl

from pipelines import problems
from pipelines.metadata import METADATA_COLUMNS, METADATA_REQUIRED, validate_metadata
from pipelines.validate import Lookups

#: The fields an analyst may change before the indicators are created, polarity first: it
#: decides every status, and the file rarely says it.
EDITABLE = ("polarity", "unit", "value_type", "multiplier", "name")
#: The columns of the review table, in the order shown.
REVIEW_COLUMNS = ("indicator_id", *EDITABLE, "theme", "source")
#: An indicator created beside its values may leave its owning department for later.
REQUIRED = tuple(c for c in METADATA_REQUIRED if c != "owner_department_code")
VERIFICATION = "Created from the file of values it came with, as reviewed by the analyst"
_SCHEMA = {
    "indicator_id": pl.String,
    "name": pl.String,
    "unit": pl.String,
    "value_type": pl.String,
    "multiplier": pl.Float64,
    "polarity": pl.String,
    "theme": pl.String,
    "source": pl.String,
}


def for_review(proposed: pl.DataFrame | None) -> pl.DataFrame:
    """Returns the proposed indicators as the review table: ``REVIEW_COLUMNS``, one row each."""
    if proposed is None:
        return pl.DataFrame(schema=_SCHEMA)
    present = [c for c in REVIEW_COLUMNS if c in proposed.columns]
    return (
        proposed.select(present)
        .with_columns(pl.lit(None, _SCHEMA[c]).alias(c) for c in REVIEW_COLUMNS if c not in present)
        .select(pl.col(c).cast(_SCHEMA[c]) for c in REVIEW_COLUMNS)
    )


def apply_edits(proposed: pl.DataFrame, edits: pl.DataFrame | None) -> pl.DataFrame:
    """Returns the proposed indicators with the analyst's edits in place of what was proposed.

    ``edits`` has ``indicator_id`` and any of ``EDITABLE``; for each indicator it names, its
    cells replace the proposal's, an empty cell included (an analyst who clears a unit means
    it). Indicators the edits do not name keep their proposal; edits for indicators that
    were not proposed are ignored (the file has no values for them).
    """
    if edits is None or proposed.is_empty():
        return proposed
    columns = [c for c in EDITABLE if c in edits.columns]
    given = edits.select(
        pl.col("indicator_id").cast(pl.String).str.strip_chars(),
        *[pl.col(c).cast(_SCHEMA[c]).alias(f"_edit_{c}") for c in columns],
        _edited=pl.lit(True),
    ).unique("indicator_id", keep="last")
    joined = proposed.join(given, on="indicator_id", how="left", maintain_order="left")
    return joined.with_columns(
        pl.when(pl.col("_edited")).then(pl.col(f"_edit_{c}")).otherwise(pl.col(c)).alias(c)
        for c in columns
    ).select(proposed.columns)


def check_new_indicators(
    indicators: pl.DataFrame, lookups: Lookups
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (the indicators in the indicators table's shape, report) for new indicators.

    Checked as an indicator metadata upload is: name, unit, value type and polarity are
    required, value types and polarities come from the metadata vocabulary, a multiplier is a
    number above zero. Each problem names its indicator (the report's ``row`` is empty: the
    indicators come from the review table, not from a row of the file).
    """
    review = for_review(indicators)
    template = review.select(
        _row=pl.int_range(1, review.height + 1, dtype=pl.Int64),
        **{
            c: pl.col(c).cast(pl.String) if c in review.columns else pl.lit(None, pl.String)
            for c in METADATA_COLUMNS
            if c != "verification"
        },
        verification=pl.lit(VERIFICATION),
    )
    clean, report = validate_metadata(template, lookups, required=REQUIRED)
    ids = review.select("indicator_id", _row=pl.int_range(1, review.height + 1, dtype=pl.Int64))
    report = (
        report.join(ids, left_on="row", right_on="_row", how="left")
        .with_columns(
            row=pl.lit(None, pl.Int64),
            message=pl.format(
                "New indicator {}: {}",
                pl.col("indicator_id"),
                # The cell is in the review table here, not in a template file.
                pl.col("message").str.replace(
                    "Fill it in (see the template's example row).",
                    "Fill it in in the table of new indicators.",
                    literal=True,
                ),
            ),
        )
        .select(list(problems.SCHEMA))
    )
    # Ids stay exactly as the values carry them (the metadata check would tidy 'ni116').
    clean = clean.with_columns(indicator_id=review["indicator_id"])
    return clean, report


def indicators_sentence(indicators: pl.DataFrame) -> str:
    """Returns the sentence that asks the analyst to review and confirm new indicators."""
    ids = indicators["indicator_id"].head(5).to_list()
    more = f" and {indicators.height - 5} more" if indicators.height > 5 else ""
    return (
        f"{indicators.height} new indicator(s) would be created ({', '.join(ids)}{more}). "
        "Check each one's polarity (higher or lower is better, or none), unit and value type, "
        "then confirm them."
    )
