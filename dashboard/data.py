"""The dashboard's way to the warehouse: one connection per process, a cursor per session,
and query results cached until a batch lands or is withdrawn."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import duckdb
import polars as pl
import streamlit as st

from warehouse import open_warehouse
from warehouse.access import User
from warehouse.batches import data_version, list_batches
from warehouse.connection import session_cursor
from warehouse.scope import check_scope, visible_regions
from warehouse.settings import Settings, get_settings

_build_lock = threading.Lock()
_REGISTRY: dict[str, Callable[..., Any]] = {}
_NOBODY = User(email="signed-out visitor")


@st.cache_resource(show_spinner="Opening the warehouse…")
def _process_connection() -> duckdb.DuckDBPyConnection:
    return open_warehouse(get_settings())


def settings() -> Settings:
    """Returns the process settings."""
    return get_settings()


def cursor() -> duckdb.DuckDBPyConnection:
    """Returns this session's cursor on the process's warehouse connection."""
    if "_warehouse_cursor" not in st.session_state:
        st.session_state["_warehouse_cursor"] = session_cursor(_process_connection())
    return st.session_state["_warehouse_cursor"]


@st.cache_data(ttl=2, show_spinner=False)
def _version() -> str:
    # Asked at most every two seconds per process: a batch landing from the CLI or
    # another session changes it, and with it every cache key below.
    return data_version(session_cursor(_process_connection()))


def current_version() -> str:
    """Returns the warehouse's data version (changes when a batch lands or is withdrawn)."""
    return _version()


def refresh() -> None:
    """Forgets cached results at once (after this session wrote or withdrew a batch)."""
    _version.clear()


@st.cache_data(ttl=3600, max_entries=512, show_spinner=False)
def _cached(name: str, version: str, args: tuple, kwargs: tuple) -> Any:
    return _REGISTRY[name](cursor(), *args, **dict(kwargs))


def read(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Returns ``function(cursor, *args, **kwargs)``, cached per data version.

    The signed-in user's region scope is checked first, in the warehouse layer
    (``warehouse.scope``), so a cached result of another region is never handed out either.
    """
    from dashboard.auth import current_user

    check_scope(cursor(), current_user() or _NOBODY, function, args, kwargs)
    return _read_cached(function, *args, **kwargs)


def _read_cached(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    name = f"{function.__module__}.{function.__qualname__}"
    _REGISTRY[name] = function
    return _cached(name, current_version(), args, tuple(sorted(kwargs.items())))


def has_data() -> bool:
    """Returns True once the warehouse holds any non-reference batch."""
    return bool(_read_cached(_data_batch_count))


def _data_batch_count(con: duckdb.DuckDBPyConnection) -> int:
    return list_batches(con).filter(pl.col("kind") != "reference").height


def ensure_demo_data() -> None:
    """Builds the synthetic demonstration warehouse on first start, with a progress bar."""
    if not settings().demo_on_first_start or has_data():
        return
    with _build_lock:
        if _read_cached(_data_batch_count):
            return
        from pipelines.demo import build_demo_warehouse

        bar = st.progress(0.0, text="First start: building the synthetic demonstration warehouse…")
        build_demo_warehouse(
            session_cursor(_process_connection()),
            operator="demo",
            progress=lambda fraction, text: bar.progress(min(fraction, 1.0), text=text),
        )
        bar.empty()
        refresh()


def operator() -> User:
    """Returns who this session acts as: the signed-in user, whose role every write checks."""
    from dashboard.auth import current_user

    return current_user() or _NOBODY


def regions() -> pl.DataFrame:
    """Returns the regions this session's user may see (code, name, government office)."""
    return read(visible_regions, operator())
