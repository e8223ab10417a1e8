"""The current value of the period before each incoming value, for the jump warning."""

from __future__ import annotations

import uuid

import duckdb
import polars as pl

PREVIOUS_SCHEMA = {
    "indicator_id": pl.String,
    "area_code": pl.String,
    "period": pl.String,
    "previous_period": pl.String,
    "previous_period_end": pl.Date,
    "previous_value": pl.Float64,
}


def previous_values(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """Returns, for each incoming (indicator, area, period), the latest current value before it.

    ``rows`` has ``indicator_id``, ``area_code``, ``period``, ``period_end`` and ``frequency``.
    Only periods of the same frequency count, and only values (suppressed periods are
    skipped). The current-value rule is ``current_observations``'s (newest live batch wins),
    applied to the incoming indicator-area pairs only, as ``classify_rows`` does.
    """
    keys = rows.select("indicator_id", "area_code", "period", "period_end", "frequency")
    if keys.is_empty():
        return pl.DataFrame(schema=PREVIOUS_SCHEMA)
    name = f"incoming_{uuid.uuid4().hex}"
    con.register(name, keys.to_arrow())
    try:
        sql = f"""
            WITH pairs AS (SELECT DISTINCT indicator_id, area_code, frequency FROM "{name}"),
            current_rows AS (
                SELECT * FROM (
                    SELECT o.indicator_id, o.area_code, o.frequency, o.period, o.period_end,
                           o.value
                    FROM observations o
                    JOIN live_batches b ON b.batch_id = o.batch_id
                    SEMI JOIN pairs p ON p.indicator_id = o.indicator_id
                        AND p.area_code = o.area_code AND p.frequency = o.frequency
                    QUALIFY row_number() OVER (
                        PARTITION BY o.indicator_id, o.area_code, o.period
                        ORDER BY b.created_at DESC, b.batch_id DESC
                    ) = 1
                )
                WHERE value IS NOT NULL
            )
            SELECT i.indicator_id, i.area_code, i.period, c.period AS previous_period,
                   c.period_end AS previous_period_end, c.value AS previous_value
            FROM "{name}" i
            ASOF JOIN current_rows c
              ON c.indicator_id = i.indicator_id AND c.area_code = i.area_code
             AND c.frequency = i.frequency AND i.period_end > c.period_end
        """  # noqa: S608 - the registered name is ours; values never enter the text
        found = con.execute(sql).pl()
    finally:
        con.unregister(name)
    return found.cast(PREVIOUS_SCHEMA) if found.height else pl.DataFrame(schema=PREVIOUS_SCHEMA)
