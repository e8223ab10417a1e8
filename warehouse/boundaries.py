"""Area boundaries (GeoJSON geometry per area) for choropleth maps."""

from __future__ import annotations

import json

import duckdb
import polars as pl

from warehouse.frames import query


def has_boundaries(con: duckdb.DuckDBPyConnection) -> bool:
    """Returns True when any live boundary batch is loaded."""
    # Without ranking (or reading) the geometries, as counting the current view would.
    found = con.execute(
        "SELECT EXISTS (SELECT 1 FROM boundaries JOIN live_batches USING (batch_id))"
    ).fetchone()
    return bool(found[0])


def boundaries_geojson(con: duckdb.DuckDBPyConnection, area_codes: list[str]) -> dict:
    """Returns a GeoJSON FeatureCollection of the current boundaries of the given areas,
    each feature's ``id`` its area code."""
    rows = query(
        con,
        "SELECT area_code, name, geometry FROM current_boundaries WHERE list_contains(?, area_code)",
        [area_codes],
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": code,
                "properties": {"area_code": code, "name": name},
                "geometry": json.loads(geometry),
            }
            for code, name, geometry in rows.iter_rows()
        ],
    }


def boundary_areas(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns which areas have a current boundary, with the batch it came from."""
    return query(con, "SELECT area_code, name, batch_id FROM current_boundaries ORDER BY area_code")


def map_features_for_region(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns, for each district of the region with a boundary, the upper-tier area whose
    value it shows (its county for a two-tier district, itself otherwise)."""
    return query(
        con,
        """
        SELECT a.area_code AS feature_code,
               CASE WHEN a.tier = 'district' THEN a.parent_code ELSE a.area_code END AS area_code
        FROM areas a JOIN current_boundaries b USING (area_code)
        WHERE a.region_code = ? AND a.tier IN ('district', 'unitary')
        ORDER BY a.area_code
        """,
        [region_code],
    )
