"""Read functions over reference data: regions, areas, codes, indicators, PSAs, departments."""

from __future__ import annotations

import duckdb
import polars as pl

from warehouse.frames import WAREHOUSE_TABLES, query


def regions(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns the nine English regions, in ONS code order."""
    return query(
        con, "SELECT region_code, name, government_office FROM regions ORDER BY region_code"
    )


def areas(con: duckdb.DuckDBPyConnection, region_code: str | None = None) -> pl.DataFrame:
    """Returns areas (all, or one region's local authorities), ordered by name."""
    return query(
        con,
        """
        SELECT area_code, old_code, name, area_type, tier, parent_code, region_code,
               valid_from, valid_to
        FROM areas
        WHERE ?::VARCHAR IS NULL OR (region_code = ? AND tier NOT IN ('region', 'country'))
        ORDER BY name
        """,
        [region_code, region_code],
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
