"""Wide tables: one column per period (``indicator_id, area_code, 2006/07, 2007/08, …``).

Spreadsheets kept by hand often look like this. The table is melted to one row per
indicator, area and period. Which column holds what is a ``WideMapping``: ``suggest_mapping``
proposes one from the header and the cells, and the app shows it for the analyst to confirm
or correct before ``wide_to_native`` uses it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from pipelines import normalise
from pipelines.formats.conversion import (
    Conversion,
    UnknownLayout,
    column_key,
    is_blank,
    native_table,
    no_proposed_indicators,
    no_skipped_rows,
)
from pipelines.periods import parse_periods

AREA_COLUMN_NAMES = {
    "area code", "areacd", "area", "code", "gss code", "ons code", "la code", "lad code",
    "geography code", "local authority code", "authority code",
}  # fmt: skip
INDICATOR_COLUMN_NAMES = {"indicator id", "indicator", "indicator code", "ni", "id"}
NOTE_COLUMN_NAMES = {"note", "notes", "value note", "comment", "comments"}
AREA_CODE_PATTERN = r"^(?:[EWSNK]\d{8}|\d{2}[A-Z]{0,2}|[A-K])$"
INDICATOR_PATTERN = r"^(?i:NI)\s*\d+$"
_MOSTLY = 0.8


@dataclass(frozen=True)
class WideMapping:
    """Which columns of a wide table hold what.

    Attributes
    ----------
    area_code
        The column holding area codes.
    periods
        Each period column and the period label its values belong to, e.g.
        ``{"2006-07": "2006/07"}``; a list of columns means each is named by its period.
    indicator_id
        The column holding indicator ids, or None when the whole table is one indicator.
    fixed_indicator_id
        The indicator of every row when there is no indicator column, e.g. ``"NI 116"``.
    note
        A column of notes that applies to every period of its row, if any.
    column_indicators
        The indicator of a value column, for a file whose columns are measures rather than
        periods (the IMD file's ``Score``): ``{"Score": "IMD SCORE"}``. A column named here
        takes this indicator whatever ``indicator_id`` or ``fixed_indicator_id`` say.
    """

    area_code: str | None
    periods: Mapping[str, str] | Sequence[str] = field(default_factory=dict)
    indicator_id: str | None = None
    fixed_indicator_id: str | None = None
    note: str | None = None
    column_indicators: Mapping[str, str] = field(default_factory=dict)

    def period_labels(self) -> dict[str, str]:
        """Returns {column: period label} whichever form ``periods`` was given in."""
        if isinstance(self.periods, Mapping):
            return dict(self.periods)
        return {column: column for column in self.periods}


def period_columns(table: pl.DataFrame) -> dict[str, str]:
    """Returns {column: our period label} for the columns whose names read as periods."""
    columns = [c for c in table.columns if c != "_row"]
    if not columns:
        return {}
    labels = pl.DataFrame({"column": columns}).select(parse_periods(pl.col("column"))).to_series()
    return {
        column: parsed["period"]
        for column, parsed in zip(columns, labels.to_list(), strict=True)
        if parsed["period"] is not None
    }


def suggest_mapping(table: pl.DataFrame) -> WideMapping:
    """Returns the mapping the table most likely follows: period columns from their names,
    the area and indicator columns from their names or, failing that, from their cells.
    ``area_code`` is None when no column looks like area codes."""
    periods = period_columns(table)
    others = [c for c in table.columns if c != "_row" and c not in periods]
    area = _by_name(others, AREA_COLUMN_NAMES) or _by_cells(table, others, AREA_CODE_PATTERN)
    rest = [c for c in others if c != area]
    indicator = _by_name(rest, INDICATOR_COLUMN_NAMES) or _by_cells(table, rest, INDICATOR_PATTERN)
    note = _by_name([c for c in rest if c != indicator], NOTE_COLUMN_NAMES)
    return WideMapping(area_code=area, periods=periods, indicator_id=indicator, note=note)


def mapping_for_columns(
    table: pl.DataFrame,
    column_periods: Mapping[str, str] | None = None,
    column_indicators: Mapping[str, str] | None = None,
    area_code: str | None = None,
) -> WideMapping:
    """Returns the suggested mapping with the analyst's choices put in its place.

    ``column_periods`` ({column: period}) names the value columns and their periods (all of
    them: the suggested period columns are then not used); ``column_indicators`` ({column:
    indicator id}) gives a value column its indicator; ``area_code`` the area column. A
    column given an indicator but no period keeps the period its name reads as, if any.
    """
    suggestion = suggest_mapping(table)
    periods = dict(column_periods) if column_periods else suggestion.period_labels()
    indicators = {c: i.strip() for c, i in (column_indicators or {}).items() if i and i.strip()}
    for column in indicators:
        periods.setdefault(column, suggestion.period_labels().get(column, ""))
    indicator_column = suggestion.indicator_id
    if indicator_column in periods or (periods and set(periods) <= set(indicators)):
        indicator_column = None
    return WideMapping(
        area_code=area_code or suggestion.area_code,
        periods=periods,
        indicator_id=indicator_column,
        note=suggestion.note,
        column_indicators=indicators,
    )


def column_review(
    table: pl.DataFrame, suggestion: WideMapping, exclude: Sequence[str | None] = ()
) -> pl.DataFrame:
    """Returns one row per column that may hold values: ``column``, ``period`` (the period
    its name reads as, or empty) and ``indicator`` (empty), for the analyst to fill in.

    ``exclude`` are the columns chosen for something else (areas, indicator ids).
    """
    labels = suggestion.period_labels()
    skip = {"_row", suggestion.note, *exclude}
    columns = [c for c in table.columns if c not in skip]
    return pl.DataFrame(
        {
            "column": columns,
            "period": [labels.get(c) for c in columns],
            "indicator": [suggestion.column_indicators.get(c) for c in columns],
        },
        schema={"column": pl.String, "period": pl.String, "indicator": pl.String},
    )


def mapping_from_review(
    area_code: str | None, indicator_id: str | None, review: pl.DataFrame
) -> WideMapping | None:
    """Returns the mapping the analyst gave in a ``column_review`` table, or None when no
    column has a period or an indicator (the file is then read as the template).

    A column with a period or an indicator is loaded; a column with neither is not.
    """
    rows = review.with_columns(
        pl.col("period", "indicator").cast(pl.String).str.strip_chars().replace("", None)
    ).filter(pl.col("period").is_not_null() | pl.col("indicator").is_not_null())
    if rows.is_empty():
        return None
    return WideMapping(
        area_code=area_code,
        periods={r["column"]: r["period"] or "" for r in rows.iter_rows(named=True)},
        indicator_id=indicator_id,
        column_indicators={
            r["column"]: r["indicator"] for r in rows.iter_rows(named=True) if r["indicator"]
        },
    )


def _by_name(columns: list[str], names: set[str]) -> str | None:
    return next((c for c in columns if column_key(c) in names), None)


def _by_cells(table: pl.DataFrame, columns: list[str], pattern: str) -> str | None:
    sample = table.head(200)
    for column in columns:
        cells = sample.get_column(column).cast(pl.String).str.strip_chars().drop_nulls()
        cells = cells.filter(cells != "")
        if cells.len() and cells.str.contains(pattern).mean() >= _MOSTLY:
            return column
    return None


def to_native(table: pl.DataFrame, mapping: WideMapping | None = None) -> Conversion:
    """Returns a wide table as the native table, with ``mapping`` or the suggested one."""
    return wide_to_native(table, mapping or suggest_mapping(table))


def wide_to_native(table: pl.DataFrame, mapping: WideMapping) -> Conversion:
    """Returns a wide table melted to the native table: one row per indicator, area and
    period, each keeping the ``_row`` it came from. Empty cells are left out and listed."""
    labels = mapping.period_labels()
    _check_mapping(table, mapping, labels)
    index = ["_row", mapping.area_code]
    if mapping.indicator_id:
        index.append(mapping.indicator_id)
    if mapping.note:
        index.append(mapping.note)
    long = (
        table.select(*index, *[pl.col(c).cast(pl.String) for c in labels])
        .unpivot(on=list(labels), index=index, variable_name="_column", value_name="_value")
        .with_columns(
            _period=pl.col("_column").replace_strict(labels, return_dtype=pl.String),
            _order=pl.col("_column").replace_strict(
                {c: i for i, c in enumerate(labels)}, return_dtype=pl.Int64
            ),
        )
        .sort("_row", "_order")
    )
    empty = long.filter(is_blank(pl.col("_value")))
    long = long.filter(~is_blank(pl.col("_value")))
    indicator = (
        pl.col(mapping.indicator_id)
        if mapping.indicator_id
        else pl.lit(mapping.fixed_indicator_id, pl.String)
    )
    if mapping.column_indicators:
        indicator = pl.col("_column").replace_strict(
            dict(mapping.column_indicators), default=indicator, return_dtype=pl.String
        )
    converted = native_table(
        long,
        indicator_id=indicator,
        area_code=pl.col(mapping.area_code),
        period=pl.col("_period"),
        value=pl.col("_value"),
        note=pl.col(mapping.note) if mapping.note else pl.lit(None, pl.String),
    )
    notes = [
        f"Read as a wide table: areas from '{mapping.area_code}', "
        + _indicators_read_from(mapping)
        + f", and {len(labels)} value column(s) ("
        + ", ".join(f"'{c}' as {p}" if c != p else f"'{c}'" for c, p in list(labels.items())[:4])
        + (" …" if len(labels) > 4 else "")
        + f"), giving {converted.height} value(s)."
    ]
    used = {"_row", mapping.area_code, mapping.indicator_id, mapping.note, *labels}
    unused = [c for c in table.columns if c not in used]
    if unused:
        notes.append(f"Column(s) {', '.join(map(repr, unused))} are not used.")
    skipped = no_skipped_rows()
    if empty.height:
        skipped = empty.rechunk().select(
            row=pl.col("_row").cast(pl.Int64),
            column=pl.col("_column"),
            value=pl.lit(None, pl.String),
            message=pl.format("No value for {}: nothing to load.", pl.col("_period")),
        )
        notes.append(f"{empty.height} empty cell(s) (no value for that period) were left out.")
    source_columns = {"area_code": mapping.area_code}
    if mapping.indicator_id:
        source_columns["indicator_id"] = mapping.indicator_id
    if mapping.note:
        source_columns["note"] = mapping.note
    return Conversion(
        table=converted,
        skipped=skipped,
        proposed_indicators=_proposed(mapping, labels),
        notes=notes,
        layout="wide",
        source_columns=source_columns,
    )


def _indicators_read_from(mapping: WideMapping) -> str:
    """Returns the words saying where the rows' indicators come from."""
    given = ", ".join(f"'{c}' as {i}" for c, i in mapping.column_indicators.items())
    if mapping.indicator_id:
        base = f"indicators from '{mapping.indicator_id}'"
    elif mapping.fixed_indicator_id:
        base = f"every row for indicator {mapping.fixed_indicator_id}"
    else:
        return f"indicators by column ({given})"
    return base + (f" (column {given})" if given else "")


def _proposed(mapping: WideMapping, labels: dict[str, str]) -> pl.DataFrame:
    """Returns the indicators the analyst named for the table (not those in its cells), as
    proposed indicators: loading creates those not in the catalogue once they are confirmed.

    Ids read from an indicator column are left to validation, so that a mistyped id in a
    file is reported rather than proposed.
    """
    named = {c: i for c, i in mapping.column_indicators.items() if c in labels}
    if mapping.fixed_indicator_id and not mapping.indicator_id:
        for column in labels:
            named.setdefault(column, mapping.fixed_indicator_id)
    if not named:
        return no_proposed_indicators()
    rows = pl.DataFrame(
        {"column": list(named), "indicator_id": list(named.values())},
        schema={"column": pl.String, "indicator_id": pl.String},
    ).with_columns(indicator_id=normalise.indicator_id("indicator_id"))
    proposed = rows.group_by("indicator_id", maintain_order=True).agg(
        name=pl.col("column").str.join(", ")
    )
    return proposed.select(
        "indicator_id",
        name=pl.when(pl.col("indicator_id") == pl.lit(mapping.fixed_indicator_id, pl.String))
        .then(pl.col("indicator_id"))
        .otherwise(pl.col("name")),
        unit=pl.lit(None, pl.String),
        value_type=pl.lit(None, pl.String),
        multiplier=pl.lit(None, pl.Float64),
        polarity=pl.lit(None, pl.String),
        source=pl.lit("Uploaded as a table with one column per measure or period"),
        theme=pl.lit(None, pl.String),
    )


def _check_mapping(table: pl.DataFrame, mapping: WideMapping, labels: dict[str, str]) -> None:
    """Refuses a mapping that names columns the table lacks or leaves something unmapped."""
    named = [mapping.area_code, mapping.indicator_id, mapping.note, *labels]
    absent = [c for c in named if c and c not in table.columns]
    if absent:
        raise UnknownLayout(
            f"The column mapping names column(s) {', '.join(map(repr, absent))}, which the file "
            "does not have. Choose from: "
            + ", ".join(repr(c) for c in table.columns if c != "_row")
            + "."
        )
    if not mapping.area_code:
        raise UnknownLayout(
            "Say which column holds the area codes (GSS codes such as E06000001, or old "
            "codes such as 00EB)."
        )
    if not labels:
        raise UnknownLayout(
            "Say which columns hold values for a period, and which period each is (2008/09, "
            "2008, 2008/09 Q1)."
        )
    unnamed = [c for c in labels if c not in mapping.column_indicators]
    if unnamed and not mapping.indicator_id and not mapping.fixed_indicator_id:
        raise UnknownLayout(
            "Say which column holds the indicator ids, or which indicator the whole table is "
            "for (e.g. NI 116), or which indicator each value column holds."
        )
    bad = [c for c, p in labels.items() if not re.search(r"\d{4}", p or "")]
    if bad:
        raise UnknownLayout(
            f"Give each period column a period such as 2008/09 or 2008: column(s) "
            f"{', '.join(map(repr, bad))} have none. In the app, type it beside the column; "
            "on the command line, add --column-period for it "
            f'(--column-period "{bad[0]}=2010").'
        )
