"""Breakdowns of indicator values by sex, age and category (for example deprivation decile).

An observation is an indicator's value for an area and period in its default breakdown:
persons, the indicator's usual age band and no category. Those rows are the
``observations`` table, which every status, page and export reads. The other breakdowns a
file carries (males and females, other age bands, deprivation deciles...) are facts of the
same batch in ``observation_breakdowns``, with the same lineage: append-only, and current
while their batch is live, the newest live batch winning for each key.

A dimension a row does not have is stored as the empty string, never null, so that keys
compare with ``=`` (``warehouse.revisions`` joins on them); readers give it back as null.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from warehouse.frames import query

#: The columns that tell one breakdown of an indicator, area and period from another.
DIMENSIONS = ["sex", "age", "category_type", "category"]
#: The key of a breakdown row: the observation's key and its dimensions.
KEYS = ["indicator_id", "area_code", "period", *DIMENSIONS]

BREAKDOWN_TABLES = """
CREATE TABLE IF NOT EXISTS observation_breakdowns (
    indicator_id VARCHAR, area_code VARCHAR, period VARCHAR, sex VARCHAR, age VARCHAR,
    category_type VARCHAR, category VARCHAR, period_start DATE, period_end DATE,
    frequency VARCHAR, value DOUBLE, lower_ci_95 DOUBLE, upper_ci_95 DOUBLE,
    lower_ci_99_8 DOUBLE, upper_ci_99_8 DOUBLE, count DOUBLE, denominator DOUBLE,
    note VARCHAR, batch_id VARCHAR
);
CREATE OR REPLACE VIEW current_observation_breakdowns AS
SELECT o.*, b.created_at AS loaded_at
FROM observation_breakdowns o JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY o.indicator_id, o.area_code, o.period, o.sex, o.age, o.category_type,
        o.category
    ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
"""

_COLUMNS = """
    indicator_id, area_code, period, period_end,
    nullif(sex, '') AS sex, nullif(age, '') AS age,
    nullif(category_type, '') AS category_type, nullif(category, '') AS category,
    value, lower_ci_95, upper_ci_95, count, denominator, note
"""
_ORDER = "indicator_id, area_code, period_end, sex, age, category_type, category"


def area_breakdowns(
    con: duckdb.DuckDBPyConnection, area_code: str, indicator_ids: Sequence[str] | None = None
) -> pl.DataFrame:
    """Returns the current breakdowns of an area's indicators in each indicator's latest
    period that has any, one row per breakdown.

    Columns: ``indicator_id``, ``area_code``, ``period``, ``period_end``, ``sex``, ``age``,
    ``category_type``, ``category`` (null where the row has none), ``value``,
    ``lower_ci_95``, ``upper_ci_95``, ``count``, ``denominator``, ``note``. ``indicator_ids``
    limits the indicators (all when None).
    """
    return query(
        con,
        f"""
        SELECT {_COLUMNS} FROM current_observation_breakdowns
        WHERE area_code = $area
          AND ($all OR indicator_id IN (SELECT unnest($ids::VARCHAR[])))
        QUALIFY period_end = max(period_end) OVER (PARTITION BY indicator_id)
        ORDER BY {_ORDER}
        """,  # noqa: S608 - the text is ours; values are bound
        {"area": area_code, "all": indicator_ids is None, "ids": list(indicator_ids or [])},
    )


def indicator_breakdowns(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    area_codes: Sequence[str] | None = None,
    *,
    sex: str | None = None,
    age: str | None = None,
    category_type: str | None = None,
) -> pl.DataFrame:
    """Returns every current breakdown of one indicator, every period, for the explorer.

    Columns as ``area_breakdowns``. ``area_codes`` limits the areas (all when None); ``sex``,
    ``age`` and ``category_type`` keep only rows with that value (any when None).
    """
    return query(
        con,
        f"""
        SELECT {_COLUMNS} FROM current_observation_breakdowns
        WHERE indicator_id = $indicator
          AND ($all_areas OR area_code IN (SELECT unnest($areas::VARCHAR[])))
          AND ($sex::VARCHAR IS NULL OR sex = $sex::VARCHAR)
          AND ($age::VARCHAR IS NULL OR age = $age::VARCHAR)
          AND ($category_type::VARCHAR IS NULL OR category_type = $category_type::VARCHAR)
        ORDER BY {_ORDER}
        """,  # noqa: S608 - the text is ours; values are bound
        {
            "indicator": indicator_id,
            "all_areas": area_codes is None,
            "areas": list(area_codes or []),
            "sex": sex,
            "age": age,
            "category_type": category_type,
        },
    )


def indicators_with_breakdowns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the ids of the indicators that have any current breakdown, sorted."""
    found = query(
        con, "SELECT DISTINCT indicator_id FROM current_observation_breakdowns ORDER BY 1"
    )
    return found["indicator_id"].to_list()


def interval_text(lower: pl.Expr, upper: pl.Expr) -> pl.Expr:
    """Returns a 95% interval in words, "28.8 to 30.2", or "not given" where a limit is
    missing."""
    both = lower.is_not_null() & upper.is_not_null()
    text = pl.format("{} to {}", lower.round(2), upper.round(2))
    return pl.when(both).then(text).otherwise(pl.lit("not given"))


def breakdown_sections(
    found: pl.DataFrame, names: dict[str, str]
) -> list[tuple[str, pl.DataFrame]]:
    """Returns, per indicator of ``found`` (from ``area_breakdowns``), a sentence and its
    breakdowns as a table: ``sex``, ``age``, ``category``, ``value``, ``interval``.

    ``names`` gives each indicator's name. The category reads "Most deprived decile
    (Deprivation decile)", and "none" where the row is a breakdown by sex or age only.
    """
    sections = []
    for (indicator_id,), rows in found.group_by("indicator_id", maintain_order=True):
        category = (
            pl.when(pl.col("category").is_null())
            .then(pl.lit("none"))
            .when(pl.col("category_type").is_null())
            .then(pl.col("category"))
            .otherwise(pl.format("{} ({})", pl.col("category"), pl.col("category_type")))
        )
        table = rows.select(
            "sex",
            "age",
            category=category,
            value="value",
            interval=interval_text(pl.col("lower_ci_95"), pl.col("upper_ci_95")),
        )
        periods = ", ".join(rows["period"].unique(maintain_order=True).to_list())
        name = names.get(indicator_id, indicator_id)
        sentence = (
            f"{name} ({indicator_id}), {periods}: {rows.height} breakdown(s) by sex, age or "
            "category. Everything else on this page compares the default breakdown (Persons, "
            "the indicator's usual age band, no category)."
        )
        sections.append((sentence, table))
    return sections


def breakdown_choices(found: pl.DataFrame) -> dict[str, list[str]]:
    """Returns the sexes and the category types in ``found`` (from ``indicator_breakdowns``),
    sorted, for the explorer's breakdown filters."""
    return {
        column: sorted(found[column].drop_nulls().unique().to_list())
        for column in ("sex", "category_type")
    }


def explorer_breakdowns(
    found: pl.DataFrame,
    area_names: dict[str, str],
    *,
    sex: str | None = None,
    category_type: str | None = None,
) -> tuple[str, pl.DataFrame]:
    """Returns a sentence and the breakdowns of ``found`` (from ``indicator_breakdowns``)
    with that ``sex`` and ``category_type`` (any when None) as a table: ``area_name``,
    ``period``, ``sex``, ``age``, ``category``, ``value``, ``interval``, newest period first."""
    rows = found
    if sex is not None:
        rows = rows.filter(pl.col("sex") == sex)
    if category_type is not None:
        rows = rows.filter(pl.col("category_type") == category_type)
    table = rows.sort(["period_end", "area_code"], descending=[True, False]).select(
        area_name=pl.col("area_code").replace_strict(
            area_names, default=pl.col("area_code"), return_dtype=pl.String
        ),
        period="period",
        sex="sex",
        age="age",
        category=pl.col("category").fill_null("none"),
        value="value",
        interval=interval_text(pl.col("lower_ci_95"), pl.col("upper_ci_95")),
    )
    areas = rows["area_code"].n_unique()
    sentence = (
        f"{rows.height} breakdown row(s) for {areas} area(s). The table above and the charts "
        "show the default breakdown (Persons, the indicator's usual age band, no category)."
    )
    return sentence, table
