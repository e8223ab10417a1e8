"""One outcome department: who contributes, with which indicators, and how each is doing."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from warehouse.analytics.latest import (
    LOCAL_TIERS,
    assess_region,
    assessed_latest,
    indicator_number,
)
from warehouse.frames import query

_DEPARTMENT_SQL = """
SELECT outcome_department_id, outcome_department_key, region_code, r.name AS region_name,
       d.name, d.outcome, d.chair
FROM current_outcome_departments d
LEFT JOIN regions r USING (region_code)
WHERE outcome_department_id = $outcome_department_id
"""

_MEMBERS_SQL = """
SELECT m.indicator_id, i.name AS indicator_name, i.unit, i.polarity,
       i.owner_department_code, d.name AS owner_department
FROM current_outcome_department_indicators m
JOIN current_indicators i USING (indicator_id)
LEFT JOIN departments d ON d.department_code = i.owner_department_code
WHERE m.outcome_department_id = $outcome_department_id
"""

# The department's PSAs, each with its lead department and, one row each, the indicators of
# its basket. A department contributes to a member indicator when it owns it, or when it
# leads one of the department's PSAs whose basket holds the indicator. (One read: every
# table a query touches costs a catalog lookup, which dominates reads this small.)
_BASKETS_SQL = """
SELECT p.psa_id, p.title, p.lead_department_code, d.name AS lead_department,
       p.regional_delivery, ip.indicator_id
FROM outcome_department_psas op
JOIN psas p USING (psa_id)
LEFT JOIN departments d ON d.department_code = p.lead_department_code
LEFT JOIN indicator_psas ip USING (psa_id)
WHERE op.outcome_department_id = $outcome_department_id
"""


@dataclass(frozen=True)
class OutcomeDepartmentProfile:
    """Everything the outcome-department page shows, as plain values and frames.

    Attributes
    ----------
    department : dict
        ``outcome_department_id``, ``outcome_department_key``, ``region_code``,
        ``region_name``, ``name``, ``outcome``, ``chair``.
    member_departments : polars.DataFrame
        ``department_code``, ``department``, ``indicators_owned`` (member indicators the
        department owns), ``psas_led`` (list of the department's PSA ids it leads),
        ``role`` ("Owner", "PSA lead" or "Owner and PSA lead"); most indicators first.
    psas : polars.DataFrame
        ``psa_id``, ``title``, ``lead_department_code``, ``lead_department``,
        ``regional_delivery``.
    contributions : polars.DataFrame
        Long department × indicator matrix: ``department_code``, ``department``,
        ``indicator_id``, ``indicator_name``, ``role`` ("Owner", "PSA lead" or
        "Owner and PSA lead") and ``psa_ids`` (the PSAs through which it leads). Pivot on
        ``indicator_id`` for a grid.
    indicators : polars.DataFrame
        One row per member indicator, at region level: ``indicator_id``,
        ``indicator_name``, ``unit``, ``polarity``, ``owner_department_code``,
        ``owner_department``, ``period``, ``value``, ``lower_ci_95``, ``upper_ci_95``,
        ``england_value``, ``target_source``, ``target_period``, ``target_value``,
        ``trajectory_value``, ``target_status``, ``compared_to_england``,
        ``recent_trend``, ``recent_periods`` and ``recent_values`` (lists, oldest first,
        for a sparkline). Value columns are null for an indicator with no regional data.
    """

    department: dict
    member_departments: pl.DataFrame
    psas: pl.DataFrame
    contributions: pl.DataFrame
    indicators: pl.DataFrame


def _department(con: duckdb.DuckDBPyConnection, outcome_department_id: str) -> dict:
    found = query(con, _DEPARTMENT_SQL, {"outcome_department_id": outcome_department_id})
    if found.is_empty():
        raise LookupError(
            f"There is no outcome department {outcome_department_id!r}. Choose one from "
            "the region's overview."
        )
    return found.row(0, named=True)


def member_indicator_ids(con: duckdb.DuckDBPyConnection, outcome_department_id: str) -> list[str]:
    """Returns the ids of the outcome department's member indicators."""
    members = query(con, _MEMBERS_SQL, {"outcome_department_id": outcome_department_id})
    return members["indicator_id"].to_list()


def outcome_department_profile(
    con: duckdb.DuckDBPyConnection, outcome_department_id: str
) -> OutcomeDepartmentProfile:
    """Returns the department, its member departments and PSAs, who contributes to what, and its indicators.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    outcome_department_id : str
        e.g. ``E12000001:children_young_people``.

    Returns
    -------
    OutcomeDepartmentProfile
        See the attributes of :class:`OutcomeDepartmentProfile`.

    Raises
    ------
    LookupError
        For an unknown outcome department.
    """
    params = {"outcome_department_id": outcome_department_id}
    department = _department(con, outcome_department_id)
    members = query(con, _MEMBERS_SQL, params)
    baskets = query(con, _BASKETS_SQL, params)
    psas = (
        baskets.select(
            "psa_id", "title", "lead_department_code", "lead_department", "regional_delivery"
        )
        .unique("psa_id")
        .sort("psa_id")
    )
    leads = baskets.select(
        department_code="lead_department_code", department="lead_department", psa_id="psa_id"
    ).unique()
    contributions = _contributions(members, baskets)

    owned = members.group_by("owner_department_code").agg(
        pl.len().cast(pl.Int64).alias("indicators_owned")
    )
    led = leads.group_by("department_code").agg(pl.col("psa_id").sort().alias("psas_led"))
    names = pl.concat(
        [
            members.select(department_code="owner_department_code", department="owner_department"),
            leads.select("department_code", "department"),
        ]
    ).unique("department_code")
    member_departments = (
        pl.concat(
            [
                owned.select(pl.col("owner_department_code").alias("department_code")),
                led.select("department_code"),
            ]
        )
        .unique()
        .join(names, on="department_code", how="left")
        .join(
            owned.rename({"owner_department_code": "department_code"}),
            on="department_code",
            how="left",
        )
        .join(led, on="department_code", how="left")
        .with_columns(
            pl.col("indicators_owned").fill_null(0),
            pl.col("psas_led").fill_null([]),
        )
        .with_columns(
            role=pl.when((pl.col("indicators_owned") > 0) & (pl.col("psas_led").list.len() > 0))
            .then(pl.lit("Owner and PSA lead"))
            .when(pl.col("indicators_owned") > 0)
            .then(pl.lit("Owner"))
            .otherwise(pl.lit("PSA lead"))
        )
        .sort(["indicators_owned", "department_code"], descending=[True, False])
        .select("department_code", "department", "indicators_owned", "psas_led", "role")
    )

    ids = members["indicator_id"].to_list()
    assessed = assess_region(con, department["region_code"], indicator_ids=ids, tiers=("region",))
    sparklines = assessed.series.group_by("indicator_id").agg(
        pl.col("period").sort_by("period_start").alias("recent_periods"),
        pl.col("value").sort_by("period_start").alias("recent_values"),
    )
    regional = assessed.latest.select(
        "indicator_id",
        "period",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "england_value",
        "target_source",
        "target_period",
        "target_value",
        "trajectory_value",
        "target_status",
        "compared_to_england",
        "recent_trend",
    )
    indicators = (
        members.join(regional, on="indicator_id", how="left")
        .join(sparklines, on="indicator_id", how="left")
        .sort(indicator_number())
    )
    return OutcomeDepartmentProfile(
        department=department,
        member_departments=member_departments,
        psas=psas,
        contributions=contributions,
        indicators=indicators,
    )


def _contributions(members: pl.DataFrame, baskets: pl.DataFrame) -> pl.DataFrame:
    """Returns who contributes to each member indicator: its owner, and the leads of the
    department's PSAs whose basket holds it (see ``OutcomeDepartmentProfile.contributions``)."""
    psa_id = baskets.schema["psa_id"]
    owners = members.select(
        department_code="owner_department_code",
        department="owner_department",
        indicator_id="indicator_id",
        role=pl.lit("Owner"),
        psa_id=pl.lit(None, psa_id),
    )
    leads = baskets.join(members.select("indicator_id"), on="indicator_id", how="semi").select(
        department_code="lead_department_code",
        department="lead_department",
        indicator_id="indicator_id",
        role=pl.lit("PSA lead"),
        psa_id="psa_id",
    )
    names = members.select("indicator_id", "indicator_name").unique("indicator_id")
    return (
        pl.concat([owners, leads])
        .join(names, on="indicator_id", how="inner")
        .group_by("department_code", "department", "indicator_id", "indicator_name")
        .agg(
            pl.col("role").unique().sort().str.join(" and "),
            pl.col("psa_id").drop_nulls().unique().sort().alias("psa_ids"),
        )
        .with_columns(psa_ids=pl.when(pl.col("psa_ids").list.len() > 0).then(pl.col("psa_ids")))
        .sort("department_code", indicator_number())
    )


def area_breakdown(
    con: duckdb.DuckDBPyConnection, region_code: str, outcome_department_id: str
) -> pl.DataFrame:
    """Returns every local area × member indicator of the department, assessed and ranked.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The warehouse.
    region_code : str
        ONS code of the region the department belongs to.
    outcome_department_id : str
        The outcome department.

    Returns
    -------
    polars.DataFrame
        One row per (indicator, upper-tier local area) with a value at the indicator's
        latest period: ``indicator_id``, ``indicator_name``, ``unit``, ``polarity``,
        ``area_code``, ``area_name``, ``area_type``, ``period``, ``value``,
        ``lower_ci_95``, ``upper_ci_95``, ``lower_ci_99_8``, ``upper_ci_99_8``,
        ``england_value``, ``region_value``, ``compared_to_england``,
        ``compared_to_region``, ``target_value``, ``target_status``, ``recent_trend``,
        ``exception`` and ``rank`` (1 is the best value in the region for the indicator,
        by polarity; the highest for indicators without one). Sorted by indicator, rank.

    Raises
    ------
    LookupError
        For an unknown outcome department.
    ValueError
        When the department belongs to another region.
    """
    department = _department(con, outcome_department_id)
    if department["region_code"] != region_code:
        raise ValueError(
            f"{department['name']} ({outcome_department_id}) belongs to "
            f"{department['region_name']}, not to region {region_code}."
        )
    ids = member_indicator_ids(con, outcome_department_id)
    latest = assessed_latest(con, region_code, indicator_ids=ids, tiers=LOCAL_TIERS)
    best_first = (
        pl.when(pl.col("polarity") == "lower").then(pl.col("value")).otherwise(-pl.col("value"))
    )
    return (
        latest.with_columns(rank=best_first.rank(method="min").over("indicator_id").cast(pl.Int64))
        .sort(
            indicator_number(),
            "rank",
            "area_name",
        )
        .select(
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
            "england_value",
            "region_value",
            "compared_to_england",
            "compared_to_region",
            "target_value",
            "target_status",
            "recent_trend",
            "exception",
            "rank",
        )
    )
