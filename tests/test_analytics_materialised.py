"""The derived tables (assessed_latest, assessed_series, outcome_department_status) hold what
the pages would compute from the facts, follow every commit and withdrawal, and are filled
by the migration for a warehouse that had data before them."""

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from tests.test_analytics_support import (
    CHILD_POVERTY,
    DARLINGTON,
    NORTH_EAST,
    build_north_east,
    load_csv,
    one,
    row,
)
from warehouse import open_warehouse
from warehouse.analytics import assessed_latest, region_overview
from warehouse.analytics.latest import (
    ALL_REGION_TIERS,
    DEFAULT_TIERS,
    LOCAL_TIERS,
    assess_region,
    compute_region,
)
from warehouse.analytics.materialised import derived_version
from warehouse.analytics.outcome_department import member_indicator_ids
from warehouse.analytics.overview import ENGLAND_COUNT_COLUMNS, TARGET_COUNT_COLUMNS
from warehouse.batches import data_version, withdraw_batch
from warehouse.migrations import migrate
from warehouse.outcome_queries import outcome_department_names
from warehouse.reference_queries import regions as list_regions


def _overview_from_the_facts(con, region_code: str) -> pl.DataFrame:
    """The region overview's counts, computed here from the facts and the membership."""
    assessed = compute_region(con, region_code, tiers=LOCAL_TIERS).latest
    words = {name: ("target_status", word) for name, word in TARGET_COUNT_COLUMNS.items()} | {
        name: ("compared_to_england", word) for name, word in ENGLAND_COUNT_COLUMNS.items()
    }
    rows = []
    for department in outcome_department_names(con, region_code).iter_rows(named=True):
        members = member_indicator_ids(con, department["outcome_department_id"])
        mine = assessed.filter(pl.col("indicator_id").is_in(members))
        rows.append(
            {
                "outcome_department_key": department["outcome_department_key"],
                "indicators": len(set(members)),
                "assessments": mine.height,
                **{name: (mine[column] == word).sum() for name, (column, word) in words.items()},
            }
        )
    return pl.DataFrame(rows).sort("outcome_department_key")


def test_the_derived_rows_equal_a_computation_from_the_facts_in_every_region(demo_con):
    regions = list_regions(demo_con)["region_code"].to_list()
    assert regions
    for region_code in regions:
        # Every tier in every region; the narrower tiers (a filter of the same rows) in one.
        every = (ALL_REGION_TIERS, DEFAULT_TIERS, LOCAL_TIERS)
        for tiers in every if region_code == regions[0] else every[:1]:
            derived = assess_region(demo_con, region_code, tiers=tiers)
            computed = compute_region(demo_con, region_code, tiers=tiers)
            assert_frame_equal(derived.latest, computed.latest)
            assert_frame_equal(derived.series, computed.series)
        overview = region_overview(demo_con, region_code)
        expected = _overview_from_the_facts(demo_con, region_code)
        assert_frame_equal(overview.select(expected.columns), expected, check_dtypes=False)
    # Not an empty comparison: the demo has values and targets in every region.
    assert assessed_latest(demo_con, regions[0]).height > 0
    assert region_overview(demo_con, regions[0])["assessments"].sum() > 0


def test_narrowed_reads_equal_the_same_narrowing_computed(demo_con):
    region_code = list_regions(demo_con)["region_code"][0]
    latest = assessed_latest(demo_con, region_code)
    ids = latest["indicator_id"].unique().sort().to_list()[:3]
    areas = latest["area_code"].unique().sort().to_list()[:2]
    for kwargs in (
        {"indicator_ids": ids},
        {"area_codes": areas},
        {"indicator_ids": ids, "area_codes": areas, "tiers": ALL_REGION_TIERS},
        {"indicator_ids": []},
    ):
        derived = assess_region(demo_con, region_code, **kwargs)
        computed = compute_region(demo_con, region_code, **kwargs)
        assert_frame_equal(derived.latest, computed.latest)
        assert_frame_equal(derived.series, computed.series)


@pytest.fixture
def north_east(memory_con):
    build_north_east(memory_con)
    return memory_con


def _counts(con) -> dict:
    children = region_overview(con, NORTH_EAST).filter(
        pl.col("outcome_department_key") == "children_young_people"
    )
    return children.select("england_better", "england_worse").row(0, named=True)


def test_a_revision_changes_the_derived_status_and_withdrawing_it_restores_it(north_east):
    before = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DARLINGTON
    )
    assert (before["value"], before["compared_to_england"], before["exception"]) == (
        15,
        "Better",
        "Green flag",
    )
    counts_before = _counts(north_east)
    assert derived_version(north_east) == data_version(north_east)

    # Darlington's 2010/11 value revised from 15 to 25: now worse than England (22).
    batch = load_csv(
        north_east,
        [row(CHILD_POVERTY, DARLINGTON, "2010/11", 25, 1.0)],
        name="darlington-revised.csv",
        confirm=True,
    )
    revised = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DARLINGTON
    )
    assert (revised["value"], revised["compared_to_england"], revised["exception"]) == (
        25,
        "Worse",
        None,
    )
    assert revised["target_status"] != before["target_status"]
    assert _counts(north_east) == {
        "england_better": counts_before["england_better"] - 1,
        "england_worse": counts_before["england_worse"] + 1,
    }
    assert derived_version(north_east) == data_version(north_east)
    assert_frame_equal(
        assessed_latest(north_east, NORTH_EAST),
        compute_region(north_east, NORTH_EAST).latest,
    )

    withdraw_batch(north_east, batch, operator="test")
    restored = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DARLINGTON
    )
    assert restored == before
    assert _counts(north_east) == counts_before
    assert derived_version(north_east) == data_version(north_east)


def test_migrate_fills_the_derived_tables_of_a_warehouse_that_had_data_before_them(demo_copy):
    con = open_warehouse(demo_copy)
    region_code = list_regions(con)["region_code"][0]
    expected = compute_region(con, region_code, tiers=ALL_REGION_TIERS)
    expected_overview = region_overview(con, region_code)
    # The warehouse as it was before migration 0007: data, and no derived tables.
    for table in ("assessed_latest", "assessed_series", "outcome_department_status"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DELETE FROM schema_migrations WHERE name = '0007_assessed_latest'")

    assert migrate(con) == ["0007_assessed_latest"]
    filled = assess_region(con, region_code, tiers=ALL_REGION_TIERS)
    assert filled.latest.height > 0
    assert_frame_equal(filled.latest, expected.latest)
    assert_frame_equal(filled.series, expected.series)
    assert_frame_equal(region_overview(con, region_code), expected_overview)
    assert derived_version(con) == data_version(con)
    con.close()
