"""Reads of one outcome department's configuration: its row, member indicators and goals."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.frames import query


class UnknownOutcomeDepartment(LookupError):
    """No outcome department has the given id."""


@dataclass(frozen=True)
class Configuration:
    """What an administrator can change about an outcome department, as it is now."""

    department: dict
    members: list[str]
    goals: pl.DataFrame  # goal_id, goal, indicator_id, priority


def department_configuration(
    con: duckdb.DuckDBPyConnection, outcome_department_id: str
) -> Configuration:
    """Returns the department's current row, member indicator ids and goals (in goal order)."""
    department = query(
        con,
        "SELECT * EXCLUDE (batch_id) FROM current_outcome_departments "
        "WHERE outcome_department_id = $id",
        {"id": outcome_department_id},
    )
    if department.is_empty():
        raise UnknownOutcomeDepartment(f"There is no outcome department {outcome_department_id}.")
    members = query(
        con,
        "SELECT indicator_id FROM current_outcome_department_indicators "
        "WHERE outcome_department_id = $id ORDER BY indicator_id",
        {"id": outcome_department_id},
    )["indicator_id"].to_list()
    goals = query(
        con,
        "SELECT goal_id, goal, indicator_id, priority FROM current_outcome_department_goals "
        "WHERE outcome_department_id = $id ORDER BY goal_id",
        {"id": outcome_department_id},
    )
    return Configuration(department.row(0, named=True), members, goals)
