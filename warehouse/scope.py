"""Region scope: a user's reads reach only their regions, checked in the warehouse layer.

``scoped_read(con, user, function, *args)`` runs a warehouse read function after checking
every region its arguments reach: ``region_code`` (or ``filters.region_code``), an
``area_code`` or list of ``area_codes`` (each area's region; England is everyone's
benchmark), and an ``outcome_department_id`` (the department's region). A read that
reaches another region raises ``PermissionRefused`` and is audited, so a hand-made URL
cannot reach another region's rows whatever a page does.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import duckdb
import polars as pl

from warehouse.access import Action, PermissionRefused, User, refusal, require
from warehouse.frames import query
from warehouse.reference_queries import regions

T = TypeVar("T")
ENGLAND = "E92000001"


def visible_regions(con: duckdb.DuckDBPyConnection, user: User) -> pl.DataFrame:
    """Returns the regions (code, name, government office) the user may see, in code order."""
    every = regions(con)
    return every.filter(pl.col("region_code").is_in(user.visible(every["region_code"].to_list())))


def regions_reached(
    con: duckdb.DuckDBPyConnection, function: Callable[..., Any], args: tuple, kwargs: dict
) -> set[str]:
    """Returns the region codes a call of ``function(con, *args, **kwargs)`` would read."""
    try:
        bound = inspect.signature(function).bind(con, *args, **kwargs)
    except TypeError:
        return set()
    values = bound.arguments
    reached: set[str] = set()
    if isinstance(values.get("region_code"), str):
        reached.add(values["region_code"])
    filters = values.get("filters")
    if isinstance(getattr(filters, "region_code", None), str):
        reached.add(filters.region_code)
    areas = [values["area_code"]] if isinstance(values.get("area_code"), str) else []
    areas += list(values.get("area_codes") or ()) if "area_codes" in values else []
    areas += list(getattr(filters, "area_codes", None) or ())
    reached |= _regions_of_areas(con, areas)
    department = values.get("outcome_department_id") or getattr(
        filters, "outcome_department_id", None
    )
    if isinstance(department, str):
        reached |= _regions_of_departments(con, [department])
    return reached


def check_scope(
    con: duckdb.DuckDBPyConnection,
    user: User,
    function: Callable[..., Any],
    args: tuple,
    kwargs: dict,
) -> None:
    """Raises ``PermissionRefused`` (audited) when the call reaches a region outside the user's scope."""
    if not user.can(Action.VIEW):
        _refuse(con, user, None, function, refusal(user, Action.VIEW))
    if user.all_regions:
        return
    for region_code in sorted(regions_reached(con, function, args, kwargs)):
        if not user.may_see_region(region_code):
            _refuse(con, user, region_code, function, refusal(user, Action.VIEW, region_code))


def scoped_read(
    con: duckdb.DuckDBPyConnection,
    user: User,
    function: Callable[..., T],
    *args: Any,
    **kwargs: Any,
) -> T:
    """Returns ``function(con, *args, **kwargs)`` once the user's region scope allows it."""
    check_scope(con, user, function, args, kwargs)
    return function(con, *args, **kwargs)


def authorise_export(
    con: duckdb.DuckDBPyConnection,
    user: User | str,
    target: str,
    *,
    region_code: str | None = None,
    detail: str | None = None,
) -> None:
    """Checks that the user may download data (of ``region_code``) and records the download.

    Raises ``PermissionRefused`` (audited) otherwise.
    """
    actor = require(user, Action.EXPORT, region_code=region_code, con=con, target=target)
    from warehouse.audit import record

    record(
        con,
        actor,
        Action.EXPORT,
        "succeeded",
        region_code=region_code,
        target=target,
        detail=detail,
    )


def _refuse(
    con: duckdb.DuckDBPyConnection,
    user: User,
    region_code: str | None,
    function: Callable[..., Any],
    message: str,
) -> None:
    from warehouse.audit import record

    record(
        con,
        user,
        Action.VIEW,
        "refused",
        region_code=region_code,
        target=f"{function.__module__}.{function.__qualname__}",
        detail=message,
    )
    raise PermissionRefused(message)


def _regions_of_areas(con: duckdb.DuckDBPyConnection, area_codes: Iterable[str]) -> set[str]:
    codes = sorted({str(code) for code in area_codes} - {ENGLAND})
    if not codes:
        return set()
    found = query(
        con,
        """
        SELECT area_code, CASE WHEN tier = 'region' THEN area_code ELSE region_code END AS region_code
        FROM areas WHERE area_code IN (SELECT unnest($codes::VARCHAR[]))
        """,
        {"codes": codes},
    )
    unknown = set(codes) - set(found["area_code"].to_list())
    # An unknown code reads nothing, but is kept as its own "region" so it is refused
    # rather than passed through unchecked.
    return set(found["region_code"].drop_nulls().to_list()) | unknown


def _regions_of_departments(con: duckdb.DuckDBPyConnection, department_ids: list[str]) -> set[str]:
    found = query(
        con,
        "SELECT DISTINCT region_code FROM current_outcome_departments "
        "WHERE outcome_department_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ids": department_ids},
    )
    return set(found["region_code"].to_list()) or set(department_ids)
