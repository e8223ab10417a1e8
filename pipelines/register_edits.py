"""Saving the programme register as edited in the app: one batch per save (issue 15).

The edited table goes through the same loader as an uploaded file (``load_frame``), so it is
validated with the same sentences, checked against the user's role and regions, previewed as
new and revised rows, and written as one batch that the Data batches page can roll back.
"""

from __future__ import annotations

import hashlib
from datetime import date

import duckdb
import polars as pl

from pipelines.load import LoadOutcome, load_frame
from pipelines.programmes import COLUMNS
from warehouse.access import User


def as_text_table(edited: pl.DataFrame, kind: str) -> tuple[pl.DataFrame, str]:
    """Returns the edited rows as an upload's text table (``_row`` numbers the table's rows
    from 1), and the SHA-256 of its CSV."""
    columns = COLUMNS[kind]
    text = edited.select(
        pl.col(c).map_elements(_cell, return_dtype=pl.String)
        if c in edited.columns
        # A column the editor did not show (none today) is empty, as in a template.
        else pl.lit("", pl.String).alias(c)
        for c in columns
    )
    blank = pl.all_horizontal(pl.col(c).str.strip_chars() == "" for c in columns)
    text = text.filter(~blank)  # a row added and left empty is not a row
    sha = hashlib.sha256(text.write_csv().encode("utf-8")).hexdigest()
    return text.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64)), sha


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def save_register_edit(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    edited: pl.DataFrame,
    operator: User | str,
    confirm_revisions: bool = False,
) -> LoadOutcome:
    """Returns the outcome of saving the edited register table of ``kind`` as one batch."""
    table, sha = as_text_table(edited, kind)
    return load_frame(
        con,
        table,
        kind=kind,
        file_name=f"{kind.replace('_', ' ')} edited in the app",
        sha256=sha,
        operator=operator,
        confirm_revisions=confirm_revisions,
    )
