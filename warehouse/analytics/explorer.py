"""The official's explorer: one filtered table of values, intervals and every status."""

from __future__ import annotations

import duckdb
import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator

from warehouse.analytics._sql import LIVE_CTE
from warehouse.analytics.latest import (
    ALL_REGION_TIERS,
    DEFAULT_TIERS,
    assessed_latest,
    empty_assessed,
)
from warehouse.assessments import Comparison, ExceptionFlag, TargetStatus, Trend
from warehouse.frames import query
from warehouse.reference_data import AREA_TYPES

#: The status filter's vocabulary: which column each family of words is matched against.
STATUS_COLUMNS: dict[str, type] = {
    "target_status": TargetStatus,
    "compared_to_england": Comparison,
    "recent_trend": Trend,
    "exception": ExceptionFlag,
}
_WORD_COLUMN = {word.value: column for column, kind in STATUS_COLUMNS.items() for word in kind}

#: Columns of :func:`explorer` and of the downloads, in order.
EXPLORER_COLUMNS = [
    "indicator_id",
    "indicator_name",
    "unit",
    "polarity",
    "area_code",
    "area_name",
    "area_type",
    "period",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "count",
    "denominator",
    "ci_computed",
    "england_value",
    "region_value",
    "compared_to_england",
    "compared_to_england_99_8",
    "compared_to_region",
    "target_source",
    "target_period",
    "target_value",
    "trajectory_value",
    "target_status",
    "recent_trend",
    "exception",
]


class ExplorerFilters(BaseModel):
    """What an official chose in the explorer; every field but the region is optional.

    Frozen and made of tuples, so it can key a cache; ``dashboard/url_state.py`` turns it
    into a link and back.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    region_code: str = Field(pattern=r"^E12\d{6}$", description="ONS code of the region.")
    area_type: str | None = Field(
        default=None, description="An area type as in the areas table, e.g. 'County'."
    )
    area_codes: tuple[str, ...] | None = Field(default=None, description="Only these areas.")
    outcome_department_id: str | None = Field(
        default=None, description="Only the member indicators of this outcome department."
    )
    psa_id: int | None = Field(default=None, description="Only indicators in this PSA's basket.")
    department_code: str | None = Field(
        default=None, description="Only indicators this department owns."
    )
    indicator_ids: tuple[str, ...] | None = Field(default=None, description="Only these.")
    period: str | None = Field(
        default=None, description="Show this period instead of each indicator's latest."
    )
    statuses: tuple[str, ...] | None = Field(
        default=None,
        description=(
            "Status words to keep. Words of one kind (target, comparison with England, "
            "trend, exception) are alternatives; different kinds must all hold."
        ),
    )

    @field_validator("area_codes", "indicator_ids", "statuses", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        if value is None or (not isinstance(value, str) and len(value) == 0):  # type: ignore[arg-type]
            return None
        if isinstance(value, str):
            return (value,)
        return tuple(value)  # type: ignore[arg-type]

    @field_validator("area_type", "outcome_department_id", "department_code", "period")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return value if value and value.strip() else None

    @field_validator("area_type")
    @classmethod
    def _known_area_type(cls, value: str | None) -> str | None:
        if value is not None and value not in AREA_TYPES:
            raise ValueError(
                f"Unknown area type {value!r}; use one of {', '.join(sorted(AREA_TYPES))}."
            )
        return value

    @field_validator("statuses")
    @classmethod
    def _known_statuses(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        unknown = [word for word in value if word not in _WORD_COLUMN]
        if unknown:
            raise ValueError(
                f"Unknown status {', '.join(map(repr, unknown))}; use the words shown "
                "beside each value, e.g. 'Off track' or 'Worse'."
            )
        return value


_INDICATORS_SQL = """
SELECT i.indicator_id
FROM current_indicators i
WHERE ($indicator_ids::VARCHAR[] IS NULL OR list_contains($indicator_ids, i.indicator_id))
  AND ($department_code::VARCHAR IS NULL OR i.owner_department_code = $department_code)
  AND ($psa_id::INTEGER IS NULL OR i.indicator_id IN (
          SELECT indicator_id FROM indicator_psas WHERE psa_id = $psa_id))
  AND ($outcome_department_id::VARCHAR IS NULL OR i.indicator_id IN (
          SELECT indicator_id FROM current_outcome_department_indicators
          WHERE outcome_department_id = $outcome_department_id))
"""


def _chosen_indicators(
    con: duckdb.DuckDBPyConnection, filters: ExplorerFilters
) -> list[str] | None:
    """Returns the indicator ids the indicator-side filters allow (None when none is set)."""
    if (
        filters.indicator_ids is None
        and filters.department_code is None
        and filters.psa_id is None
        and filters.outcome_department_id is None
    ):
        return None
    found = query(
        con,
        _INDICATORS_SQL,
        {
            "indicator_ids": list(filters.indicator_ids) if filters.indicator_ids else None,
            "department_code": filters.department_code,
            "psa_id": filters.psa_id,
            "outcome_department_id": filters.outcome_department_id,
        },
    )
    return found["indicator_id"].to_list()


def explorer(con: duckdb.DuckDBPyConnection, filters: ExplorerFilters) -> pl.DataFrame:
    """Returns the explorer's table: one row per indicator and area, filtered, with every signal.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    filters : ExplorerFilters
        Region (required) and the optional filters.

    Returns
    -------
    polars.DataFrame
        Columns :data:`EXPLORER_COLUMNS`, sorted by indicator number, the region first,
        then area name: values with 95% and 99.8% intervals, count and denominator,
        England and region values, the comparisons, the target and its status, the recent
        trend and any exception.

    Notes
    -----
    * Without an area filter the table holds the region and its upper-tier authorities;
      an ``area_type`` or ``area_codes`` filter reaches districts too.
    * Indicator filters (``indicator_ids``, ``outcome_department_id``, ``psa_id``,
      ``department_code`` as owner) all apply together.
    * ``period`` replaces each indicator's latest period (indicators without it drop out);
      status, trend and comparisons are then those of that period.
    * ``statuses`` are matched against ``target_status``, ``compared_to_england``,
      ``recent_trend`` and ``exception`` (see :data:`STATUS_COLUMNS`).
    """
    indicator_ids = _chosen_indicators(con, filters)
    if indicator_ids is not None and not indicator_ids:
        return empty_assessed().select(EXPLORER_COLUMNS)
    if filters.area_type is not None:
        tiers: tuple[str, ...] = (AREA_TYPES[filters.area_type],)
    elif filters.area_codes is not None:
        tiers = ALL_REGION_TIERS
    else:
        tiers = DEFAULT_TIERS
    table = assessed_latest(
        con,
        filters.region_code,
        indicator_ids=indicator_ids,
        area_codes=filters.area_codes,
        tiers=tiers,
        period=filters.period,
    )
    if filters.area_type is not None:
        table = table.filter(pl.col("area_type") == filters.area_type)
    if filters.statuses:
        for column in STATUS_COLUMNS:
            words = [w for w in filters.statuses if _WORD_COLUMN[w] == column]
            if words:
                table = table.filter(pl.col(column).is_in(words))
    return table.select(EXPLORER_COLUMNS)


_OPTION_AREAS_SQL = """
SELECT area_code, name, area_type, tier FROM areas
WHERE region_code = $region_code
ORDER BY tier <> 'region', tier = 'district', name
"""

_OPTION_DEPARTMENTS_SQL = """
SELECT outcome_department_id, name FROM current_outcome_departments
WHERE region_code = $region_code ORDER BY outcome_department_key
"""

_OPTION_PSAS_SQL = "SELECT psa_id, title, regional_delivery FROM psas ORDER BY psa_id"

_OPTION_OWNERS_SQL = """
SELECT d.department_code, d.name FROM departments d
WHERE d.department_code IN (SELECT owner_department_code FROM current_indicators)
ORDER BY d.name
"""

_OPTION_INDICATORS_SQL = """
SELECT indicator_id, name, owner_department_code FROM current_indicators
ORDER BY try_cast(regexp_extract(indicator_id, '\\d+') AS INTEGER) NULLS LAST, indicator_id
"""

_OPTION_PERIODS_SQL = f"""
WITH {LIVE_CTE}
SELECT period, max(period_end) AS period_end, min(period_start) AS period_start
FROM observations o
WHERE o.area_code IN (SELECT area_code FROM areas WHERE region_code = $region_code)
  AND o.batch_id IN (SELECT batch_id FROM live)
GROUP BY period
ORDER BY period_end DESC, period_start
"""  # noqa: S608 - the fragment is ours; values arrive as parameters


def explorer_options(con: duckdb.DuckDBPyConnection, region_code: str) -> dict[str, object]:
    """Returns the choices for each explorer filter in the region.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region.

    Returns
    -------
    dict
        ``area_types`` (list of str), ``areas`` (frame: area_code, name, area_type, tier;
        the region first, districts last), ``outcome_departments`` (frame:
        outcome_department_id, name), ``psas`` (frame: psa_id, title, regional_delivery),
        ``departments`` (frame: department_code, name; owners of indicators),
        ``indicators`` (frame: indicator_id, name, owner_department_code),
        ``periods`` (list of str with data in the region, newest first) and ``statuses``
        (dict of column name to its list of words, see :data:`STATUS_COLUMNS`).
    """
    params = {"region_code": region_code}
    areas = query(con, _OPTION_AREAS_SQL, params)
    periods = query(con, _OPTION_PERIODS_SQL, params)
    return {
        "area_types": sorted(areas["area_type"].unique().to_list()),
        "areas": areas,
        "outcome_departments": query(con, _OPTION_DEPARTMENTS_SQL, params),
        "psas": query(con, _OPTION_PSAS_SQL),
        "departments": query(con, _OPTION_OWNERS_SQL),
        "indicators": query(con, _OPTION_INDICATORS_SQL),
        "periods": periods["period"].to_list(),
        "statuses": {
            column: [word.value for word in kind] for column, kind in STATUS_COLUMNS.items()
        },
    }
