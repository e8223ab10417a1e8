"""The native indicator-values template: passes through, with its header's spelling forgiven."""

from __future__ import annotations

import polars as pl

from pipelines.formats.conversion import Conversion, column_key
from pipelines.validate import OBSERVATION_COLUMNS


def to_native(table: pl.DataFrame) -> Conversion:
    """Returns the table unchanged but for column names written another way
    (``Indicator ID`` or ``AREA_CODE`` become ``indicator_id`` and ``area_code``).

    Columns outside the template are kept, so that validation can say they are ignored.
    """
    canonical = {column_key(c): c for c in OBSERVATION_COLUMNS}
    renames = {
        c: canonical[column_key(c)]
        for c in table.columns
        if c != "_row" and column_key(c) in canonical and c != canonical[column_key(c)]
    }
    taken = set(table.columns) - set(renames)
    renames = {old: new for old, new in renames.items() if new not in taken}
    notes = []
    if renames:
        notes.append(
            "Read the column(s) "
            + ", ".join(f"'{old}' as {new}" for old, new in renames.items())
            + "."
        )
    return Conversion(
        table=table.rename(renames),
        notes=notes,
        layout="native",
        source_columns={new: old for old, new in renames.items()},
    )
