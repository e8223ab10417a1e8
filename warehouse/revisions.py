"""What a batch would change: each incoming row classed as new, revised or unchanged."""

from __future__ import annotations

import uuid

import duckdb
import polars as pl

_COMPARE = {
    "indicators": (
        "current_observations",
        ["indicator_id", "area_code", "period"],
        [
            "value",
            "lower_ci_95",
            "upper_ci_95",
            "lower_ci_99_8",
            "upper_ci_99_8",
            "count",
            "denominator",
        ],
    ),
    "targets": (
        "current_targets",
        ["indicator_id", "area_code", "source", "target_period"],
        ["baseline_period", "baseline_value", "target_value", "tolerance", "milestones"],
    ),
}


def classify_rows(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame) -> pl.DataFrame:
    """Returns ``rows`` with ``change`` ('new', 'revised', 'unchanged') and ``previous_value``.

    A row is revised when any compared field differs from the current value of its key.
    """
    view, keys, fields = _COMPARE[kind]
    value_field = fields[0] if kind == "indicators" else "target_value"
    name = f"incoming_{uuid.uuid4().hex}"
    con.register(name, rows.with_row_index("_i").to_arrow())
    try:
        join = " AND ".join(f"c.{k} = i.{k}" for k in keys)
        differs = " OR ".join(f"c.{f} IS DISTINCT FROM i.{f}" for f in fields)
        sql = f"""
            SELECT i._i,
                   CASE WHEN c.{keys[0]} IS NULL THEN 'new'
                        WHEN {differs} THEN 'revised' ELSE 'unchanged' END AS change,
                   c.{value_field} AS previous_value,
                   c.batch_id AS previous_batch_id
            FROM "{name}" i LEFT JOIN {view} c ON {join}
        """  # noqa: S608 - identifiers are ours; values never enter the text
        changes = con.execute(sql).pl()
    finally:
        con.unregister(name)
    return rows.with_row_index("_i").join(changes, on="_i", how="left").sort("_i").drop("_i")
