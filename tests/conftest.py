"""Shared fixtures: warehouses in temporary folders, built once and copied per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from pipelines.demo import build_demo_warehouse
from tests.postgres import ADMIN_ENV, CatalogTemplate, PostgresServer, skip_or_fail, unavailable
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


def lake_settings(data_dir: Path, warehouse: str = "") -> Settings:
    """Returns settings for a DuckLake warehouse in ``data_dir`` (SQLite catalog by default)."""
    return Settings(
        data_dir=data_dir, warehouse=warehouse, demo_on_first_start=False, write_retries=30
    )


# Storage tests marked ``both_catalogs`` run once per DuckLake catalog; the PostgreSQL run
# skips with a sentence when no server is reachable (fails when OUTCOMES_REQUIRE_POSTGRES=1).
CATALOGS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if (
        metafunc.definition.get_closest_marker("both_catalogs")
        and "catalog" in metafunc.fixturenames
    ):
        metafunc.parametrize("catalog", CATALOGS, indirect=True)


@pytest.fixture
def catalog(request: pytest.FixtureRequest) -> str:
    """Which DuckLake catalog ``empty_lake`` uses: ``sqlite`` unless the test runs on both."""
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The PostgreSQL server of ``OUTCOMES_TEST_POSTGRES``; skips (or fails in CI) without one."""
    admin = os.environ.get(ADMIN_ENV, "")
    reason = unavailable(admin)
    if reason:
        skip_or_fail(reason)
    server = PostgresServer(admin)
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def _postgres_empty(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> CatalogTemplate:
    data_dir = tmp_path_factory.mktemp("empty-warehouse-postgres")
    name = postgres_server.new_name("empty")
    postgres_server.create(name)
    open_warehouse(lake_settings(data_dir, postgres_server.catalog_url(name))).close()
    return CatalogTemplate(postgres_server, name, data_dir)


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
def empty_lake(catalog: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings for a private DuckLake warehouse holding reference data only (on ``catalog``)."""
    target = tmp_path / "data"
    if catalog == "postgres":
        return request.getfixturevalue("_postgres_empty").copy(target, lake_settings)
    shutil.copytree(request.getfixturevalue("_empty_dir"), target)
    return lake_settings(target)


@pytest.fixture
def memory_con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB warehouse with reference data (no DuckLake), for fast unit tests."""
    con = open_warehouse(Settings(warehouse=":memory:", demo_on_first_start=False))
    yield con
    con.close()


APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


def _forget_app_state() -> None:
    import streamlit as st

    from warehouse.settings import get_settings

    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def apps_on(monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """Returns ``on(settings)``, which points the app at that warehouse (demo build off) and
    gives a maker of fresh AppTests of the whole app; caches are forgotten before and after."""
    from streamlit.testing.v1 import AppTest

    def on(settings: Settings):
        monkeypatch.setenv("OUTCOMES_DATA_DIR", str(settings.data_dir))
        monkeypatch.setenv("OUTCOMES_DEMO_ON_FIRST_START", "false")
        _forget_app_state()
        return lambda: AppTest.from_file(APP, default_timeout=120)

    yield on
    _forget_app_state()


@pytest.fixture
def demo_app(apps_on, demo_copy: Settings):
    """A maker of AppTests of the whole app on a private copy of the demo warehouse."""
    return apps_on(demo_copy)
