"""Outcome-department membership uploads: which indicators measure which department, per region.

One row per region, outcome department and indicator. ``member`` says whether the indicator
belongs (yes, the default when empty) or is taken out (no); indicators a file does not
mention keep their membership. Regions and departments are named by code and key (or the
department's name), as the outcome department page and ``warehouse/reference`` show them.
"""

from __future__ import annotations

import polars as pl

from pipelines import normalise, problems
from pipelines.validate import Lookups, _duplicate_keys, _with_optional, missing_columns

MEMBERSHIP_COLUMNS = ["region_code", "outcome_department", "indicator_id", "member"]
MEMBERSHIP_REQUIRED = MEMBERSHIP_COLUMNS[:3]
YES = ("yes", "y", "true", "1", "member")
NO = ("no", "n", "false", "0", "remove", "removed")


def validate_membership(frame: pl.DataFrame, lookups: Lookups) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (membership rows ready to write, report) for the membership template."""
    report = missing_columns(frame, MEMBERSHIP_REQUIRED, MEMBERSHIP_COLUMNS)
    if problems.has_errors(report):
        return frame.clear(), report
    frame = _with_optional(frame, MEMBERSHIP_COLUMNS)
    departments = lookups.outcome_departments
    by_key = departments.select(
        _region=pl.col("region_code"),
        _wanted=pl.col("outcome_department_key").str.to_lowercase(),
        _department=pl.col("outcome_department_id"),
    )
    by_name = departments.select(
        _region=pl.col("region_code"),
        _wanted=pl.col("name").str.to_lowercase(),
        _department=pl.col("outcome_department_id"),
    )
    choices = (
        departments.select("outcome_department_key").unique().sort("outcome_department_key")
    )["outcome_department_key"].to_list()
    member = pl.col("member").str.strip_chars().str.to_lowercase()
    frame = (
        frame.with_columns(
            _region=normalise.area_code("region_code"),
            _wanted=pl.col("outcome_department").str.strip_chars().str.to_lowercase(),
            _indicator=normalise.indicator_id("indicator_id"),
        )
        .join(
            pl.concat([by_key, by_name]).unique(["_region", "_wanted"]),
            on=["_region", "_wanted"],
            how="left",
            maintain_order="left",
        )
        .with_columns(
            _known_region=pl.col("_region").is_in(departments["region_code"].unique().implode()),
            _known_indicator=pl.col("_indicator").is_in(
                lookups.indicators["indicator_id"].implode()
            ),
            _included=pl.when(normalise.is_blank("member") | member.is_in(YES))
            .then(True)
            .when(member.is_in(NO))
            .then(False)
            .otherwise(None),
        )
    )
    reports = [
        problems.row_problems(
            frame,
            normalise.is_blank(column),
            column,
            f"{column} is required. Fill it in (see the template's example row).",
        )
        for column in MEMBERSHIP_REQUIRED
    ]
    reports += [
        problems.row_problems(
            frame,
            ~normalise.is_blank("region_code") & ~pl.col("_known_region"),
            "region_code",
            pl.format(
                "Unknown region '{}'. Use an ONS region code from E12000001 (North East) to "
                "E12000009 (South West).",
                pl.col("region_code"),
            ),
        ),
        problems.row_problems(
            frame,
            pl.col("_known_region")
            & ~normalise.is_blank("outcome_department")
            & pl.col("_department").is_null(),
            "outcome_department",
            pl.format(
                "Unknown outcome department '{}' in {}. Use one of: " + ", ".join(choices) + ".",
                pl.col("outcome_department"),
                pl.col("_region"),
            ),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("indicator_id") & ~pl.col("_known_indicator"),
            "indicator_id",
            pl.format(
                "Unknown indicator '{}'. Check the id against the indicator catalogue, or load "
                "the indicator's metadata first.",
                pl.col("indicator_id"),
            ),
        ),
        problems.row_problems(
            frame,
            pl.col("_included").is_null(),
            "member",
            pl.format(
                "'{}' is not yes or no. Write yes (the indicator belongs to the department), "
                "no (take it out) or leave the cell empty for yes.",
                pl.col("member"),
            ),
        ),
        _duplicate_keys(frame, ["_department", "_indicator"], "department and indicator"),
    ]
    clean = frame.select(
        outcome_department_id=pl.col("_department"),
        indicator_id=pl.col("_indicator"),
        included=pl.col("_included"),
    )
    return clean, problems.combine([report, *reports])


def membership_changes(revised: pl.DataFrame, departments: pl.DataFrame) -> pl.DataFrame:
    """Returns each revised membership with its region, department name, old and new status."""
    names = departments.select(
        "outcome_department_id", "region_code", pl.col("name").alias("outcome_department")
    )
    status = {True: "member", False: "not a member"}
    return revised.join(names, on="outcome_department_id", how="left").select(
        "region_code",
        "outcome_department",
        "indicator_id",
        old=pl.col("previous_value").replace_strict(
            status, default="not a member", return_dtype=pl.String
        ),
        new=pl.col("included").replace_strict(status, return_dtype=pl.String),
    )
