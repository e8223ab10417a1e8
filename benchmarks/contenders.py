"""The three ways of loading an indicator CSV that the load figures compare.

Each runs in a child process of its own (``python -m benchmarks.child``), so that its peak
memory can be read alone, and returns what it measured as a dict with ``seconds`` (wall
time of the load itself: not the interpreter's start or imports) and ``rows``.

- ``ours``: ``pipelines.load.load_file`` into a copy of a reference-only DuckLake warehouse:
  read, normalise, validate, classify revisions, write one batch in one transaction.
- ``duckdb``: DuckDB alone, ``CREATE TABLE t AS SELECT * FROM read_csv(FILE)`` into a fresh
  DuckDB database file (a file, because ours persists too), closed (checkpointed).
- ``pandas``: the usual approach: pandas ``read_csv``, one pydantic model validation per
  row, ``sqlite3`` ``executemany`` into a fresh SQLite file, committed.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

# Each contender imports only what it needs, inside its function: the child's peak memory
# includes its imports, so DuckDB alone carries neither Polars nor pandas, and the pandas
# loader has its own model of a row and reads the reference ids with the csv module.
REFERENCE_DIR = Path(__file__).resolve().parents[1] / "warehouse" / "reference"


def rss_mb() -> float:
    """Returns this process's resident memory now, in MB (10^6 bytes)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


def ours(csv: Path, workdir: Path, confirm_revisions: bool = False) -> dict:
    """Loads ``csv`` with our validated load into the warehouse in ``workdir`` (a fresh copy)."""
    from benchmarks.settings import warehouse_settings
    from pipelines.load import load_file
    from warehouse import open_warehouse

    settings = warehouse_settings(workdir)
    started = time.perf_counter()
    con = open_warehouse(settings)
    opened = time.perf_counter()
    before = rss_mb()
    started_load = time.perf_counter()
    outcome = load_file(
        con,
        csv,
        kind="indicators",
        operator="benchmark",
        settings=settings,
        confirm_revisions=confirm_revisions,
        # Random values jump and have small counts; the benchmark measures the load itself.
        accept_warnings=True,
    )
    con.close()
    finished = time.perf_counter()
    if outcome.status != "committed":
        raise RuntimeError(f"our load did not commit: {outcome.status}: {outcome.message}")
    return {
        "seconds": finished - started_load,
        "open_seconds": opened - started,
        "rows": outcome.rows_read,
        "rows_revised": outcome.rows_revised,
        "rss_before_mb": before,
    }


def ours_revisions(csv: Path, workdir: Path) -> dict:
    """Loads a file of revisions, confirmed, into a warehouse that already holds their keys."""
    return ours(csv, workdir, confirm_revisions=True)


def duckdb_alone(csv: Path, workdir: Path) -> dict:
    """Reads ``csv`` into a table of a fresh DuckDB database file with DuckDB alone."""
    import duckdb

    database = workdir / "duckdb-alone.duckdb"
    before = rss_mb()
    started = time.perf_counter()
    con = duckdb.connect(str(database))
    con.execute("SET enable_progress_bar = false")
    path = str(csv).replace("'", "''")
    con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path}')")  # noqa: S608 - our path
    loaded = time.perf_counter()
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    counted = time.perf_counter()
    con.close()
    finished = time.perf_counter()
    return {
        "seconds": (loaded - started) + (finished - counted),
        "rows": rows,
        "rss_before_mb": before,
    }


PERIOD = re.compile(r"^\d{4}(/\d{2})?( Q[1-4])?$")
SUPPRESSED = {"*", "..", "x", "c", "-", ":"}


def _observation_model():
    """Returns the pydantic model a typical per-row validating loader would write."""
    import csv

    from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

    def ids(file_name: str, column: str) -> frozenset[str]:
        with (REFERENCE_DIR / file_name).open(encoding="utf-8", newline="") as handle:
            return frozenset(row[column] for row in csv.DictReader(handle))

    indicators = ids("indicators.csv", "indicator_id")
    areas = ids("areas.csv", "area_code")

    class Observation(BaseModel):
        model_config = ConfigDict(str_strip_whitespace=True)

        indicator_id: str
        area_code: str
        period: str = Field(pattern=PERIOD.pattern)
        value: float | None
        lower_ci_95: float | None = None
        upper_ci_95: float | None = None
        lower_ci_99_8: float | None = None
        upper_ci_99_8: float | None = None
        count: float | None = Field(default=None, ge=0)
        denominator: float | None = Field(default=None, gt=0)
        note: str | None = None

        @field_validator(
            "value",
            "lower_ci_95",
            "upper_ci_95",
            "lower_ci_99_8",
            "upper_ci_99_8",
            "count",
            "denominator",
            mode="before",
        )
        @classmethod
        def _blank_or_suppressed(cls, cell: object) -> object:
            if isinstance(cell, str) and (cell.strip() == "" or cell.strip() in SUPPRESSED):
                return None
            return cell

        @field_validator("indicator_id")
        @classmethod
        def _known_indicator(cls, cell: str) -> str:
            if cell not in indicators:
                raise ValueError(f"unknown indicator {cell!r}")
            return cell

        @field_validator("area_code")
        @classmethod
        def _known_area(cls, cell: str) -> str:
            if cell not in areas:
                raise ValueError(f"unknown area {cell!r}")
            return cell

        @model_validator(mode="after")
        def _intervals_contain_value(self) -> Observation:
            for lower, upper in (
                (self.lower_ci_95, self.upper_ci_95),
                (self.lower_ci_99_8, self.upper_ci_99_8),
            ):
                if (lower is None) != (upper is None):
                    raise ValueError("give both limits or neither")
                if lower is not None and self.value is not None:
                    if not lower <= self.value <= upper:
                        raise ValueError("interval does not contain the value")
            return self

    return Observation


def pandas_sqlite(csv: Path, workdir: Path) -> dict:
    """Loads ``csv`` the usual way: pandas, a pydantic model per row, sqlite3 executemany."""
    import pandas as pd

    model = _observation_model()
    database = workdir / "pandas.sqlite"
    before = rss_mb()
    started = time.perf_counter()
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    records = [model.model_validate(row) for row in frame.to_dict("records")]
    seen: set[tuple[str, str, str]] = set()
    for record in records:
        key = (record.indicator_id, record.area_code, record.period)
        if key in seen:
            raise ValueError(f"duplicate key {key}")
        seen.add(key)
    con = sqlite3.connect(database)
    columns = list(model.model_fields)
    con.execute(f"CREATE TABLE observations ({', '.join(columns)})")
    con.executemany(
        f"INSERT INTO observations VALUES ({', '.join('?' for _ in columns)})",  # noqa: S608
        [tuple(getattr(record, c) for c in columns) for record in records],
    )
    con.commit()
    con.close()
    finished = time.perf_counter()
    return {"seconds": finished - started, "rows": len(records), "rss_before_mb": before}


CONTENDERS = {
    "ours": ours,
    "ours-revisions": ours_revisions,
    "duckdb": duckdb_alone,
    "pandas": pandas_sqlite,
}
