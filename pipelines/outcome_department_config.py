"""An administrator's change to an outcome department: members, chair and priority goals.

Each save is one batch of kind ``outcome-department-configuration``: new rows for the
department (its chair), its goals (with their priority flags) and every membership that
changed (``included`` false takes an indicator out, as the membership upload does). The
current views pick the latest live batch, so rolling the batch back on the Data batches page
restores what it replaced. Nothing is deleted; the save is audited with the batch.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from warehouse import reference_queries
from warehouse.access import Action, User, require
from warehouse.batches import BatchRecord, commit_batch
from warehouse.outcome_configuration import department_configuration

KIND = "outcome-department-configuration"
#: "The fewer goals the better": no department may have more priority goals than this.
MAX_PRIORITY_GOALS = 5


class ConfigurationRefused(ValueError):
    """The change breaks a rule (too many priority goals, an unknown indicator…); nothing was written."""


@dataclass(frozen=True)
class Goal:
    """A goal as the administrator leaves it; ``goal_id`` None for a new goal."""

    goal: str
    indicator_id: str | None
    priority: bool
    goal_id: str | None = None


def configure_outcome_department(
    con: duckdb.DuckDBPyConnection,
    operator: User | str,
    outcome_department_id: str,
    *,
    chair: str,
    members: Sequence[str],
    goals: Sequence[Goal],
    retries: int = 8,
) -> str:
    """Returns the id of the batch that records the department's new configuration.

    Raises ``PermissionRefused`` unless the operator may configure outcome departments in
    the department's region, and ``ConfigurationRefused`` when the change breaks a rule
    (more than five priority goals, no member, an unknown indicator, nothing changed).
    """
    require(operator, Action.CONFIGURE, con=con, target=outcome_department_id)
    now = department_configuration(con, outcome_department_id)
    department = now.department
    require(
        operator,
        Action.CONFIGURE,
        region_code=department["region_code"],
        con=con,
        target=outcome_department_id,
    )
    name = department["name"]
    chair = chair.strip()
    wanted = sorted(dict.fromkeys(m.strip() for m in members if m.strip()))
    _check(con, name, chair, wanted, goals)

    added = [i for i in wanted if i not in now.members]
    removed = [i for i in now.members if i not in wanted]
    goal_rows = pl.DataFrame(
        {
            "outcome_department_id": [outcome_department_id] * len(goals),
            "goal_id": [g.goal_id or f"goal-{uuid.uuid4().hex[:8]}" for g in goals],
            "goal": [g.goal.strip() for g in goals],
            "indicator_id": [g.indicator_id for g in goals],
            "priority": [bool(g.priority) for g in goals],
        },
        schema_overrides={"indicator_id": pl.String, "goal": pl.String, "goal_id": pl.String},
    )
    changed_goals = goal_rows.join(
        now.goals, on=["goal_id", "goal", "indicator_id", "priority"], how="anti", nulls_equal=True
    )
    if not (added or removed or changed_goals.height or chair != department["chair"]):
        raise ConfigurationRefused(f"Nothing changed in {name}; nothing was written.")

    membership = pl.DataFrame(
        {
            "outcome_department_id": [outcome_department_id] * (len(added) + len(removed)),
            "indicator_id": added + removed,
            "included": [True] * len(added) + [False] * len(removed),
        },
        schema_overrides={"indicator_id": pl.String, "included": pl.Boolean},
    )
    extra = {
        "outcome_departments": pl.DataFrame([{**department, "chair": chair}]),
        "outcome_department_goals": changed_goals,
        "outcome_department_indicators": membership,
    }
    change = {
        "outcome_department_id": outcome_department_id,
        "chair": chair,
        "added": added,
        "removed": removed,
        "goals": changed_goals.to_dicts(),
    }
    record = BatchRecord(
        kind=KIND,
        file_name=f"Configuration of {name} ({department['region_code']})",
        # The change and its moment: the same change made again later is a new batch.
        sha256=hashlib.sha256(
            json.dumps({**change, "at": datetime.now().isoformat()}, sort_keys=True).encode()
        ).hexdigest(),
        operator=operator,
        rows_read=1 + membership.height + changed_goals.height,
        rows_new=1 + membership.height + changed_goals.height,
        configuration=change,
        note=_summary(chair, department["chair"], added, removed, changed_goals),
    )
    return commit_batch(
        con, record, pl.DataFrame(), retries, extra={k: v for k, v in extra.items() if v.height}
    )


def _check(
    con: duckdb.DuckDBPyConnection,
    name: str,
    chair: str,
    members: list[str],
    goals: Sequence[Goal],
) -> None:
    priorities = [g for g in goals if g.priority]
    if len(priorities) > MAX_PRIORITY_GOALS:
        raise ConfigurationRefused(
            f"{name} would have {len(priorities)} priority goals; an outcome department may "
            f"have at most {MAX_PRIORITY_GOALS}. Unmark one first. Nothing was written."
        )
    if not chair:
        raise ConfigurationRefused(f"{name} needs a chair. Nothing was written.")
    if not members:
        raise ConfigurationRefused(
            f"{name} needs at least one member indicator. Nothing was written."
        )
    if any(not g.goal.strip() for g in goals):
        raise ConfigurationRefused("Every goal needs its text. Nothing was written.")
    known = set(reference_queries.indicators(con)["indicator_id"].to_list())
    unknown = sorted(
        {i for i in members if i not in known}
        | {g.indicator_id for g in goals if g.indicator_id and g.indicator_id not in known}
    )
    if unknown:
        raise ConfigurationRefused(
            f"Unknown indicator(s): {', '.join(unknown)}. Nothing was written."
        )


def _summary(chair, old_chair, added, removed, goals) -> str:
    parts = []
    if chair != old_chair:
        parts.append(f"chair {old_chair} → {chair}")
    if added:
        parts.append(f"added {', '.join(added)}")
    if removed:
        parts.append(f"removed {', '.join(removed)}")
    if goals.height:
        parts.append(f"{goals.height} goal(s) changed")
    return "; ".join(parts)
