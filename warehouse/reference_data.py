"""Reference data shipped with the product, validated with pydantic and loaded as one batch.

The CSV files under ``warehouse/reference/`` are ours: regions, the April 2009 local
authorities with their old and GSS codes, the 2008 departments, the 30 PSAs, the National
Indicator Set and the default outcome-department template. ``docs/data-dictionary.md`` says
where each fact comes from.
"""

from __future__ import annotations

import csv
import hashlib
import uuid
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import polars as pl
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from warehouse.connection import in_transaction
from warehouse.frames import insert_frame

REFERENCE_DIR = Path(__file__).parent / "reference"
AREA_TYPES = {
    "Country": "country",
    "Region": "region",
    "County": "county",
    "Non-metropolitan district": "district",
    "Unitary authority": "unitary",
    "Metropolitan district": "unitary",
    "London borough": "unitary",
}


def _blank_to_none(value: object) -> object:
    return None if value == "" else value


def _semicolon_list(value: object) -> object:
    if isinstance(value, str):
        return [int(part) for part in value.split(";") if part.strip()]
    return value


def _yes_no(value: object) -> object:
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1"}
    return value


Optional = Annotated[str | None, BeforeValidator(_blank_to_none)]
OptionalDate = Annotated[date | None, BeforeValidator(_blank_to_none)]
OptionalFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
PsaList = Annotated[list[int], BeforeValidator(_semicolon_list)]
Flag = Annotated[bool, BeforeValidator(_yes_no)]
GssCode = Annotated[str, Field(pattern=r"^E\d{8}$")]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Region(Record):
    region_code: Annotated[str, Field(pattern=r"^E12\d{6}$")]
    name: str
    government_office: str
    gor_letter: str


class Area(Record):
    area_code: GssCode
    old_code: Optional
    name: str
    area_type: Literal[
        "Country",
        "Region",
        "County",
        "Non-metropolitan district",
        "Unitary authority",
        "Metropolitan district",
        "London borough",
    ]
    parent_code: Optional
    region_code: Optional
    valid_from: OptionalDate
    valid_to: OptionalDate


class AreaCodeChange(Record):
    previous_code: GssCode
    area_code: GssCode
    changed_on: date
    note: str


class AreaSuccession(Record):
    predecessor_code: GssCode
    successor_code: GssCode
    changed_on: date
    note: str


class Department(Record):
    department_code: str
    name: str
    abbreviation_note: Optional = None


class Psa(Record):
    psa_id: Annotated[int, Field(ge=1, le=30)]
    title: str
    lead_department_code: str
    regional_delivery: Flag


class Indicator(Record):
    indicator_id: str
    name: str
    definition: str
    unit: str
    value_type: Literal[
        "proportion",
        "rate",
        "mean",
        "count",
        "score",
        "directly standardised rate",
        "indirectly standardised ratio",
    ]
    multiplier: OptionalFloat
    polarity: Literal["higher", "lower", "none"]
    owner_department_code: str
    psa_ids: PsaList
    theme: str
    source: str
    verification: str


class OutcomeDepartmentTemplate(Record):
    outcome_department_key: str
    name: str
    outcome: str
    psa_ids: PsaList
    default_chair: str


class OutcomeDepartmentIndicator(Record):
    outcome_department_key: str
    indicator_id: str


class OutcomeDepartmentGoal(Record):
    outcome_department_key: str
    goal_id: str
    goal: str
    indicator_id: str
    priority: Flag


class ReferenceDataError(ValueError):
    """A shipped reference file broke one of its rules; the message names file and row."""


FILES: dict[str, type[Record]] = {
    "regions.csv": Region,
    "areas.csv": Area,
    "area_code_changes.csv": AreaCodeChange,
    "area_successions.csv": AreaSuccession,
    "departments.csv": Department,
    "psas.csv": Psa,
    "indicators.csv": Indicator,
    "outcome_departments.csv": OutcomeDepartmentTemplate,
    "outcome_department_indicators.csv": OutcomeDepartmentIndicator,
    "outcome_department_goals.csv": OutcomeDepartmentGoal,
}


def read_records(file_name: str, directory: Path = REFERENCE_DIR) -> list[Record]:
    """Returns the validated rows of one reference file, or raises ReferenceDataError."""
    model = FILES[file_name]
    path = directory / file_name
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    records = []
    for number, row in enumerate(rows, start=2):
        try:
            records.append(model.model_validate(row))
        except ValidationError as error:
            problem = error.errors()[0]
            column = ".".join(str(part) for part in problem["loc"])
            raise ReferenceDataError(
                f"{file_name}, row {number}, column {column}: {problem['msg']}"
            ) from error
    return records


class ReferenceData(BaseModel):
    """Every shipped reference table, checked against each other."""

    regions: list[Region]
    areas: list[Area]
    area_code_changes: list[AreaCodeChange]
    area_successions: list[AreaSuccession]
    departments: list[Department]
    psas: list[Psa]
    indicators: list[Indicator]
    outcome_departments: list[OutcomeDepartmentTemplate]
    outcome_department_indicators: list[OutcomeDepartmentIndicator]
    outcome_department_goals: list[OutcomeDepartmentGoal]
    sha256: str


@lru_cache(maxsize=2)
def load_reference_files(directory: Path = REFERENCE_DIR) -> ReferenceData:
    """Returns all reference files validated row by row and across files."""
    tables = {name.removesuffix(".csv"): read_records(name, directory) for name in FILES}
    digest = hashlib.sha256()
    for name in sorted(FILES):
        digest.update((directory / name).read_bytes())
    data = ReferenceData(**tables, sha256=digest.hexdigest())
    _check_links(data)
    return data


def _duplicates(values: list[str]) -> set[str]:
    seen: set[str] = set()
    return {v for v in values if v in seen or seen.add(v)}


def _check_links(data: ReferenceData) -> None:
    problems: list[str] = []
    for label, values in (
        ("areas.csv area_code", [a.area_code for a in data.areas]),
        ("indicators.csv indicator_id", [i.indicator_id for i in data.indicators]),
        ("psas.csv psa_id", [str(p.psa_id) for p in data.psas]),
        ("departments.csv department_code", [d.department_code for d in data.departments]),
    ):
        if dupes := _duplicates(values):
            problems.append(f"{label} repeats {sorted(dupes)}")
    departments = {d.department_code for d in data.departments}
    psas = {p.psa_id for p in data.psas}
    areas = {a.area_code for a in data.areas}
    regions = {r.region_code for r in data.regions}
    indicators = {i.indicator_id for i in data.indicators}
    templates = {t.outcome_department_key for t in data.outcome_departments}
    for p in data.psas:
        if p.lead_department_code not in departments:
            problems.append(f"PSA {p.psa_id} names unknown department {p.lead_department_code}")
    for i in data.indicators:
        if i.owner_department_code not in departments:
            problems.append(f"{i.indicator_id} names unknown department {i.owner_department_code}")
        if unknown := set(i.psa_ids) - psas:
            problems.append(f"{i.indicator_id} names unknown PSAs {sorted(unknown)}")
    for a in data.areas:
        if a.parent_code and a.parent_code not in areas:
            problems.append(f"area {a.area_code} has unknown parent {a.parent_code}")
        if a.region_code and a.region_code not in regions:
            problems.append(f"area {a.area_code} has unknown region {a.region_code}")
    for c in data.area_code_changes:
        if c.area_code not in areas:
            problems.append(f"code change {c.previous_code} points at unknown area {c.area_code}")
    problems += _succession_problems(data)
    members = {
        (m.outcome_department_key, m.indicator_id) for m in data.outcome_department_indicators
    }
    for m in data.outcome_department_indicators:
        if m.outcome_department_key not in templates or m.indicator_id not in indicators:
            problems.append(f"membership {m.outcome_department_key}/{m.indicator_id} is unknown")
    priorities: dict[str, int] = {}
    for g in data.outcome_department_goals:
        if (g.outcome_department_key, g.indicator_id) not in members:
            problems.append(f"goal {g.goal_id} measures {g.indicator_id}, not a member indicator")
        priorities[g.outcome_department_key] = (
            priorities.get(g.outcome_department_key, 0) + g.priority
        )
    problems += [
        f"{key} has {n} priority goals (at most 5)" for key, n in priorities.items() if n > 5
    ]
    if problems:
        raise ReferenceDataError("Reference data is inconsistent: " + "; ".join(problems))


def _succession_problems(data: ReferenceData) -> list[str]:
    """Returns what is wrong with the successions: unknown areas, or a change date that is
    not the day after the predecessor's end and the successor's first day."""
    areas = {a.area_code: a for a in data.areas}
    problems = []
    for s in data.area_successions:
        before, after = areas.get(s.predecessor_code), areas.get(s.successor_code)
        if before is None or after is None:
            problems.append(f"succession {s.predecessor_code} to {s.successor_code} is unknown")
            continue
        if before.valid_to is None or (s.changed_on - before.valid_to).days != 1:
            problems.append(f"{s.predecessor_code} does not end the day before {s.changed_on}")
        if after.valid_from != s.changed_on:
            problems.append(f"{s.successor_code} does not start on {s.changed_on}")
    return problems


def _frame(records: list[Record], drop: tuple[str, ...] = ()) -> pl.DataFrame:
    return pl.DataFrame([r.model_dump(exclude=set(drop)) for r in records])


def reference_frames(data: ReferenceData, batch_id: str) -> dict[str, pl.DataFrame]:
    """Returns one frame per warehouse table, outcome departments instantiated for every region."""
    areas = _frame(data.areas).with_columns(
        tier=pl.col("area_type").replace_strict(AREA_TYPES, return_dtype=pl.String)
    )
    indicators = _frame(data.indicators, drop=("psa_ids",)).with_columns(batch_id=pl.lit(batch_id))
    indicator_psas = pl.DataFrame(
        [
            {"indicator_id": i.indicator_id, "psa_id": p, "batch_id": batch_id}
            for i in data.indicators
            for p in i.psa_ids
        ]
    )
    od_rows, od_psas, od_members, od_goals = [], [], [], []
    for region in data.regions:
        for t in data.outcome_departments:
            od_id = f"{region.region_code}:{t.outcome_department_key}"
            od_rows.append(
                {
                    "outcome_department_id": od_id,
                    "outcome_department_key": t.outcome_department_key,
                    "region_code": region.region_code,
                    "name": t.name,
                    "outcome": t.outcome,
                    "chair": f"{t.default_chair}, {region.name}",
                    "batch_id": batch_id,
                }
            )
            od_psas += [
                {"outcome_department_id": od_id, "psa_id": p, "batch_id": batch_id}
                for p in t.psa_ids
            ]
            od_members += [
                {
                    "outcome_department_id": od_id,
                    "indicator_id": m.indicator_id,
                    "batch_id": batch_id,
                }
                for m in data.outcome_department_indicators
                if m.outcome_department_key == t.outcome_department_key
            ]
            od_goals += [
                {
                    "outcome_department_id": od_id,
                    "goal_id": g.goal_id,
                    "goal": g.goal,
                    "indicator_id": g.indicator_id,
                    "priority": g.priority,
                    "batch_id": batch_id,
                }
                for g in data.outcome_department_goals
                if g.outcome_department_key == t.outcome_department_key
            ]
    return {
        "regions": _frame(data.regions),
        "areas": areas,
        "area_code_changes": _frame(data.area_code_changes),
        "area_successions": _frame(data.area_successions),
        "departments": _frame(data.departments, drop=("abbreviation_note",)),
        "psas": _frame(data.psas),
        "indicators": indicators,
        "indicator_psas": indicator_psas,
        "outcome_departments": pl.DataFrame(od_rows),
        "outcome_department_psas": pl.DataFrame(od_psas),
        "outcome_department_indicators": pl.DataFrame(od_members),
        "outcome_department_goals": pl.DataFrame(od_goals),
    }


def install_reference_data(
    con: duckdb.DuckDBPyConnection, operator: str = "system", retries: int = 8
) -> str | None:
    """Returns the new reference batch id, or None when the shipped reference data is already in.

    Shipped rows are replaced whole when the files change (rows that uploads added keep
    their own batch ids and stay); the replacement is one transaction and one batch.
    """
    data = load_reference_files()

    def install(c: duckdb.DuckDBPyConnection) -> str | None:
        already = c.execute(
            "SELECT count(*) FROM live_batches WHERE kind = 'reference' AND sha256 = ?",
            [data.sha256],
        ).fetchone()[0]
        if already:
            return None
        batch_id = f"reference-{uuid.uuid4().hex[:12]}"
        previous = [
            row[0]
            for row in c.execute("SELECT batch_id FROM batches WHERE kind = 'reference'").fetchall()
        ]
        shipped = ("regions", "areas", "area_code_changes", "area_successions")
        for table in (*shipped, "departments", "psas"):
            c.execute(f"DELETE FROM {table}")  # noqa: S608 - shipped tables, names are ours
        for table in (
            "indicators",
            "indicator_psas",
            "outcome_departments",
            "outcome_department_psas",
            "outcome_department_indicators",
            "outcome_department_goals",
        ):
            c.execute(f"DELETE FROM {table} WHERE list_contains(?, batch_id)", [previous])  # noqa: S608
        frames = reference_frames(data, batch_id)
        for table, frame in frames.items():
            insert_frame(c, table, frame)
        now = datetime.now()
        insert_frame(
            c,
            "batches",
            pl.DataFrame(
                {
                    "batch_id": [batch_id],
                    "kind": ["reference"],
                    "file_name": ["warehouse/reference/*.csv"],
                    "sha256": [data.sha256],
                    "operator": [operator],
                    "created_at": [now],
                    "rows_read": [sum(f.height for f in frames.values())],
                    "rows_loaded": [sum(f.height for f in frames.values())],
                    "note": ["Reference data shipped with the product"],
                }
            ),
        )
        insert_frame(
            c,
            "batch_events",
            pl.DataFrame(
                {
                    "event_id": [uuid.uuid4().hex],
                    "batch_id": [batch_id],
                    "event": ["committed"],
                    "operator": [operator],
                    "happened_at": [now],
                }
            ),
        )
        # Names, tiers and membership may have changed: the derived tables follow, whole.
        from warehouse.analytics.materialised import refresh  # analytics reads AREA_TYPES

        refresh(c)
        return batch_id

    return in_transaction(con, install, retries)
