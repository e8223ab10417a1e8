"""Layouts an analyst's file may come in, each converted to the native indicator-values table.

``detect_layout`` names the layout from the header; ``to_native`` converts with the layout's
own converter (``native``, ``fingertips``, ``ons``, ``wide``), returning a ``Conversion``:
the native table (each row keeping its original ``_row``), the rows left out and why,
indicators that would need creating, and notes on how the file was read. Validation then
checks the native table exactly as it checks a file written in the template.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from pipelines.formats import fingertips, native, ons, wide
from pipelines.formats.conversion import NATIVE_COLUMNS, Conversion, UnknownLayout, column_key
from pipelines.formats.wide import WideMapping, suggest_mapping, wide_to_native
from pipelines.validate import OBSERVATION_REQUIRED

NATIVE = "native"
FINGERTIPS = "fingertips"
ONS_TIDY = "ons_tidy"
WIDE = "wide"
UNKNOWN = "unknown"
LAYOUTS = (NATIVE, FINGERTIPS, ONS_TIDY, WIDE, UNKNOWN)

_SIGNATURES = {
    NATIVE: set(OBSERVATION_REQUIRED),
    FINGERTIPS: {"Indicator ID", "Area Code", "Time period", "Value"},
    ONS_TIDY: {"AREACD", "Indicator", "Period", "Value"},
}

__all__ = [
    "LAYOUTS",
    "NATIVE_COLUMNS",
    "Conversion",
    "UnknownLayout",
    "WideMapping",
    "detect_layout",
    "suggest_mapping",
    "to_native",
    "wide_to_native",
]


def detect_layout(table: pl.DataFrame) -> str:
    """Returns the layout the table's header follows: 'native', 'fingertips', 'ons_tidy',
    'wide' (two or more columns named as periods) or 'unknown'.

    Names are compared ignoring case, spaces and underscores.
    """
    keys = {column_key(c) for c in table.columns if c != "_row"}
    for layout, signature in _SIGNATURES.items():
        if {column_key(c) for c in signature} <= keys:
            return layout
    if len(wide.period_columns(table)) >= 2:
        return WIDE
    return UNKNOWN


def to_native(
    table: pl.DataFrame,
    layout: str | None = None,
    *,
    indicator_ids: Mapping[str, str] | None = None,
    metadata: pl.DataFrame | None = None,
    mapping: WideMapping | None = None,
) -> Conversion:
    """Returns the table converted to the native table by its layout's converter.

    Parameters
    ----------
    table
        Cells as text with ``_row``, as ``readers.read_table`` returns them.
    layout
        One of ``LAYOUTS``; detected from the header when None.
    indicator_ids
        Fingertips only: our id for each Fingertips indicator id (``{"90630": "NI 116"}``).
    metadata
        ONS only: the companion metadata file, as ``ons.read_metadata`` returns it.
    mapping
        Wide only: which column holds what; suggested from the table when None.

    A table of no known layout, with no mapping, is read as the template, so that
    validation reports the columns it lacks; the app can offer a mapping first
    (``detect_layout`` says 'unknown', ``suggest_mapping`` proposes one).

    Raises
    ------
    UnknownLayout
        When ``layout`` names no layout, or the table lacks that layout's columns; the
        message says which columns are missing.
    """
    layout = layout or detect_layout(table)
    if layout == NATIVE:
        return native.to_native(table)
    if layout == FINGERTIPS:
        return fingertips.to_native(table, indicator_ids)
    if layout == ONS_TIDY:
        return ons.to_native(table, metadata)
    if layout == WIDE:
        return wide.to_native(table, mapping)
    if layout == UNKNOWN and mapping is not None:
        return wide_to_native(table, mapping)
    if layout == UNKNOWN:
        # Read as the template, so that validation names the columns it misses.
        converted = native.to_native(table)
        converted.layout = UNKNOWN
        converted.notes.insert(
            0,
            "The columns match none of the layouts we read (the template, a Fingertips "
            "export, an ONS tidy file, a wide table with one column per period), so the file "
            "is read as the template.",
        )
        return converted
    raise UnknownLayout(f"Unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}.")
