"""Sentences about when an area existed: created from which areas, abolished into which.

The areas of April 2009 were reorganised in 2019, 2020, 2021 and 2023. A page that shows an
area created or abolished since says so, and says whether the warehouse holds values for
the periods the area did not exist (some publishers estimate earlier years on present-day
boundaries). Region figures leave such values out (``_sql.AREA_EXISTED``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import duckdb
import polars as pl

from warehouse import reference_queries

# The first and last period end of each area's current values, with the count of values
# outside the area's life; only for the few areas asked about.
_VALUE_RANGE_SQL = """
WITH life AS (
    SELECT unnest($codes) AS area_code, unnest($starts)::DATE AS starts,
           unnest($ends)::DATE AS ends
)
SELECT o.area_code,
       count(*) FILTER (WHERE o.period_end < l.starts) AS before_start,
       count(*) FILTER (WHERE o.period_end > l.ends) AS after_end
FROM observations o
JOIN life l ON l.area_code = o.area_code
WHERE list_contains($codes, o.area_code)
  AND o.batch_id IN (SELECT batch_id FROM live_batches)
GROUP BY o.area_code
"""


def long_date(day: date) -> str:
    """Returns a date as people write it: '1 April 2023'."""
    return f"{day.day} {day:%B %Y}"


def lifetime_sentence(
    name: str,
    starts: date | None,
    valid_to: date | None,
    predecessors: str | None,
    successors: str | None,
    values_before: int = 0,
    values_after: int = 0,
) -> str | None:
    """Returns what a reader needs to know about an area's life, or None for an area that
    existed throughout (one of the April 2009 structure still in place)."""
    parts = []
    if starts is not None:
        made = f"{name} was created on {long_date(starts)}"
        if predecessors:
            made += f" from {predecessors}"
        if values_before:
            made += (
                f"; {values_before} value(s) for it before then describe its present-day area "
                "as the source estimated them, and region figures leave them out."
            )
        else:
            made += "; there are no values for it before then."
        parts.append(made)
    if valid_to is not None:
        ended = f"{name} was abolished on {long_date(valid_to + timedelta(days=1))}"
        if successors:
            ended += f" and became part of {successors}"
        if values_after:
            ended += (
                f"; {values_after} value(s) for it after then are shown here, and region "
                "figures leave them out."
            )
        else:
            ended += "; there are no values for it after then."
        parts.append(ended)
    return " ".join(parts) or None


def area_lifetime_notes(con: duckdb.DuckDBPyConnection, area_codes: Sequence[str]) -> pl.DataFrame:
    """Returns ``area_code`` and ``sentence`` for each of ``area_codes`` created or abolished
    since April 2009 (the others have no row), saying whether values exist outside its life."""
    lives = reference_queries.area_lifetimes(con).filter(
        pl.col("area_code").is_in(list(area_codes))
    )
    if lives.is_empty():
        return pl.DataFrame(schema={"area_code": pl.String, "sentence": pl.String})
    far_past, far_future = date(1900, 1, 1), date(9999, 12, 31)
    codes = lives["area_code"].to_list()
    params = {
        "codes": codes,
        "starts": lives["starts"].fill_null(far_past).to_list(),
        "ends": lives["valid_to"].fill_null(far_future).to_list(),
    }
    counts = {row[0]: (row[1], row[2]) for row in con.execute(_VALUE_RANGE_SQL, params).fetchall()}
    rows = []
    for life in lives.iter_rows(named=True):
        before, after = counts.get(life["area_code"], (0, 0))
        rows.append(
            {
                "area_code": life["area_code"],
                "sentence": lifetime_sentence(
                    life["name"],
                    life["starts"],
                    life["valid_to"],
                    life["predecessors"],
                    life["successors"],
                    before,
                    after,
                ),
            }
        )
    return pl.DataFrame(rows, schema={"area_code": pl.String, "sentence": pl.String})
