"""Who is working where: the register of national programmes and their presence in areas.

Reads over ``current_programmes`` and ``current_programme_areas`` (the newest live batch of
each programme, and of each programme, area and role). A programme names the outcome
departments it aims at by key (``children_young_people``), so one national programme counts
in every region's department of that outcome. A presence is active on a date when the date
falls within both its own and its programme's from/to (an open end runs on).

Overlap: an area where several programmes work on one outcome. Gap: an area off track (or
not met) on a priority goal of an outcome department with no programme working on it.
"""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from warehouse.frames import query

#: The target statuses that make an area "off track" on a goal.
OFF_TRACK = ("Off track", "Not met")

PRESENCE_SQL = """
WITH programme_outcomes AS (
    SELECT p.*, trim(unnest(string_split(p.outcome_departments, ';'))) AS outcome_department_key
    FROM current_programmes p
)
SELECT d.outcome_department_id, d.name AS outcome_department, p.outcome_department_key,
       p.programme_id, p.name AS programme, p.department_code, dep.name AS department,
       p.indicator_ids, p.funding, x.area_code, a.name AS area_name, x.role,
       x.contact_name, x.contact_email, x.from_date, x.to_date
FROM current_programme_areas x
JOIN programme_outcomes p USING (programme_id)
JOIN areas a ON a.area_code = x.area_code
JOIN current_outcome_departments d
  ON d.region_code = a.region_code AND d.outcome_department_key = p.outcome_department_key
LEFT JOIN departments dep ON dep.department_code = p.department_code
WHERE a.region_code = $region
  AND ($area::VARCHAR IS NULL OR x.area_code = $area)
  AND ($department::VARCHAR IS NULL OR d.outcome_department_id = $department)
  AND coalesce(x.from_date, DATE '0001-01-01') <= $as_at
  AND coalesce(x.to_date, DATE '9999-12-31') >= $as_at
  AND coalesce(p.start_date, DATE '0001-01-01') <= $as_at
  AND coalesce(p.end_date, DATE '9999-12-31') >= $as_at
ORDER BY d.name, dep.name, p.name, a.name, x.role
"""


def programme_register(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns every current programme (id, name, department, outcome keys, indicators,
    start, end, funding), by name."""
    return query(
        con,
        """
        SELECT programme_id, name, department_code, outcome_departments, indicator_ids,
               start_date, end_date, funding
        FROM current_programmes ORDER BY name, programme_id
        """,
    )


def programme_presence(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    area_code: str | None = None,
    outcome_department_id: str | None = None,
    as_at: date | None = None,
) -> pl.DataFrame:
    """Returns each active presence of a programme in the region's areas, one row per outcome
    department it aims at (optionally one area or one department only).

    Columns: ``outcome_department_id``, ``outcome_department``, ``outcome_department_key``,
    ``programme_id``, ``programme``, ``department_code``, ``department``, ``indicator_ids``,
    ``funding``, ``area_code``, ``area_name``, ``role``, ``contact_name``,
    ``contact_email``, ``from_date``, ``to_date``. ``as_at`` defaults to today.
    """
    return query(
        con,
        PRESENCE_SQL,
        {
            "region": region_code,
            "area": area_code,
            "department": outcome_department_id,
            "as_at": as_at or date.today(),
        },
    )


def who_is_working_here(
    con: duckdb.DuckDBPyConnection, area_code: str, as_at: date | None = None
) -> pl.DataFrame:
    """Returns, per outcome department, how many programmes and departments work in the area.

    Columns ``outcome_department_id``, ``outcome_department``, ``programmes``,
    ``departments``, ``sentence`` (e.g. "17 national programmes from 6 departments work on
    Children and young people in Hartlepool."), most programmes first.
    """
    area = query(con, "SELECT name, region_code FROM areas WHERE area_code = ?", [area_code])
    if area.is_empty():
        return _empty_counts()
    name, region_code = area.row(0)
    presence = programme_presence(con, region_code, area_code=area_code, as_at=as_at)
    counts = (
        presence.group_by("outcome_department_id", "outcome_department")
        .agg(
            programmes=pl.col("programme_id").n_unique(),
            departments=pl.col("department_code").n_unique(),
        )
        .sort(["programmes", "outcome_department"], descending=[True, False])
    )
    return counts.with_columns(
        sentence=pl.struct("programmes", "departments", "outcome_department").map_elements(
            lambda r: working_sentence(
                r["programmes"], r["departments"], r["outcome_department"], name
            ),
            return_dtype=pl.String,
        )
    )


def _empty_counts() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "outcome_department_id": pl.String,
            "outcome_department": pl.String,
            "programmes": pl.UInt32,
            "departments": pl.UInt32,
            "sentence": pl.String,
        }
    )


def working_sentence(programmes: int, departments: int, outcome: str, area: str) -> str:
    """Returns the count in words: "17 national programmes from 6 departments work on …"."""
    outcome = outcome.split(":")[0].strip()
    outcome = outcome[:1].lower() + outcome[1:] if outcome[1:2].islower() else outcome
    if programmes == 0:
        return f"No national programme works on {outcome} in {area}."
    noun = "national programme" if programmes == 1 else "national programmes"
    verb = "works" if programmes == 1 else "work"
    source = "1 department" if departments == 1 else f"{departments} departments"
    return f"{programmes} {noun} from {source} {verb} on {outcome} in {area}."


def off_track_priority_goals(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns each upper-tier area of the region that is off track (or has not met) a
    priority goal's target: ``outcome_department_id``, ``area_code``, ``area_name``,
    ``indicator_id``, ``goal``, ``target_status``."""
    return query(
        con,
        """
        SELECT DISTINCT g.outcome_department_id, l.area_code, l.area_name, g.indicator_id,
               g.goal, l.target_status
        FROM current_outcome_department_goals g
        JOIN current_outcome_departments d USING (outcome_department_id)
        JOIN assessed_latest l
          ON l.indicator_id = g.indicator_id AND l.region_code = d.region_code
        WHERE d.region_code = $region AND g.priority
          AND l.tier IN ('county', 'unitary')
          AND l.target_status IN (SELECT unnest($statuses::VARCHAR[]))
        ORDER BY g.outcome_department_id, l.area_name, g.indicator_id
        """,
        {"region": region_code, "statuses": list(OFF_TRACK)},
    )


def area_coverage(
    con: duckdb.DuckDBPyConnection, outcome_department_id: str, as_at: date | None = None
) -> pl.DataFrame:
    """Returns every upper-tier area of the department's region with the programmes working
    there on its outcome and whether that is an overlap or a gap.

    Columns ``area_code``, ``area_name``, ``programmes`` (count), ``programme_names``,
    ``off_track_goals`` (count of priority goals off track or not met), ``finding``:
    "Overlap: 3 programmes" where several work, "Gap: off track with no programme" where
    none works on an off-track priority goal, else empty.
    """
    region_code = _region_of(con, outcome_department_id)
    areas = query(
        con,
        """
        SELECT area_code, name AS area_name FROM areas
        WHERE region_code = ? AND tier IN ('county', 'unitary') ORDER BY name
        """,
        [region_code],
    )
    presence = programme_presence(
        con, region_code, outcome_department_id=outcome_department_id, as_at=as_at
    )
    working = presence.group_by("area_code").agg(
        programmes=pl.col("programme_id").n_unique(),
        programme_names=pl.col("programme").unique().sort().str.join("; "),
    )
    off = (
        off_track_priority_goals(con, region_code)
        .filter(pl.col("outcome_department_id") == outcome_department_id)
        .group_by("area_code")
        .agg(off_track_goals=pl.col("indicator_id").n_unique())
    )
    table = (
        areas.join(working, on="area_code", how="left")
        .join(off, on="area_code", how="left")
        .with_columns(
            pl.col("programmes").fill_null(0),
            pl.col("programme_names").fill_null(""),
            pl.col("off_track_goals").fill_null(0),
        )
    )
    return table.with_columns(
        finding=pl.when(pl.col("programmes") > 1)
        .then(pl.format("Overlap: {} programmes", pl.col("programmes")))
        .when((pl.col("programmes") == 0) & (pl.col("off_track_goals") > 0))
        .then(pl.lit("Gap: off track with no programme"))
        .otherwise(pl.lit(""))
    )


def programme_grid(
    con: duckdb.DuckDBPyConnection, outcome_department_id: str, as_at: date | None = None
) -> pl.DataFrame:
    """Returns programmes × areas for the department's outcome: one row per programme
    (``Programme``, ``Department``), one column per upper-tier area of the region holding
    the programme's roles there (empty where it is absent)."""
    region_code = _region_of(con, outcome_department_id)
    presence = programme_presence(
        con, region_code, outcome_department_id=outcome_department_id, as_at=as_at
    )
    if presence.is_empty():
        return pl.DataFrame(schema={"Programme": pl.String, "Department": pl.String})
    roles = presence.group_by("programme", "department", "area_name").agg(
        pl.col("role").unique().sort().str.join(", ")
    )
    areas = sorted(presence["area_name"].unique().to_list())
    grid = roles.pivot(on="area_name", index=["programme", "department"], values="role")
    return (
        grid.select("programme", "department", *areas)
        .sort("programme")
        .rename({"programme": "Programme", "department": "Department"})
        .fill_null("")
    )


def region_programme_summary(
    con: duckdb.DuckDBPyConnection, region_code: str, as_at: date | None = None
) -> pl.DataFrame:
    """Returns one row per outcome department of the region: ``outcome_department_id``,
    ``outcome_department``, ``programmes`` active, ``overlap_areas`` (areas where several
    work on the outcome), ``gap_areas`` (areas off track on a priority goal with none),
    and ``sentence`` saying all three in words."""
    departments = query(
        con,
        "SELECT outcome_department_id, name AS outcome_department "
        "FROM current_outcome_departments WHERE region_code = ? ORDER BY name",
        [region_code],
    )
    presence = programme_presence(con, region_code, as_at=as_at)
    per_area = presence.group_by("outcome_department_id", "area_code").agg(
        n=pl.col("programme_id").n_unique()
    )
    counts = presence.group_by("outcome_department_id").agg(
        programmes=pl.col("programme_id").n_unique()
    )
    overlaps = (
        per_area.filter(pl.col("n") > 1)
        .group_by("outcome_department_id")
        .agg(overlap_areas=pl.len())
    )
    off = (
        off_track_priority_goals(con, region_code)
        .select("outcome_department_id", "area_code")
        .unique()
    )
    gaps = (
        off.join(per_area, on=["outcome_department_id", "area_code"], how="anti")
        .group_by("outcome_department_id")
        .agg(gap_areas=pl.len())
    )
    table = (
        departments.join(counts, on="outcome_department_id", how="left")
        .join(overlaps, on="outcome_department_id", how="left")
        .join(gaps, on="outcome_department_id", how="left")
        .with_columns(pl.col("programmes", "overlap_areas", "gap_areas").fill_null(0))
    )
    return table.with_columns(
        sentence=pl.struct("programmes", "overlap_areas", "gap_areas").map_elements(
            lambda r: summary_sentence(r["programmes"], r["overlap_areas"], r["gap_areas"]),
            return_dtype=pl.String,
        )
    )


def summary_sentence(programmes: int, overlap_areas: int, gap_areas: int) -> str:
    """Returns one department's line: programmes active, overlaps and gaps, in words."""

    def count(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    return (
        f"{count(programmes, 'programme', 'programmes')} active; "
        f"{count(overlap_areas, 'area', 'areas')} where several overlap; "
        f"{count(gap_areas, 'area', 'areas')} off track on a priority goal with nothing "
        "working on it."
    )


def _region_of(con: duckdb.DuckDBPyConnection, outcome_department_id: str) -> str | None:
    found = con.execute(
        "SELECT region_code FROM current_outcome_departments WHERE outcome_department_id = ?",
        [outcome_department_id],
    ).fetchone()
    return found[0] if found else None


def region_presences(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns the current presence rows of the region's areas as the ``programme_areas``
    template has them (for editing in the app), by programme and area."""
    return query(
        con,
        """
        SELECT x.programme_id, x.area_code, x.role, x.contact_name, x.contact_email,
               x.from_date, x.to_date
        FROM current_programme_areas x JOIN areas a USING (area_code)
        WHERE a.region_code = ?
        ORDER BY x.programme_id, x.area_code, x.role
        """,
        [region_code],
    )


def coverage_sentence(coverage: pl.DataFrame) -> str:
    """Returns the line of :func:`summary_sentence` for an :func:`area_coverage` table: the
    programmes working in any of its areas, and its overlap and gap areas."""
    names = coverage["programme_names"].str.split("; ").explode()
    active = names.filter(names != "").n_unique()
    overlaps = coverage.filter(pl.col("finding").str.starts_with("Overlap")).height
    gaps = coverage.filter(pl.col("finding").str.starts_with("Gap")).height
    return summary_sentence(active, overlaps, gaps)
