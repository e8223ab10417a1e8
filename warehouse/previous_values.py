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
    pairs = keys.select("indicator_id", "area_code", "frequency")
    # A file's rows come in runs of one indicator and area: keep the first of each run (a
    # cheap look at the row before), then the distinct ones among those.
    run_starts = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in pairs.columns)
    pairs = pairs.filter(run_starts | (pl.int_range(pl.len()) == 0)).unique()
    name = f"incoming_{uuid.uuid4().hex}"
    con.register(name, pairs.to_arrow())
    try:
        sql = f"""
            SELECT * FROM (
                SELECT o.indicator_id, o.area_code, o.frequency,
                       o.period AS previous_period, o.period_end AS previous_period_end,
                       o.value AS previous_value
                FROM observations o
                JOIN live_batches b ON b.batch_id = o.batch_id
                SEMI JOIN "{name}" p ON p.indicator_id = o.indicator_id
                    AND p.area_code = o.area_code AND p.frequency = o.frequency
                QUALIFY row_number() OVER (
                    PARTITION BY o.indicator_id, o.area_code, o.period
                    ORDER BY b.created_at DESC, b.batch_id DESC
                ) = 1
            )
            WHERE previous_value IS NOT NULL
        """  # noqa: S608 - the registered name is ours; values never enter the text
        current = con.execute(sql).pl()
    finally:
        con.unregister(name)
    if current.is_empty():
        return pl.DataFrame(schema=PREVIOUS_SCHEMA)
    # The latest strictly earlier period of each key: an as-of join, which Polars does in a
    # sorted pass (DuckDB's ASOF JOIN took minutes on a million rows with three keys).
    by = ["indicator_id", "area_code", "frequency"]
    found = (
        keys.sort("period_end")
        .join_asof(
            current.cast({"previous_period_end": pl.Date}).sort("previous_period_end"),
            left_on="period_end",
            right_on="previous_period_end",
            by=by,
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,  # sorted just above; Polars cannot check within groups
        )
        .filter(pl.col("previous_period_end").is_not_null())
    )
    return found.select(PREVIOUS_SCHEMA.keys()).cast(PREVIOUS_SCHEMA)
