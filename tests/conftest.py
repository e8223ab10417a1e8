"""Shared fixtures: warehouses in temporary folders, built once and copied per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.demo import build_demo_warehouse
from warehouse import open_warehouse
from warehouse.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
FILES = Path(__file__).parent / "files"


def shared_file(relative: str) -> Path:
    """Returns a file under ../shared, skipping the test when it is not there."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared/{relative} is not available")
    return path


def lake_settings(data_dir: Path) -> Settings:
    """Returns settings for a DuckLake warehouse in ``data_dir``."""
    return Settings(data_dir=data_dir, warehouse="", demo_on_first_start=False, write_retries=30)


@pytest.fixture(scope="session")
def _demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("demo-warehouse")
    con = open_warehouse(lake_settings(data_dir))
    build_demo_warehouse(con, seed=2009)
    con.close()
    return data_dir


@pytest.fixture(scope="session")
def demo_con(_demo_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only-by-convention connection to the shared demo warehouse. Do not write to it."""
    con = open_warehouse(lake_settings(_demo_dir))
    yield con
    con.close()


@pytest.fixture
def demo_copy(_demo_dir: Path, tmp_path: Path) -> Settings:
    """Settings for a private copy of the demo warehouse that a test may write to."""
    target = tmp_path / "data"
    shutil.copytree(_demo_dir, target)
    return lake_settings(target)


@pytest.fixture(scope="session")
def _empty_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("empty-warehouse")
    open_warehouse(lake_settings(data_dir)).close()
    return data_dir


@pytest.fixture
def empty_lake(_empty_dir: Path, tmp_path: Path) -> Settings:
    """Settings for a private DuckLake warehouse holding reference data only."""
    target = tmp_path / "data"
    shutil.copytree(_empty_dir, target)
    return lake_settings(target)


@pytest.fixture
def memory_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB warehouse with reference data (no DuckLake), for fast unit tests."""
    con = open_warehouse(Settings(warehouse=":memory:", demo_on_first_start=False))
    yield con
    con.close()
