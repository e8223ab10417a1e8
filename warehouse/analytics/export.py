"""Downloads: the explorer's table for one region, made safe to open in a spreadsheet."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.analytics.explorer import ExplorerFilters, explorer

#: A text cell starting with one of these is read as a formula by spreadsheet programs
#: (tab and carriage return can hide one), so it is prefixed with a single quote.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
_STARTS_LIKE_A_FORMULA = r"^[=+\-@\t\r]"


def export_table(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    indicator_id: str | None = None,
    outcome_department_id: str | None = None,
) -> pl.DataFrame:
    """Returns the explorer's columns for a region, optionally one indicator or outcome department.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region.
    indicator_id : str, optional
        Only this indicator.
    outcome_department_id : str, optional
        Only this outcome department's member indicators.

    Returns
    -------
    polars.DataFrame
        Columns :data:`warehouse.analytics.explorer.EXPLORER_COLUMNS` (values, both
        intervals and every status as words). Pass it through
        :func:`safe_for_spreadsheet` before writing CSV or XLSX.
    """
    filters = ExplorerFilters(
        region_code=region_code,
        indicator_ids=(indicator_id,) if indicator_id else None,
        outcome_department_id=outcome_department_id,
    )
    return explorer(con, filters)


def safe_for_spreadsheet(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` with every text cell that could run as a formula prefixed with ``'``.

    Parameters
    ----------
    frame : polars.DataFrame
        Any frame about to be written to CSV or XLSX.

    Returns
    -------
    polars.DataFrame
        The same frame; text (and categorical) cells beginning with ``=``, ``+``, ``-``,
        ``@``, a tab or a carriage return start with a single quote instead, so a
        spreadsheet shows them as text (the OWASP advice on CSV injection). Number, date
        and boolean columns are untouched, and so are other text cells.
    """
    text_columns = [
        name
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ]
    return frame.with_columns(
        pl.when(pl.col(name).cast(pl.String).str.contains(_STARTS_LIKE_A_FORMULA))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name in text_columns
    )
