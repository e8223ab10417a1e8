"""The warehouse: DuckDB with a DuckLake catalog, its schema, reference data and queries."""

from __future__ import annotations

import duckdb

from warehouse.connection import connect
from warehouse.migrations import migrate
from warehouse.reference_data import install_reference_data
from warehouse.settings import Settings


def open_warehouse(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Returns a connection to an up-to-date warehouse: migrations applied, reference data in."""
    con = connect(settings)
    migrate(con, settings.write_retries)
    install_reference_data(con, retries=settings.write_retries)
    return con
