"""Opens the warehouse: DuckDB with a DuckLake catalog by default.

Extensions are loaded from the pinned ``duckdb-extension-*`` wheels by file path with
autoinstall and autoload off, so opening a warehouse never touches the network.
"""

from __future__ import annotations

import glob
import importlib.util
import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.settings import Settings

log = logging.getLogger(__name__)

CATALOG = "wh"
T = TypeVar("T")


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse's write lock for longer than we were willing to wait."""


def extension_path(name: str) -> str:
    """Returns the path of an extension binary shipped in its ``duckdb-extension-NAME`` wheel."""
    spec = importlib.util.find_spec(f"duckdb_extension_{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            f"The DuckDB extension '{name}' is not installed. Install the project again with "
            f'pip install -e ".[dev]" (it pins duckdb-extension-{name.replace("_", "-")}).'
        )
    found = glob.glob(f"{spec.submodule_search_locations[0]}/**/*.duckdb_extension", recursive=True)
    if not found:
        raise RuntimeError(f"The wheel for DuckDB extension '{name}' holds no binary.")
    return found[0]


def _offline_connection(database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        database,
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
    )


def is_ducklake(settings: Settings) -> bool:
    """Returns True when the configured warehouse is a DuckLake catalog."""
    return settings.warehouse_url().startswith("ducklake:")


def warehouse_exists(settings: Settings) -> bool:
    """Returns True when a local warehouse file is already there (remote catalogs: True)."""
    url = settings.warehouse_url()
    if url == ":memory:":
        return False
    if url.startswith("ducklake:sqlite:"):
        return Path(url.removeprefix("ducklake:sqlite:")).exists()
    if url.startswith("ducklake:"):
        return True
    return Path(url).exists()


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Returns a DuckDB connection whose current catalog is the configured warehouse.

    Parameters
    ----------
    settings:
        Where the warehouse lives (``Settings.warehouse_url``) and its data folder.
    """
    url = settings.warehouse_url()
    if not url.startswith("ducklake:"):
        if url != ":memory:":
            Path(url).parent.mkdir(parents=True, exist_ok=True)
        return _offline_connection(url)

    con = _offline_connection()
    con.execute(f"LOAD '{extension_path('ducklake')}'")
    if url.startswith("ducklake:sqlite:"):
        con.execute(f"LOAD '{extension_path('sqlite_scanner')}'")
        _use_write_ahead_log(Path(url.removeprefix("ducklake:sqlite:")))
    elif url.startswith("ducklake:postgres:"):
        con.execute(f"LOAD '{extension_path('postgres_scanner')}'")
    lake = settings.lake_path()
    if "://" not in lake:
        Path(lake).mkdir(parents=True, exist_ok=True)
    # The data path is taken from settings rather than the catalog, so a data directory can
    # be moved or copied whole (file paths inside the catalog are relative to it).
    con.execute(
        f"ATTACH '{_quote(url)}' AS {CATALOG} (DATA_PATH '{_quote(lake)}', OVERRIDE_DATA_PATH true)"
    )
    con.execute(f"USE {CATALOG}")
    return con


def _use_write_ahead_log(catalog: Path) -> None:
    """Puts a SQLite catalog in WAL mode (once; it persists in the file).

    In SQLite's default rollback-journal mode a reader blocks a writer's commit, so the app
    reading while the CLI loads would fail with "database is locked"; in WAL mode readers
    and one writer proceed side by side.
    """
    catalog.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(catalog, timeout=30)) as sqlite:
        if sqlite.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            sqlite.execute("PRAGMA journal_mode=WAL")


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _is_lock_conflict(error: Exception) -> bool:
    message = str(error).lower()
    return any(
        words in message
        for words in (
            "database is locked",
            "failed to commit",
            "transaction conflict",
            "conflict",
            "busy",
        )
    )


def in_transaction(
    con: duckdb.DuckDBPyConnection, work: Callable[[duckdb.DuckDBPyConnection], T], retries: int = 8
) -> T:
    """Returns what ``work`` returns, having run it in one transaction that commits whole or not at all.

    A commit refused because another process holds the catalog is retried with a growing,
    jittered pause; after ``retries`` tries ``WarehouseBusy`` is raised and nothing is written.
    """
    for attempt in range(retries + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            result = work(con)
            con.execute("COMMIT")
            return result
        except duckdb.Error as error:
            _rollback_quietly(con)
            if not _is_lock_conflict(error) or attempt == retries:
                if _is_lock_conflict(error):
                    raise WarehouseBusy(
                        "The warehouse is busy with another upload. Nothing was written; "
                        "try again in a minute."
                    ) from error
                raise
            pause = min(2.0, 0.05 * 2**attempt) * (0.5 + random.random())
            log.info("write conflict (%s); retrying in %.2fs", error, pause)
            time.sleep(pause)
        except BaseException:
            _rollback_quietly(con)
            raise
    raise AssertionError("unreachable")


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


_SHARED_CONNECTION = threading.Lock()


def session_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Returns a new cursor on the same database whose current catalog is the warehouse.

    Cursors share the process's one DuckDB instance (and its attached catalog) but each has
    its own transaction state, so one per user session keeps sessions apart. Sessions run in
    threads of their own: the query on the shared connection is serialised, because a DuckDB
    connection's result belongs to whichever thread fetches it first.
    """
    with _SHARED_CONNECTION:
        cursor = con.cursor()
        catalog = con.execute("SELECT current_database()").fetchone()[0]
    cursor.execute(f'USE "{_quote(catalog)}"')
    return cursor


def latest_snapshot(con: duckdb.DuckDBPyConnection) -> int | None:
    """Returns the DuckLake catalog's latest snapshot id (None for a plain DuckDB warehouse)."""
    catalog = con.execute("SELECT current_database()").fetchone()[0]
    if catalog != CATALOG:
        return None
    return con.execute(
        f"SELECT max(snapshot_id) FROM ducklake_snapshots('{CATALOG}')"  # noqa: S608 - our constant
    ).fetchone()[0]
