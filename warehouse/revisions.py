"""What a batch would change: each incoming row classed as new, revised or unchanged."""

from __future__ import annotations

import uuid

import duckdb
import polars as pl

_COMPARE = {
    "indicators": (
        "observations",
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
    # Breakdowns by sex, age and category: their dimensions are part of the key (stored as
    # '' where a row has none, so that they compare with =; see warehouse/breakdowns.py).
    "breakdowns": (
        "observation_breakdowns",
        ["indicator_id", "area_code", "period", "sex", "age", "category_type", "category"],
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
        "targets",
        ["indicator_id", "area_code", "source", "target_period"],
        ["baseline_period", "baseline_value", "target_value", "tolerance", "milestones"],
    ),
    "metadata": (
        "indicators",
        ["indicator_id"],
        [
            "name",
            "definition",
            "unit",
            "value_type",
            "multiplier",
            "polarity",
            "owner_department_code",
            "theme",
            "source",
        ],
    ),
    "programmes": (
        "programmes",
        ["programme_id"],
        [
            "name",
            "department_code",
            "outcome_departments",
            "indicator_ids",
            "start_date",
            "end_date",
            "funding",
        ],
    ),
    "programme_areas": (
        "programme_areas",
        ["programme_id", "area_code", "role"],
        ["contact_name", "contact_email", "from_date", "to_date"],
    ),
    # Rows written before migration 0006 carry no flag: they are memberships.
    "membership": (
        "(SELECT outcome_department_id, indicator_id, coalesce(included, true) AS included,"
        " batch_id FROM outcome_department_indicators)",
        ["outcome_department_id", "indicator_id"],
        ["included"],
    ),
}
#: The field shown as ``previous_value``: what a person reads first when checking a revision.
_SHOWN = {
    "indicators": "value",
    "breakdowns": "value",
    "targets": "target_value",
    "metadata": "name",
    "programmes": "name",
    "programme_areas": "contact_email",
}


def classify_rows(con: duckdb.DuckDBPyConnection, kind: str, rows: pl.DataFrame) -> pl.DataFrame:
    """Returns ``rows`` with ``change`` ('new', 'revised', 'unchanged') and ``previous_value``.

    A row is revised when any compared field differs from the current value of its key.
    The current value is the rule of the ``current_observations`` and ``current_targets``
    views (the newest live batch wins), applied to the keys in ``rows`` only: ranking every
    row of the table, as reading the view does, would cost seconds at ten million rows.
    """
    table, keys, fields = _COMPARE[kind]
    value_field = _SHOWN.get(kind, fields[0])
    name = f"incoming_{uuid.uuid4().hex}"
    con.register(name, rows.select(*keys, *fields).with_row_index("_i").to_arrow())
    try:
        join = " AND ".join(f"c.{k} = i.{k}" for k in keys)
        differs = " OR ".join(f"c.{f} IS DISTINCT FROM i.{f}" for f in fields)
        # Only incoming rows whose key already has a current value come back from the
        # warehouse: the rest are new. (A first load of ten million rows then moves no
        # rows out of DuckDB, and a release revising a tenth moves a tenth.)
        sql = f"""
            WITH current_rows AS (
                SELECT c.*
                FROM {table} c
                JOIN live_batches b ON b.batch_id = c.batch_id
                SEMI JOIN "{name}" i ON {join}
                QUALIFY row_number() OVER (
                    PARTITION BY {", ".join(f"c.{k}" for k in keys)}
                    ORDER BY b.created_at DESC, b.batch_id DESC
                ) = 1
            )
            SELECT i._i,
                   CASE WHEN {differs} THEN 'revised' ELSE 'unchanged' END AS change,
                   c.{value_field} AS previous_value,
                   c.batch_id AS previous_batch_id
            FROM "{name}" i JOIN current_rows c ON {join}
        """  # noqa: S608 - identifiers are ours; values never enter the text
        found = con.execute(sql).pl()
    finally:
        con.unregister(name)
    changes = (
        pl.DataFrame({"_i": pl.int_range(rows.height, dtype=found.schema["_i"], eager=True)})
        .join(found, on="_i", how="left", maintain_order="left")
        .select(pl.col("change").fill_null("new"), "previous_value", "previous_batch_id")
    )
    # One row per incoming row, in order (validation refused repeated keys): side by side.
    return pl.concat([rows, changes], how="horizontal")


def current_rows(con: duckdb.DuckDBPyConnection, kind: str, keys: pl.DataFrame) -> pl.DataFrame:
    """Returns the current row (its keys and every compared field) of each key in ``keys``.

    ``keys`` has the key columns of ``kind``; keys with no current value are left out. The
    current row is the one ``classify_rows`` compares with (the newest live batch wins).
    """
    table, key_columns, fields = _COMPARE[kind]
    name = f"keys_{uuid.uuid4().hex}"
    con.register(name, keys.select(key_columns).unique().to_arrow())
    try:
        join = " AND ".join(f"c.{k} = i.{k}" for k in key_columns)
        sql = f"""
            SELECT {", ".join(f"c.{c}" for c in [*key_columns, *fields])}
            FROM {table} c
            JOIN live_batches b ON b.batch_id = c.batch_id
            SEMI JOIN "{name}" i ON {join}
            QUALIFY row_number() OVER (
                PARTITION BY {", ".join(f"c.{k}" for k in key_columns)}
                ORDER BY b.created_at DESC, b.batch_id DESC
            ) = 1
        """  # noqa: S608 - identifiers are ours; values never enter the text
        return con.execute(sql).pl()
    finally:
        con.unregister(name)


def compared_fields(kind: str) -> list[str]:
    """Returns the fields whose change makes a row of ``kind`` a revision."""
    return list(_COMPARE[kind][2])
