"""What every converter returns, and the pieces converters share.

A converter turns a table read from an analyst's file (text cells and ``_row``) into the
native indicator-values table that ``validate.validate_observations`` checks. It decides
which rows to leave out (and says why, row by row), which indicators would need creating,
and how it read anything it had to interpret; it never decides whether a value is valid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from pipelines.periods import parse_periods
from pipelines.validate import OBSERVATION_COLUMNS

NATIVE_COLUMNS = ["_row", *OBSERVATION_COLUMNS]
SKIPPED_SCHEMA = {"row": pl.Int64, "column": pl.String, "value": pl.String, "message": pl.String}
PROPOSED_SCHEMA = {
    "indicator_id": pl.String,
    "name": pl.String,
    "unit": pl.String,
    "value_type": pl.String,
    "multiplier": pl.Float64,
    "polarity": pl.String,
    "source": pl.String,
    "theme": pl.String,
}


class UnknownLayout(ValueError):
    """The table does not have the columns of the layout asked for, or of any layout we know."""


def no_skipped_rows() -> pl.DataFrame:
    """Returns an empty frame of skipped rows."""
    return pl.DataFrame(schema=SKIPPED_SCHEMA)


def no_proposed_indicators() -> pl.DataFrame:
    """Returns an empty frame of proposed indicators."""
    return pl.DataFrame(schema=PROPOSED_SCHEMA)


@dataclass
class Conversion:
    """A file's rows as the native indicator-values table, and what the conversion did.

    Attributes
    ----------
    table
        The native template's columns as text, plus the original ``_row`` of each row, ready
        for ``validate.validate_observations``. A wide file gives several rows per ``_row``.
    skipped
        One line per row left out: ``row``, ``column``, ``value``, ``message``.
    proposed_indicators
        Indicators the file refers to that would need creating first: ``indicator_id``,
        ``name``, ``unit``, ``value_type``, ``multiplier``, ``polarity``, ``source``,
        ``theme``; null where the file does not say.
    notes
        Sentences for the analyst about how the file was read.
    layout
        Which layout the file was read as.
    source_columns
        The file's name for each template column that came from one column of the file
        (``{"value": "Value", "area_code": "AREACD"}``), so that a report can name the
        column the analyst sees.
    breakdowns
        Rows for other breakdowns than the default (another sex or age band, a category
        such as a deprivation decile): the native columns and ``sex``, ``age``,
        ``category_type``, ``category`` as text (empty string where a row has none). Loaded
        with ``table`` in the same batch (see ``warehouse.breakdowns``); None when the
        layout has no breakdowns.
    """

    table: pl.DataFrame
    skipped: pl.DataFrame = field(default_factory=no_skipped_rows)
    proposed_indicators: pl.DataFrame = field(default_factory=no_proposed_indicators)
    notes: list[str] = field(default_factory=list)
    layout: str = "native"
    source_columns: dict[str, str] = field(default_factory=dict)
    breakdowns: pl.DataFrame | None = None

    @property
    def skipped_count(self) -> int:
        """Returns how many rows of the file were left out (for a wide table, empty cells)."""
        return self.skipped.height


def column_key(name: str) -> str:
    """Returns a column name as compared: lower case, spaces and underscores as one space."""
    return re.sub(r"[\s_]+", " ", name.strip().lower())


def find_columns(table: pl.DataFrame, wanted: dict[str, str]) -> dict[str, str]:
    """Returns {our name: the file's column} for the wanted columns the file has.

    ``wanted`` maps our name to the column's name in the layout, compared by ``column_key``.
    """
    present = {column_key(c): c for c in table.columns if c != "_row"}
    return {
        ours: present[column_key(theirs)]
        for ours, theirs in wanted.items()
        if column_key(theirs) in present
    }


def native_table(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """Returns ``frame`` as the native table: ``_row`` then every template column as text."""
    return frame.select(
        pl.col("_row").cast(pl.Int64),
        *[
            columns.get(name, pl.lit(None, pl.String)).cast(pl.String).alias(name)
            for name in OBSERVATION_COLUMNS
        ],
    ).rechunk()


def skipped_rows(
    frame: pl.DataFrame, column: str | None, value: pl.Expr, message: pl.Expr | str
) -> pl.DataFrame:
    """Returns one skipped line per row of ``frame``."""
    message = pl.lit(message) if isinstance(message, str) else message
    return frame.rechunk().select(
        row=pl.col("_row").cast(pl.Int64),
        column=pl.lit(column, pl.String),
        value=value.cast(pl.String),
        message=message.cast(pl.String),
    )


def is_blank(expr: pl.Expr) -> pl.Expr:
    """Returns True where the cell is missing or only spaces."""
    return expr.is_null() | (expr.cast(pl.String).str.strip_chars() == "")


def exact_repeats(
    table: pl.DataFrame, extra_columns: list[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (table without rows that repeat an earlier row in every template column, skipped).

    Exports that list an area under two area types repeat its rows word for word; keeping
    one is safe. Rows that share a key but differ are left for validation to report.
    ``extra_columns`` (a breakdown's dimensions) must repeat too.
    """
    columns = [*OBSERVATION_COLUMNS, *(extra_columns or [])]
    keyed = table.with_columns(_first=pl.col("_row").min().over(columns))
    repeats = keyed.filter(pl.col("_row") != pl.col("_first"))
    if repeats.height == 0:
        return table, no_skipped_rows()
    skipped = skipped_rows(
        repeats,
        None,
        pl.lit(None, pl.String),
        pl.format(
            "Repeats row {} exactly (the same area listed twice, for example under two area "
            "types); one copy is loaded.",
            pl.col("_first"),
        ),
    )
    return keyed.filter(pl.col("_row") == pl.col("_first")).drop("_first"), skipped


_RANGE = re.compile(
    r"^\s*(\d{4})(?:/(\d{2}))?\s*(?:-|–|to)\s*(\d{2}|\d{4})(?:/(\d{2}))?\s*$", re.IGNORECASE
)
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2}|\d{4})\s*$")


def period_label(source: str | None) -> tuple[str | None, str | None]:
    """Returns (our period label, how it was read) for a period as publishers write it.

    Labels we read already (``2008/09``, ``2008``, ``2008/09 Q1``) pass through unchanged with
    no explanation. Publishers' forms we can express are rewritten: ONS ``201920`` is the
    financial year ``2019/20``. A span of several years (``2016 - 18``, ``201618``,
    ``2016/17 - 18/19``) has no label of ours, so it is loaded as its last year, the year the
    data runs to, and the explanation says so. Anything else passes through for validation
    to report.
    """
    label, explanation, _ = _read_period(source)
    return label, explanation


def _read_period(source: str | None) -> tuple[str | None, str | None, bool]:
    """Returns (label, explanation, whether the source was a span of several years)."""
    if source is None or not source.strip():
        return source, None, False
    text = source.strip()
    if pl.select(parse_periods(pl.lit(text))).item()["period"] is not None:
        return text, None, False
    compact = _COMPACT.match(text)
    if compact:
        start = int(compact.group(1))
        end = _full_year(start, compact.group(2))
        if end == start + 1:
            label = f"{start}/{str(end)[2:]}"
            return (
                label,
                f"Period '{text}' is read as the financial year {label} (two years written "
                "together).",
                False,
            )
        if end > start + 1:
            return str(end), _span_note(text, start, end, str(end)), True
        return text, None, False
    span = _RANGE.match(text)
    if span:
        start = int(span.group(1))
        end = _full_year(start, span.group(3))
        if span.group(2) is not None and span.group(4) is not None and len(span.group(3)) == 2:
            # 2016/17 - 18/19: the second part names the financial year the span ends with.
            label = f"{end}/{span.group(4)}"
            first = f"{start}/{span.group(2)}"
            return (
                label,
                f"Period '{text}' covers {end - start + 1} financial years ({first} to {label}); "
                f"our periods are single years, so it is loaded as {label}, the year it ends, "
                f"and each row's note says 'Period in the source: {text}'.",
                True,
            )
        if end > start:
            return str(end), _span_note(text, start, end, str(end)), True
    return text, None, False


def _full_year(start: int, text: str) -> int:
    if len(text) == 4:
        return int(text)
    year = (start // 100) * 100 + int(text)
    return year + 100 if year < start else year


def _span_note(text: str, start: int, end: int, label: str) -> str:
    return (
        f"Period '{text}' covers {end - start + 1} years ({start} to {end}); our periods are "
        f"single years, so it is loaded as {label}, the year it ends, and each row's note says "
        f"'Period in the source: {text}'."
    )


def map_periods(frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, list[str]]:
    """Returns ``frame`` with ``_period`` (our label) and ``_period_note`` (for the row's note)
    added from ``column``, and one sentence per period form that was rewritten."""
    labels = frame.get_column(column).unique().to_list()
    readings = {label: _read_period(label) for label in labels}
    lookup = pl.DataFrame(
        {
            column: list(readings),
            "_period": [label for label, _, _ in readings.values()],
            "_period_note": [
                f"Period in the source: {source.strip()}" if span else None
                for source, (_, _, span) in readings.items()
            ],
        },
        schema={column: pl.String, "_period": pl.String, "_period_note": pl.String},
    )
    notes = sorted({note for _, note, _ in readings.values() if note})
    joined = frame.join(lookup, on=column, how="left", nulls_equal=True, maintain_order="left")
    return joined, notes


def join_notes(*parts: pl.Expr) -> pl.Expr:
    """Returns the non-blank parts joined with '; ' (null when all are blank)."""
    cleaned = [pl.when(is_blank(p)).then(None).otherwise(p.cast(pl.String)) for p in parts]
    joined = pl.concat_str(cleaned, separator="; ", ignore_nulls=True)
    return pl.when(joined == "").then(None).otherwise(joined)
