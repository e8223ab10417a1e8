"""Read functions over virtual outcome departments and their indicators."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.frames import query


def all_goals(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns every outcome department's goals in every region."""
    return query(
        con,
        """
        SELECT d.region_code, d.outcome_department_id, d.name AS outcome_department, g.goal_id,
               g.goal, g.indicator_id, g.priority
        FROM current_outcome_department_goals g JOIN current_outcome_departments d USING (outcome_department_id)
        ORDER BY d.region_code, d.outcome_department_id, g.goal_id
        """,
    )


def outcome_departments(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns the region's outcome departments with member-indicator count and latest period.

    The latest period is the most recent period with a current value for any member
    indicator in any area of the region.
    """
    return query(
        con,
        """
        WITH members AS (
            SELECT d.outcome_department_id, d.outcome_department_key, d.name, d.outcome, d.chair,
                   m.indicator_id
            FROM current_outcome_departments d
            JOIN current_outcome_department_indicators m USING (outcome_department_id)
            WHERE d.region_code = ?
        ),
        latest AS (
            SELECT o.indicator_id, max(o.period_end) AS period_end, arg_max(o.period, o.period_end) AS period
            FROM current_observations o
            JOIN areas a ON a.area_code = o.area_code
            WHERE a.region_code = ?
            GROUP BY o.indicator_id
        )
        SELECT m.outcome_department_id, m.outcome_department_key, m.name, m.outcome, m.chair,
               count(DISTINCT m.indicator_id) AS indicators,
               count(DISTINCT l.indicator_id) AS indicators_with_data,
               arg_max(l.period, l.period_end) AS latest_period
        FROM members m LEFT JOIN latest l USING (indicator_id)
        GROUP BY ALL
        ORDER BY m.outcome_department_key
        """,
        [region_code, region_code],
    )


def outcome_department_names(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns the region's outcome departments (id, key, name), without touching the facts."""
    return query(
        con,
        """
        SELECT outcome_department_id, outcome_department_key, name
        FROM current_outcome_departments WHERE region_code = ? ORDER BY outcome_department_key
        """,
        [region_code],
    )


def all_outcome_departments(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns every outcome department in every region (id, key, region, name)."""
    return query(
        con,
        """
        SELECT outcome_department_id, outcome_department_key, region_code, name
        FROM current_outcome_departments ORDER BY region_code, outcome_department_key
        """,
    )
