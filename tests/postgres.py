"""A PostgreSQL server for the catalog tests: reachable or not, and databases made from templates.

The tests find the server through ``OUTCOMES_TEST_POSTGRES``, a libpq connection string to a
database where the user may create databases (``.ci/run`` sets
``host=127.0.0.1 port=55432 user=postgres password=test dbname=postgres``). Without it, or when
the server does not answer, a test that needs PostgreSQL skips with a sentence saying so;
with ``OUTCOMES_REQUIRE_POSTGRES=1`` (CI) it fails instead, so CI cannot pass by skipping.

Each warehouse a test gets is its own database, copied from a template database built once
per session (``CREATE DATABASE … TEMPLATE …`` takes a few hundredths of a second), beside a
copy of the template's data folder. Every database made is dropped at the end of the session.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

import pytest

ADMIN_ENV = "OUTCOMES_TEST_POSTGRES"
REQUIRE_ENV = "OUTCOMES_REQUIRE_POSTGRES"
HOW = (
    f"set {ADMIN_ENV} to a libpq connection string of a server where the user may create "
    "databases (.ci/run starts one: see docs/deploy.md)"
)


def required() -> bool:
    """Returns True when a missing PostgreSQL must fail the tests rather than skip them (CI)."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in ("1", "true", "yes")


def skip_or_fail(reason: str) -> None:
    """Skips the test with ``reason``; fails it instead when PostgreSQL is required."""
    if required():
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set, so this is a failure, not a skip)")
    pytest.skip(reason)


def unavailable(admin: str | None) -> str | None:
    """Returns why no PostgreSQL server can be used for the tests, or None when one answers."""
    if not admin:
        return f"No PostgreSQL server for the catalog tests: {HOW}."
    try:
        import psycopg
    except ImportError:
        return 'psycopg is not installed: pip install -e ".[dev]".'
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as con:
            con.execute("SELECT 1")
    except psycopg.Error as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        return f"The PostgreSQL server in {ADMIN_ENV} did not answer ({first_line}); {HOW}."
    return None


def with_database(conninfo: str, name: str) -> str:
    """Returns a libpq connection string like ``conninfo`` but for database ``name``."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    parts = conninfo_to_dict(conninfo)
    parts["dbname"] = name
    return make_conninfo(**parts)


class PostgresServer:
    """The server of ``OUTCOMES_TEST_POSTGRES``: makes, copies and drops test databases."""

    def __init__(self, admin: str) -> None:
        self.admin = admin
        self.made: list[str] = []
        self._numbers = itertools.count(1)

    def _execute(self, statement: str) -> None:
        import psycopg

        # CREATE/DROP DATABASE cannot run inside a transaction: autocommit.
        with psycopg.connect(self.admin, autocommit=True, connect_timeout=5) as con:
            con.execute(statement)

    def new_name(self, stem: str) -> str:
        """Returns a database name of this session nobody else uses (pid and a counter)."""
        return f"outcomes_test_{os.getpid()}_{stem}_{next(self._numbers)}"

    def create(self, name: str, template: str | None = None) -> str:
        """Creates database ``name`` (empty, or a copy of ``template``); returns its conninfo."""
        clause = f' TEMPLATE "{template}"' if template else ""
        self._execute(f'CREATE DATABASE "{name}"{clause}')
        self.made.append(name)
        return with_database(self.admin, name)

    def catalog_url(self, name: str) -> str:
        """Returns the ``OUTCOMES_WAREHOUSE`` value for a DuckLake catalog in database ``name``."""
        return "ducklake:postgres:" + with_database(self.admin, name)

    def drop_all(self) -> None:
        """Drops every database this session made (forcing off any connection left open)."""
        for name in reversed(self.made):
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()


class CatalogTemplate:
    """A warehouse built once on PostgreSQL (its database and data folder), copied per test."""

    def __init__(self, server: PostgresServer, database: str, data_dir: Path) -> None:
        self.server = server
        self.database = database
        self.data_dir = data_dir

    def copy(self, target: Path, settings_for):
        """Returns settings for a private copy: a new database and a copy of the data folder.

        ``settings_for(data_dir, warehouse_url)`` makes the settings (the conftest's own).
        """
        name = self.server.new_name("copy")
        self.server.create(name, template=self.database)
        shutil.copytree(self.data_dir, target)
        return settings_for(target, self.server.catalog_url(name))
