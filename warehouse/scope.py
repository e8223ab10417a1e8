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


# --- Writes --------------------------------------------------------------------------------
#
# Every write names the regions of the rows it touches and goes through
# ``require_write_scope``: a row's region comes from its ``area_code`` (the area's region;
# England's own code is national), else its ``region_code``, else its outcome department's
# region; a row with none of these (indicator metadata, the programme register) is national.
# National rows need the all-regions scope, because they change what every region sees.

#: Columns that say which region a row is for, most specific first.
REGION_KEYS = ("area_code", "region_code", "outcome_department_id")
#: How many runs of row numbers a refusal names before it says "and N more".
_RUNS_NAMED = 12


def may_write_region(user: User, region_code: str | None) -> bool:
    """Returns True when the user may write rows for ``region_code`` (England needs every region)."""
    return user.all_regions or (region_code is not None and region_code in user.regions)


def regions_of_rows(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> pl.DataFrame:
    """Returns the distinct region keys of ``rows`` with the region each is for (``_region``).

    ``_region`` is ``E92000001`` for national rows (England, or no region key at all) and the
    code itself for an area or outcome department the warehouse does not know, so such a row
    is refused to anyone without the all-regions scope rather than passed unchecked.
    """
    keys = [column for column in REGION_KEYS if column in rows.columns]
    if not keys:
        return pl.DataFrame(
            {"_region": [ENGLAND] if rows.height else []}, schema={"_region": pl.String}
        )
    distinct = rows.select(pl.col(k).cast(pl.String) for k in keys).unique()
    resolved = [pl.lit(None, pl.String)]
    if "area_code" in keys:
        distinct = distinct.join(
            _area_regions(con, distinct["area_code"]), on="area_code", how="left"
        )
        resolved = [pl.col("_area_region")]
    if "region_code" in keys:
        resolved.append(pl.col("region_code"))
    if "outcome_department_id" in keys:
        distinct = distinct.join(
            _department_regions(con, distinct["outcome_department_id"]),
            on="outcome_department_id",
            how="left",
        )
        resolved.append(pl.col("_department_region"))
    return distinct.with_columns(_region=pl.coalesce(*resolved, pl.lit(ENGLAND))).select(
        *keys, "_region"
    )


def require_write_scope(
    con: duckdb.DuckDBPyConnection,
    user: User | str,
    action: Action,
    rows: pl.DataFrame,
    *,
    target: str | None = None,
    row_column: str | None = "_row",
    where: str = "",
    national: str = "for England (E92000001) or the whole country",
    remedy: str = "Remove those rows or ask an administrator.",
) -> tuple[User, list[str]]:
    """Returns the user and the regions ``rows`` touch, once every row is in the user's scope.

    The one check of every write (values, targets, metadata, membership, boundaries,
    configuration, rollback). Raises ``PermissionRefused`` (recorded in the audit log with
    the refused regions) when the user may not do ``action`` or any row is for a region
    outside their scope; the sentence names the rows (``row_column``; without it, a count,
    or the sum of a ``_count`` column) and the regions.

    Parameters
    ----------
    rows : polars.DataFrame
        The rows written, with any of :data:`REGION_KEYS`; rows with none are national.
    where : str
        Words after the row count when rows have no numbers (" of batch 1a2b").
    national : str
        How a national row is described ("create or revise national indicator metadata").
    """
    actor = require(user, action, con=con, target=target)
    keyed = regions_of_rows(con, rows)
    touched = sorted(set(keyed["_region"].to_list()))
    outside = [code for code in touched if not may_write_region(actor, code)]
    if not outside:
        return actor, touched
    keys = [column for column in REGION_KEYS if column in rows.columns]
    offending = keyed.filter(pl.col("_region").is_in(outside))
    if keys:
        offending = (
            rows.select(*keys, *[c for c in (row_column, "_count") if c and c in rows.columns])
            .with_columns(pl.col(k).cast(pl.String) for k in keys)
            .join(offending, on=keys, how="inner", nulls_equal=True)
        )
    else:
        offending = rows.with_columns(_region=pl.lit(ENGLAND))
    names = dict(regions(con).select("region_code", "name").iter_rows())
    parts = [
        _rows_phrase(offending.filter(pl.col("_region") == code), row_column, where)
        + " "
        + _region_phrase(code, names, national)
        for code in outside
    ]
    mine = " and ".join(names.get(code, code) for code in sorted(actor.regions)) or "no region"
    verb = (
        "roll back only batches whose every row is" if action == Action.ROLLBACK else "write only"
    )
    message = f"{'; '.join(parts)}; you may {verb} for {mine}. {remedy}"
    message = message[0].upper() + message[1:]
    from warehouse.audit import record

    record(
        con, actor, action, "refused", region_code=",".join(outside), target=target, detail=message
    )
    raise PermissionRefused(message)


def rows_touched(
    frames: Iterable[pl.DataFrame], extra: dict[str, pl.DataFrame] | None = None
) -> pl.DataFrame:
    """Returns the region keys of every row a batch writes, one row per row written.

    A frame with no region key (indicator metadata, say) gives national rows.
    """
    parts = [
        frame.select(
            pl.lit(True).alias("_written"), *[k for k in REGION_KEYS if k in frame.columns]
        )
        for frame in [*frames, *(extra or {}).values()]
        if frame.height
    ]
    if not parts:
        return pl.DataFrame(schema={"_written": pl.Boolean})
    return pl.concat(parts, how="diagonal_relaxed")


def batch_region_rows(con: duckdb.DuckDBPyConnection, batch_id: str) -> pl.DataFrame:
    """Returns the region keys of a batch's rows in every fact table, with a ``_count`` of rows."""
    columns = query(
        con,
        "SELECT table_name, column_name FROM duckdb_columns() "
        "WHERE table_name IN (SELECT unnest($tables::VARCHAR[])) AND NOT internal",
        {"tables": sorted(_BATCH_FACT_TABLES)},
    )
    frames = []
    for table, present in columns.group_by("table_name", maintain_order=True):
        names = set(present["column_name"].to_list())
        if "batch_id" not in names:
            continue
        keys = [k for k in REGION_KEYS if k in names]
        key_list = ", ".join(keys)
        select = f"{key_list}, count(*) AS _count" if keys else "count(*) AS _count"
        group = f" GROUP BY {key_list}" if keys else ""
        found = query(
            con,
            f"SELECT {select} FROM {table[0]} WHERE batch_id = $batch{group}",  # noqa: S608 - our names
            {"batch": batch_id},
        )
        frames.append(found.filter(pl.col("_count") > 0))
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema={"_count": pl.Int64})
    return pl.concat(frames, how="diagonal_relaxed")


#: Tables whose rows a batch writes (lineage and the audit log are not the batch's rows).
_BATCH_FACT_TABLES = frozenset(
    {
        "observations",
        "observation_breakdowns",
        "targets",
        "boundaries",
        "indicators",
        "indicator_psas",
        "outcome_departments",
        "outcome_department_psas",
        "outcome_department_indicators",
        "outcome_department_goals",
        "programmes",
        "programme_areas",
        "comments",
        "agreed_actions",
    }
)


def _rows_phrase(rows: pl.DataFrame, row_column: str | None, where: str) -> str:
    if row_column and row_column in rows.columns and rows[row_column].null_count() < rows.height:
        return row_numbers(rows[row_column].drop_nulls().cast(pl.Int64).to_list())
    count = int(rows["_count"].sum()) if "_count" in rows.columns else rows.height
    return f"{count:,} row{'s' if count != 1 else ''}{where} {'are' if count != 1 else 'is'}"


def row_numbers(numbers: list[int]) -> str:
    """Returns row numbers as words with runs: 'Rows 4–9 and 12 are', 'Row 3 is'."""
    ordered = sorted(set(numbers))
    runs: list[list[int]] = []
    for number in ordered:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    words = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:_RUNS_NAMED]]
    if len(runs) > _RUNS_NAMED:
        rest = sum(b - a + 1 for a, b in runs[_RUNS_NAMED:])
        words.append(f"{rest:,} more")
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    plural = len(ordered) > 1
    return f"{'Rows' if plural else 'Row'} {listed} {'are' if plural else 'is'}"


def _region_phrase(code: str, names: dict[str, str], national: str) -> str:
    if code == ENGLAND:
        return f"{national}, which needs the all-regions scope"
    if code in names:
        return f"for areas in {names[code]} ({code})"
    return f"for {code}, which the warehouse does not know as an area, region or outcome department"


def _area_regions(con: duckdb.DuckDBPyConnection, codes: pl.Series) -> pl.DataFrame:
    found = query(
        con,
        """
        SELECT area_code,
               CASE WHEN tier = 'region' THEN area_code ELSE coalesce(region_code, $england) END
                   AS _area_region
        FROM areas WHERE area_code IN (SELECT unnest($codes::VARCHAR[]))
        """,
        {"codes": codes.drop_nulls().unique().to_list(), "england": ENGLAND},
    ).unique("area_code")
    unknown = (
        codes.drop_nulls()
        .unique()
        .filter(~codes.drop_nulls().unique().is_in(found["area_code"].implode()))
    )
    return pl.concat(
        [found, pl.DataFrame({"area_code": unknown, "_area_region": unknown})],
        how="vertical_relaxed",
    )


def _department_regions(con: duckdb.DuckDBPyConnection, ids: pl.Series) -> pl.DataFrame:
    found = query(
        con,
        "SELECT DISTINCT outcome_department_id, region_code AS _department_region "
        "FROM outcome_departments WHERE outcome_department_id IN (SELECT unnest($ids::VARCHAR[]))",
        {"ids": ids.drop_nulls().unique().to_list()},
    ).unique("outcome_department_id")
    unknown = (
        ids.drop_nulls()
        .unique()
        .filter(~ids.drop_nulls().unique().is_in(found["outcome_department_id"].implode()))
    )
    return pl.concat(
        [found, pl.DataFrame({"outcome_department_id": unknown, "_department_region": unknown})],
        how="vertical_relaxed",
    )
