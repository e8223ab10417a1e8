"""What the latest data release changed: new periods and revised values, old beside new."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.analytics._sql import CURRENT_ROW, LIVE_CTE
from warehouse.analytics.latest import indicator_number
from warehouse.frames import query

# The latest live indicator batch and the region's areas, as constants for the query below.
_LATEST_BATCH_SQL = f"""
WITH {LIVE_CTE}
SELECT (SELECT batch_id FROM live WHERE kind = 'indicators'
        ORDER BY batch_rank DESC LIMIT 1) AS batch_id,
       (SELECT list(area_code) FROM areas WHERE region_code = $region_code) AS region_areas
"""  # noqa: S608 - the fragment is ours; values arrive as parameters

_CHANGES_SQL = f"""
WITH {LIVE_CTE},
latest_batch AS (
    SELECT batch_id, created_at, file_name, batch_rank FROM live
    WHERE batch_id = $batch_id
),
incoming AS MATERIALIZED (
    -- The batch and the region's areas are constants, so the scan itself filters them.
    SELECT o.indicator_id, o.area_code, o.period, o.period_end, o.value, o.lower_ci_95,
           o.upper_ci_95, o.lower_ci_99_8, o.upper_ci_99_8, o.count, o.denominator,
           o.batch_id, l.created_at, l.file_name, l.batch_rank AS incoming_rank
    FROM observations o
    JOIN latest_batch l ON l.batch_id = o.batch_id
    WHERE o.batch_id = $batch_id AND list_contains($region_areas, o.area_code)
),
candidates AS MATERIALIZED (
    -- Every row ever loaded for the incoming keys: found first, so the join with the
    -- few incoming keys, not the list of batches, is what narrows the observations.
    SELECT o.indicator_id, o.area_code, o.period, o.value, o.lower_ci_95, o.upper_ci_95,
           o.lower_ci_99_8, o.upper_ci_99_8, o.count, o.denominator, o.batch_id,
           k.incoming_rank
    FROM observations o
    JOIN incoming k
      ON k.indicator_id = o.indicator_id AND k.area_code = o.area_code AND k.period = o.period
    WHERE list_contains($region_areas, o.area_code)
),
previous AS (
    -- What was current just before the latest batch: the newest of the earlier live rows.
    SELECT o.* EXCLUDE (incoming_rank)
    FROM candidates o
    JOIN live b ON b.batch_id = o.batch_id
    WHERE b.batch_rank < o.incoming_rank
    {CURRENT_ROW}
)
SELECT i.batch_id, i.file_name, i.created_at AS loaded_at,
       i.indicator_id, n.name AS indicator_name, n.unit,
       i.area_code, a.name AS area_name, a.area_type, a.tier,
       i.period, i.period_end,
       CASE WHEN p.indicator_id IS NULL THEN 'new' ELSE 'revised' END AS change,
       p.value AS previous_value, i.value,
       i.value - p.value AS difference,
       p.lower_ci_95 AS previous_lower_ci_95, p.upper_ci_95 AS previous_upper_ci_95,
       i.lower_ci_95, i.upper_ci_95,
       p.batch_id AS previous_batch_id
FROM incoming i
LEFT JOIN previous p
  ON p.indicator_id = i.indicator_id AND p.area_code = i.area_code AND p.period = i.period
JOIN current_indicators n ON n.indicator_id = i.indicator_id
JOIN areas a ON a.area_code = i.area_code
WHERE p.indicator_id IS NULL
   OR p.value IS DISTINCT FROM i.value
   OR p.lower_ci_95 IS DISTINCT FROM i.lower_ci_95
   OR p.upper_ci_95 IS DISTINCT FROM i.upper_ci_95
   OR p.lower_ci_99_8 IS DISTINCT FROM i.lower_ci_99_8
   OR p.upper_ci_99_8 IS DISTINCT FROM i.upper_ci_99_8
   OR p.count IS DISTINCT FROM i.count
   OR p.denominator IS DISTINCT FROM i.denominator
"""  # noqa: S608 - the fragments are ours; values arrive as parameters


_LATEST_BATCH_RECORD_SQL = """
SELECT batch_id, file_name, created_at AS loaded_at, rows_loaded, rows_new, rows_revised,
       rows_unchanged
FROM live_batches WHERE kind = 'indicators'
ORDER BY created_at DESC, batch_id DESC
LIMIT 1
"""


def latest_indicator_batch(con: duckdb.DuckDBPyConnection) -> dict | None:
    """Returns the latest live batch of indicator values, as its lineage recorded it.

    Returns
    -------
    dict or None
        ``batch_id``, ``file_name``, ``loaded_at``, ``rows_loaded``, ``rows_new``,
        ``rows_revised`` and ``rows_unchanged`` (England-wide counts, as classified when
        the batch was loaded); None when no indicator batch is live. One small read, where
        :func:`changes_since_previous_batch` compares the batch's rows with the values
        before it.
    """
    found = query(con, _LATEST_BATCH_RECORD_SQL)
    return found.row(0, named=True) if found.height else None


def changes_since_previous_batch(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns what the latest live indicator batch changed in the region: new and revised values.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region; every area of the region counts (the region itself,
        counties, unitaries and districts).

    Returns
    -------
    polars.DataFrame
        One row per (indicator, area, period) that the batch added or revised, with
        ``batch_id``, ``file_name``, ``loaded_at``, ``indicator_id``, ``indicator_name``,
        ``unit``, ``area_code``, ``area_name``, ``area_type``, ``tier``, ``period``,
        ``period_end``, ``change`` ("new": no value for that key before; "revised": a value
        or interval differs from the one current before the batch), ``previous_value``,
        ``value``, ``difference`` (new minus previous), the previous and new 95% interval
        and ``previous_batch_id``. Rows the batch repeated unchanged are left out. Sorted
        by change (new first), indicator number, period, area name. Empty when no
        indicator batch is live.

    Notes
    -----
    "Before" means the live batches loaded earlier than the latest one, so withdrawing
    the latest batch makes the one before it "latest" and its changes show instead.
    """
    batch_id, region_areas = con.execute(_LATEST_BATCH_SQL, {"region_code": region_code}).fetchone()
    changes = query(
        con,
        _CHANGES_SQL,
        # Without a live indicator batch (or areas) the query finds nothing.
        {"batch_id": batch_id or "", "region_areas": list(region_areas or [])},
    )
    return changes.sort(
        pl.col("change") != "new",
        indicator_number(),
        "period_end",
        "area_name",
    )
