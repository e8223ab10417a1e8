"""Query latency on a warehouse of N rows: the data functions behind each page, and references.

The warehouse is a copy of the reference-only warehouse with the generated file loaded as
one batch and a revisions file (a share of its rows, revised) as a second, so the current
value of a key has to be picked among batches, as in life.

Each data function runs once to warm up, then ``runs`` times; the references are the SQL
cores of those functions, written plainly here, run both on the warehouse (DuckLake) and on
plain in-memory DuckDB tables holding the same rows: the gap between a function and its
reference on a plain table is what our storage and our Python cost on top of DuckDB.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from benchmarks.figures import Figure, at_most
from benchmarks.settings import warehouse_settings

#: The quality bar for a region overview's data at ten million rows.
REGION_OVERVIEW_MS = 50.0


def load_into_warehouse(data_dir: Path, csv: Path, revisions: Path | None) -> dict:
    """Loads ``csv`` (and, confirmed, its ``revisions``) into the warehouse in ``data_dir``."""
    from pipelines.load import load_file
    from warehouse import open_warehouse

    settings = warehouse_settings(data_dir)
    con = open_warehouse(settings)
    batches, rows = [], 0
    for path, confirm in ((csv, False), (revisions, True)):
        if path is None:
            continue
        outcome = load_file(
            con,
            path,
            kind="indicators",
            operator="benchmark",
            settings=settings,
            confirm_revisions=confirm,
            accept_warnings=True,  # random values: warnings are expected, not the subject
        )
        if outcome.status != "committed":
            raise RuntimeError(f"{path.name} was not loaded: {outcome.message}")
        batches.append(outcome.batch_id)
        rows += outcome.rows_read
    total = con.execute("SELECT count(*) FROM observations").fetchone()[0]
    con.close()
    return {"batches": batches, "rows_loaded": rows, "observations": total}


# ----------------------------------------------------------------------------- references

_LIVE = """live AS (
    SELECT b.batch_id, b.created_at, b.kind FROM batches b
    WHERE NOT EXISTS (
        SELECT 1 FROM batch_events e WHERE e.batch_id = b.batch_id AND e.event = 'withdrawn'
    )
)"""
_CURRENT = """QUALIFY row_number() OVER (
        PARTITION BY o.indicator_id, o.area_code, o.period
        ORDER BY b.created_at DESC, o.batch_id DESC
    ) = 1"""

REFERENCES: dict[str, tuple[str, str]] = {
    "catalog overhead": (
        "the smallest query that reads a table (count the areas): on DuckLake, the cost of "
        "reading the catalog that every query pays",
        "SELECT count(*) FROM areas",
    ),
    "region latest": (
        "current value of every indicator in the region's upper-tier areas at its latest "
        "period, counted per indicator (core of region_overview)",
        f"""
        WITH {_LIVE},
        scope AS (
            SELECT area_code FROM areas
            WHERE region_code = $region AND tier IN ('county', 'unitary')
        ),
        latest_period AS (
            SELECT indicator_id, arg_max(period, period_end) AS period
            FROM observations
            WHERE area_code IN (SELECT area_code FROM scope)
            GROUP BY indicator_id
        ),
        current_rows AS (
            SELECT o.indicator_id, o.area_code, o.value
            FROM observations o
            JOIN live b ON b.batch_id = o.batch_id
            JOIN latest_period p ON p.indicator_id = o.indicator_id AND p.period = o.period
            WHERE o.area_code IN (SELECT area_code FROM scope)
            {_CURRENT}
        )
        SELECT indicator_id, count(*) AS areas, avg(value) AS mean_value
        FROM current_rows GROUP BY indicator_id
        """,  # noqa: S608 - the fragments are ours; values arrive as parameters
    ),
    "region trend window": (
        "current values of the last 5 periods of every indicator in the region and its "
        "upper-tier areas, with a slope per area (core of needs_attention, learn_from, "
        "explorer, the outcome department page)",
        f"""
        WITH {_LIVE},
        scope AS (
            SELECT area_code FROM areas
            WHERE region_code = $region AND tier IN ('county', 'unitary', 'region')
        ),
        periods AS (
            SELECT DISTINCT indicator_id, period, period_end FROM observations
            WHERE area_code IN (SELECT area_code FROM scope)
        ),
        trend_window AS (
            SELECT * FROM periods
            QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY period_end DESC) <= 5
        ),
        current_rows AS (
            SELECT o.indicator_id, o.area_code, o.period_end, o.value
            FROM observations o
            JOIN live b ON b.batch_id = o.batch_id
            JOIN trend_window w ON w.indicator_id = o.indicator_id AND w.period = o.period
            WHERE o.area_code IN (SELECT area_code FROM scope)
            {_CURRENT}
        )
        SELECT indicator_id, area_code, count(*) AS points,
               regr_slope(value, epoch(period_end)) AS slope
        FROM current_rows GROUP BY indicator_id, area_code
        """,  # noqa: S608 - the fragments are ours; values arrive as parameters
    ),
    "area latest and England spread": (
        "one area's current values at each indicator's latest period and the quartiles of "
        "all upper-tier areas at that period (core of area_profile)",
        f"""
        WITH {_LIVE},
        area_rows AS (
            SELECT o.indicator_id, o.period, o.period_end, o.value
            FROM observations o
            JOIN live b ON b.batch_id = o.batch_id
            WHERE o.area_code = $area
            {_CURRENT}
        ),
        area_latest AS (
            SELECT * FROM area_rows
            QUALIFY row_number() OVER (PARTITION BY indicator_id ORDER BY period_end DESC) = 1
        ),
        group_rows AS (
            SELECT o.indicator_id, o.value
            FROM observations o
            JOIN live b ON b.batch_id = o.batch_id
            JOIN area_latest l ON l.indicator_id = o.indicator_id AND l.period = o.period
            WHERE o.area_code IN (SELECT area_code FROM areas WHERE tier IN ('county', 'unitary'))
            {_CURRENT}
        )
        SELECT l.indicator_id, any_value(l.value) AS value,
               quantile_cont(g.value, [0.25, 0.5, 0.75]) AS quartiles, count(g.value) AS areas
        FROM area_latest l JOIN group_rows g USING (indicator_id)
        GROUP BY l.indicator_id
        """,  # noqa: S608 - the fragments are ours; values arrive as parameters
    ),
    "latest batch changes": (
        "rows of the latest indicator batch in the region, new or revised against the value "
        "current before it (core of changes_since_previous_batch)",
        f"""
        WITH {_LIVE},
        latest_batch AS (
            SELECT batch_id, created_at FROM live WHERE kind = 'indicators'
            ORDER BY created_at DESC, batch_id DESC LIMIT 1
        ),
        incoming AS (
            SELECT o.indicator_id, o.area_code, o.period, o.value
            FROM observations o JOIN latest_batch l ON l.batch_id = o.batch_id
            WHERE o.area_code IN (SELECT area_code FROM areas WHERE region_code = $region)
        ),
        previous AS (
            SELECT o.indicator_id, o.area_code, o.period, o.value
            FROM observations o
            JOIN live b ON b.batch_id = o.batch_id
            JOIN incoming i
              ON i.indicator_id = o.indicator_id AND i.area_code = o.area_code
             AND i.period = o.period
            WHERE b.created_at < (SELECT created_at FROM latest_batch)
            {_CURRENT}
        )
        SELECT count(*) FILTER (WHERE p.value IS NULL) AS new_rows,
               count(*) FILTER (WHERE p.value IS DISTINCT FROM i.value) AS revised_rows
        FROM incoming i
        LEFT JOIN previous p
          ON p.indicator_id = i.indicator_id AND p.area_code = i.area_code
         AND p.period = i.period
        """,  # noqa: S608 - the fragments are ours; values arrive as parameters
    ),
}


@dataclass(frozen=True)
class Context:
    """What the queries are asked about."""

    region: str
    outcome_department_id: str | None
    area_code: str | None


def choose_context(con: duckdb.DuckDBPyConnection, region: str) -> Context:
    """Returns the region's first outcome department and first upper-tier area (by code)."""
    department = con.execute(
        "SELECT outcome_department_id FROM outcome_departments WHERE region_code = ? "
        "ORDER BY outcome_department_key LIMIT 1",
        [region],
    ).fetchone()
    area = con.execute(
        "SELECT area_code FROM areas WHERE region_code = ? AND tier IN ('county', 'unitary') "
        "ORDER BY area_code LIMIT 1",
        [region],
    ).fetchone()
    return Context(region, department[0] if department else None, area[0] if area else None)


def _function(module: str, name: str) -> Callable | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def data_functions(context: Context) -> list[tuple[str, str, Callable | None, str]]:
    """Returns (figure name, reference core, call(con) or None if missing, what it is)."""
    analytics = "warehouse.analytics"
    r, vod, area = context.region, context.outcome_department_id, context.area_code

    def bind(module: str, name: str, *args) -> Callable | None:
        function = _function(module, name)
        if function is None or any(a is None for a in args):
            return None
        return lambda con: function(con, *args)

    def explorer_default() -> Callable | None:
        explorer = _function(analytics, "explorer")
        filters = _function(analytics, "ExplorerFilters")
        if explorer is None or filters is None:
            return None
        return lambda con: explorer(con, filters(region_code=r))

    overview = [
        ("region_overview", bind(analytics, "region_overview", r)),
        ("priority_goals", bind(analytics, "priority_goals", r)),
        ("needs_attention", bind(analytics, "needs_attention", r)),
        ("learn_from", bind(analytics, "learn_from", r)),
        ("latest_indicator_batch", bind(analytics, "latest_indicator_batch")),
    ]

    def all_of_overview(con: duckdb.DuckDBPyConnection) -> None:
        for _, call in overview:
            call(con)

    complete = all(call is not None for _, call in overview)
    page = "region overview"
    return [
        (
            f"region_overview({r})",
            "region latest",
            overview[0][1],
            f"{page}: counts per outcome department",
        ),
        (f"priority_goals({r})", "region trend window", overview[1][1], f"{page}: goals"),
        (f"needs_attention({r})", "region trend window", overview[2][1], f"{page}: red-reds"),
        (f"learn_from({r})", "region trend window", overview[3][1], f"{page}: green flags"),
        (
            "latest_indicator_batch()",
            "catalog overhead",
            overview[4][1],
            f"{page}: the latest release's counts",
        ),
        (
            "region overview page data (the five above, in turn)",
            "region trend window",
            all_of_overview if complete else None,
            f"{page}: everything the page reads on a visit",
        ),
        (
            f"changes_since_previous_batch({r})",
            "latest batch changes",
            bind(analytics, "changes_since_previous_batch", r),
            f"{page}: the values the latest release changed in the region, listed on request",
        ),
        (
            f"outcome_department_profile({vod})",
            "region trend window",
            bind(analytics, "outcome_department_profile", vod),
            "outcome department page",
        ),
        (
            f"area_breakdown({r}, {vod})",
            "region trend window",
            bind(analytics, "area_breakdown", r, vod),
            "outcome department page: areas",
        ),
        (
            f"explorer(ExplorerFilters(region_code={r}))",
            "region trend window",
            explorer_default(),
            "explorer default view",
        ),
        (
            f"explorer_options({r})",
            "region latest",
            bind(analytics, "explorer_options", r),
            "explorer filters",
        ),
        (
            f"area_profile({area})",
            "area latest and England spread",
            bind(analytics, "area_profile", area),
            "area profile page",
        ),
    ]


def time_calls(call: Callable[[], object], runs: int, warmups: int = 1) -> list[float]:
    """Returns the milliseconds of ``runs`` calls after ``warmups`` untimed ones."""
    for _ in range(warmups):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def plain_copy(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Returns a cursor on an in-memory DuckDB database holding plain copies of the tables."""
    con.execute("ATTACH ':memory:' AS plain")
    for table in ("observations", "areas", "batches", "batch_events"):
        con.execute(f"CREATE TABLE plain.{table} AS SELECT * FROM wh.{table}")  # noqa: S608
    cursor = con.cursor()
    cursor.execute("USE plain")
    return cursor


def query_figures(
    data_dir: Path,
    region: str,
    runs: int,
    rows: int,
    command: str,
    note: str,
    warmups: int = 1,
) -> list[Figure]:
    """Returns the latency figures of every data function and reference at one size."""
    from warehouse import open_warehouse
    from warehouse.connection import session_cursor

    con = open_warehouse(warehouse_settings(data_dir))
    cursor = session_cursor(con)
    context = choose_context(cursor, region)
    figures = []
    for name, reference, call, what in data_functions(context):
        base = {"section": "queries", "name": name, "rows": rows, "unit": "ms"}
        base |= {"command": command, "target": "", "check": None}
        if name.startswith(("region_overview(", "region overview page data")):
            base |= {"target": f"≤ {REGION_OVERVIEW_MS:g} ms median at 10M"}
            base |= {"check": at_most(REGION_OVERVIEW_MS)}
        if call is None:
            figures.append(Figure(**base, note=f"{what}; not measured: not available yet"))
            continue
        try:
            samples = time_calls(lambda call=call: call(cursor), runs, warmups)
        except Exception as error:  # a function another developer is finishing may fail
            figures.append(
                Figure(**base, note=f"{what}; failed: {type(error).__name__}: {error}"[:300])
            )
            continue
        figures.append(
            Figure(**base, samples=samples, note=f"{what}; reference: {reference}; {note}")
        )

    plain = plain_copy(con)
    for name, (what, sql) in REFERENCES.items():
        params = {"region": region, "area": context.area_code}
        used = {k: v for k, v in params.items() if f"${k}" in sql}
        for label, target in (("plain DuckDB tables", plain), ("warehouse (DuckLake)", cursor)):
            samples = time_calls(
                lambda t=target, s=sql, p=used: t.execute(s, p).fetchall(), runs, warmups
            )
            figures.append(
                Figure(
                    section="queries",
                    name=f"reference SQL: {name}, on {label}",
                    rows=rows,
                    unit="ms",
                    samples=samples,
                    command=command,
                    note=what,
                )
            )
    plain.close()
    cursor.close()
    con.close()
    return figures
