"""Read functions over reference data: regions, areas, codes, indicators, PSAs, departments."""

from __future__ import annotations

from datetime import date

import duckdb
import polars as pl

from warehouse.frames import WAREHOUSE_TABLES, query


def regions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns the nine English regions, in ONS code order."""
    return query(
        con, "SELECT region_code, name, government_office FROM regions ORDER BY region_code"
    )


#: The structure the warehouse was built on: areas live on this day are the April 2009 ones.
APRIL_2009 = date(2009, 4, 1)


def areas(
    con: duckdb.DuckDBPyConnection, region_code: str | None = None, live_on: date | None = None
) -> pl.DataFrame:
    """Returns areas (all, or one region's local authorities), ordered by name.

    ``live_on`` keeps only the areas that existed on that day (``APRIL_2009`` gives the
    structure of April 2009, before the reorganisations of 2019 to 2023).
    """
    return query(
        con,
        """
        SELECT area_code, old_code, name, area_type, tier, parent_code, region_code,
               valid_from, valid_to
        FROM areas
        WHERE (?::VARCHAR IS NULL OR (region_code = ? AND tier NOT IN ('region', 'country')))
          AND (?::DATE IS NULL OR (coalesce(valid_from, ?::DATE) <= ?::DATE
                                   AND coalesce(valid_to, ?::DATE) >= ?::DATE))
        ORDER BY name
        """,
        [region_code, region_code, *[live_on] * 5],
    )


def area_code_lookup(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns every code an upload may use for an area (GSS, old ONS, superseded GSS),
    mapped to the area's current GSS code."""
    return query(
        con,
        """
        SELECT area_code AS code, area_code FROM areas
        UNION ALL
        SELECT old_code, area_code FROM areas WHERE old_code IS NOT NULL AND tier NOT IN ('region', 'country')
        UNION ALL
        SELECT previous_code, area_code FROM area_code_changes
        """,
    )


def area_lifetimes(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns each local authority's life: when it was created and abolished, and from
    and into which areas, for the areas with a start or an end that values must respect.

    Columns: ``area_code``, ``name``, ``valid_from``, ``valid_to``, ``starts`` (the first
    day a value may describe: ``valid_from``, but null for the areas of the April 2009
    structure, whose values before it are taken as published on their boundaries),
    ``predecessors`` and ``successors`` (names and codes, in words).
    """
    return query(
        con,
        """
        WITH before AS (
            SELECT s.successor_code AS area_code,
                   string_agg(p.name || ' (' || p.area_code || ')', ', ' ORDER BY p.name)
                       AS predecessors
            FROM area_successions s JOIN areas p ON p.area_code = s.predecessor_code
            GROUP BY ALL
        ),
        after AS (
            SELECT s.predecessor_code AS area_code,
                   string_agg(n.name || ' (' || n.area_code || ')', ' and ' ORDER BY n.name)
                       AS successors
            FROM area_successions s JOIN areas n ON n.area_code = s.successor_code
            GROUP BY ALL
        )
        SELECT a.area_code, a.name, a.valid_from, a.valid_to,
               CASE WHEN a.valid_from > ?::DATE THEN a.valid_from END AS starts,
               before.predecessors, after.successors
        FROM areas a LEFT JOIN before USING (area_code) LEFT JOIN after USING (area_code)
        WHERE a.valid_from > ?::DATE OR a.valid_to IS NOT NULL
        ORDER BY a.area_code
        """,
        [APRIL_2009, APRIL_2009],
    )


def indicators(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns the indicator catalogue with owner department name and PSA ids as text."""
    return query(
        con,
        """
        SELECT * FROM (
            SELECT i.indicator_id, i.name, i.definition, i.unit, i.value_type, i.multiplier,
                   i.polarity, i.owner_department_code, d.name AS owner_department, i.theme,
                   i.source, i.verification,
                   coalesce(string_agg(p.psa_id::VARCHAR, ', ' ORDER BY p.psa_id), '') AS psas
            FROM current_indicators i
            LEFT JOIN departments d ON d.department_code = i.owner_department_code
            LEFT JOIN indicator_psas p USING (indicator_id)
            GROUP BY ALL
        )
        ORDER BY try_cast(regexp_extract(indicator_id, '\\d+') AS INTEGER) NULLS LAST, indicator_id
        """,
    )


def psas(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns the 30 PSAs with their lead department names."""
    return query(
        con,
        """
        SELECT p.psa_id, p.title, p.lead_department_code, d.name AS lead_department,
               p.regional_delivery
        FROM psas p LEFT JOIN departments d ON d.department_code = p.lead_department_code
        ORDER BY p.psa_id
        """,
    )


def departments(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns the Whitehall departments, by code."""
    return query(con, "SELECT department_code, name FROM departments ORDER BY department_code")


def table_counts(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns the number of rows in every warehouse table and current-value view."""
    names = [
        *WAREHOUSE_TABLES,
        "current_observations",
        "current_targets",
        "current_boundaries",
        "current_indicators",
        "current_outcome_department_indicators",
    ]
    union = " UNION ALL ".join(
        f"SELECT '{n}' AS name, count(*) AS rows FROM {n}"  # noqa: S608 - names are ours
        for n in names
    )
    return query(con, union)


def search_indicators(
    catalogue: pl.DataFrame, text: str = "", owner: str | None = None
) -> pl.DataFrame:
    """Returns the catalogue rows whose id, name, definition, theme or unit contain every word
    of ``text`` (case-insensitive), optionally for one owner department code."""
    result = catalogue
    if owner:
        result = result.filter(pl.col("owner_department_code") == owner)
    haystack = pl.concat_str(
        [pl.col(c).fill_null("") for c in ("indicator_id", "name", "definition", "theme", "unit")],
        separator=" ",
    ).str.to_lowercase()
    for word in text.lower().split():
        result = result.filter(haystack.str.contains(word, literal=True))
    return result
