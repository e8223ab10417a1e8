"""Moves Polars frames in and out of the warehouse: the only place frames meet SQL text."""

from __future__ import annotations

import uuid

import duckdb
import polars as pl

WAREHOUSE_TABLES = (
    "regions",
    "areas",
    "area_code_changes",
    "area_successions",
    "departments",
    "psas",
    "indicators",
    "indicator_psas",
    "outcome_departments",
    "outcome_department_psas",
    "outcome_department_indicators",
    "outcome_department_goals",
    "batches",
    "batch_events",
    "pipeline_runs",
    "observations",
    "observation_breakdowns",
    "targets",
    "boundaries",
    "audit_log",
    "programmes",
    "programme_areas",
    "comments",
    "agreed_actions",
)
WRITABLE_TABLES = frozenset(WAREHOUSE_TABLES)


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> int:
    """Returns the number of rows of ``frame`` appended to ``table`` (columns matched by name)."""
    if table not in WRITABLE_TABLES:
        raise ValueError(f"{table!r} is not a warehouse table")
    if frame.is_empty():
        return 0
    name = f"incoming_{uuid.uuid4().hex}"
    con.register(name, frame.to_arrow())
    try:
        con.execute(f'INSERT INTO {table} BY NAME SELECT * FROM "{name}"')  # noqa: S608 - names are ours
    finally:
        con.unregister(name)
    return frame.height


def query(
    con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None
) -> pl.DataFrame:
    """Returns the result of a parameterised query as a Polars frame."""
    return con.execute(sql, params or []).pl()
