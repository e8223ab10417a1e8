"""SQL fragments shared by the analytics queries. Only our own text goes in here, never values.

The analytics read ``observations`` joined to live batches rather than the
``current_observations`` view: the view ranks every row in the warehouse before any filter
can apply (DuckDB does not push a join filter through a window function), which at ten
million rows costs tens of CPU-seconds. Each query first narrows the rows (region, indicators,
periods) and then applies the view's own rule to what is left, with the fragments below.
"""

from __future__ import annotations

#: Live batches (not withdrawn), as the ``live`` CTE: join it as ``b`` on ``batch_id``.
#: ``batch_rank`` orders them as the current_observations view does (created_at, then
#: batch_id), so that "newest" is one integer comparison.
LIVE_CTE = """live AS MATERIALIZED (
    SELECT batch_id, kind, file_name, created_at,
           row_number() OVER (ORDER BY created_at, batch_id) AS batch_rank
    FROM live_batches
)"""

#: The current_observations rule: of the live rows of one key, the newest batch wins.
#: Use with observations aliased ``o`` and ``live`` aliased ``b``. (A key appears at most
#: once in a batch, which the pipelines enforce, so exactly one row is kept; a windowed
#: max over an integer is several times cheaper than ranking rows by timestamp and text.)
CURRENT_ROW = """QUALIFY b.batch_rank = max(b.batch_rank) OVER (
        PARTITION BY o.indicator_id, o.area_code, o.period
    )"""

#: The latest period of an indicator: the one ending last; of two ending together (a year
#: and its fourth quarter) the longer one. Use in a window over distinct periods.
LATEST_PERIOD_FIRST = "ORDER BY period_end DESC, period_start"

#: Whether area ``a`` existed at the end of the period of row ``f``: region figures count an
#: area only for the periods it existed, so that an area and its successor (Christchurch and
#: Bournemouth, Christchurch and Poole) never both count. The areas of the April 2009
#: structure count for the periods before it too: the warehouse holds none of their
#: predecessors, and the National Indicator Set was published on their boundaries.
AREA_EXISTED = """(
    (a.valid_to IS NULL OR f.period_end <= a.valid_to)
    AND (a.valid_from IS NULL OR a.valid_from <= DATE '2009-04-01'
         OR f.period_end >= a.valid_from)
)"""
