"""The analytics on the synthetic demo warehouse (read only): every status occurs, the
figures agree with the warehouse's own views, and the pages' functions hold together."""

import polars as pl
import pytest

from warehouse.analytics import (
    DEFAULT_CONTEXT,
    ENGLAND_COUNT_COLUMNS,
    TARGET_COUNT_COLUMNS,
    area_profile,
    assessed_latest,
    changes_since_previous_batch,
    indicator_series,
    learn_from,
    needs_attention,
    region_overview,
    statistical_neighbours_for,
)
from warehouse.assessments import Comparison, ExceptionFlag, TargetStatus, Trend
from warehouse.batches import list_batches
from warehouse.frames import query

REGIONS = [f"E1200000{n}" for n in range(1, 10)]
NORTH_EAST = "E12000001"
COUNTY_DURHAM = "E06000047"


@pytest.fixture(scope="module")
def every_region(demo_con) -> pl.DataFrame:
    return pl.concat([assessed_latest(demo_con, region) for region in REGIONS])


def test_the_demo_produces_every_status_word(every_region):
    def seen(column: str) -> set[str]:
        return set(every_region[column].drop_nulls())

    # Every demo target falls due in the demo's latest period, which has values, so none is
    # judged late without a value: "Not assessed" is covered by tests/test_assessments_targets.py.
    assert seen("target_status") == {s.value for s in TargetStatus} - {TargetStatus.NOT_ASSESSED}
    assert seen("compared_to_england") == {c.value for c in Comparison}
    assert seen("recent_trend") == {t.value for t in Trend}
    assert seen("exception") == {e.value for e in ExceptionFlag}


def test_each_area_is_assessed_once_per_indicator_in_its_own_region(every_region, demo_con):
    assert not every_region.select(
        pl.struct("indicator_id", "area_code").is_duplicated().any()
    ).item()
    areas = query(demo_con, "SELECT area_code, region_code FROM areas")
    joined = every_region.join(areas, on="area_code", suffix="_of_area")
    assert (joined["region_code"] == joined["region_code_of_area"]).all()
    assert set(every_region["tier"]) == {"region", "county", "unitary"}


def test_values_and_periods_agree_with_the_current_observations_view(demo_con):
    latest = assessed_latest(demo_con, NORTH_EAST)
    current = query(
        demo_con,
        """
        SELECT o.indicator_id, o.area_code, o.period, o.period_end, o.value
        FROM current_observations o JOIN areas a USING (area_code)
        WHERE a.region_code = ?
        """,
        [NORTH_EAST],
    )
    # The latest period of each indicator is the last one with a value in the region.
    last = current.group_by("indicator_id").agg(pl.col("period_end").max().alias("last_end"))
    checked = latest.join(last, on="indicator_id")
    assert (checked["period_end"] == checked["last_end"]).all()
    # Each value is the current one, revisions included.
    joined = latest.join(current, on=["indicator_id", "area_code", "period"], suffix="_view")
    assert joined.height == latest.height
    assert (joined["value"] == joined["value_view"]).all()


def test_region_overview_counts_add_up_to_the_assessments(demo_con):
    overview = region_overview(demo_con, NORTH_EAST)
    assert overview.height == 6
    target_total = overview.select(pl.sum_horizontal(list(TARGET_COUNT_COLUMNS))).to_series()
    england_total = overview.select(pl.sum_horizontal(list(ENGLAND_COUNT_COLUMNS))).to_series()
    assert (target_total == overview["assessments"]).all()
    assert (england_total == overview["assessments"]).all()
    # 12 upper-tier areas in the North East, each with every member indicator.
    assert (overview["assessments"] == overview["indicators_with_data"] * 12).all()
    assert overview["latest_period"].is_not_null().all()


def test_needs_attention_rows_are_red_reds_or_missed_targets(demo_con):
    attention = needs_attention(demo_con, NORTH_EAST)
    assert attention.height > 0
    assert set(attention["reason"]) <= {"Red-red", "Off track", "Not met"}
    red = attention.filter(pl.col("reason") == "Red-red")
    assert (red["compared_to_england"] == "Worse").all()
    assert red["recent_trend"].str.ends_with("getting worse").all()
    counts = attention.group_by("area_code").agg(pl.len().alias("n"), pl.col("area_issues").first())
    assert (counts["n"] == counts["area_issues"]).all()


def test_learn_from_most_improved_matches_the_series(demo_con):
    learn = learn_from(demo_con, NORTH_EAST)
    assert learn["green_flag"].any() and learn["most_improved"].any()
    assert ((learn["compared_to_england"] == "Better") | ~learn["green_flag"]).all()
    example = learn.filter(pl.col("most_improved")).row(0, named=True)
    series = indicator_series(demo_con, example["indicator_id"], [example["area_code"]])
    polarity = series["polarity"][0]
    window = series.tail(5)
    change = window["value"][-1] - window["value"][0]
    assert example["improvement"] == pytest.approx(change if polarity == "higher" else -change)
    assert example["improvement"] > 0 and example["neighbours_compared"] >= 1


def test_changes_since_previous_batch_are_the_later_release_in_the_region(demo_con):
    changes = changes_since_previous_batch(demo_con, NORTH_EAST)
    latest_batch = (
        list_batches(demo_con)
        .filter((pl.col("kind") == "indicators") & (pl.col("status") == "live"))
        .row(0, named=True)
    )
    assert set(changes["batch_id"]) == {latest_batch["batch_id"]}
    assert set(changes["change"]) == {"new", "revised"}
    revised = changes.filter(pl.col("change") == "revised")
    assert (revised["previous_value"] != revised["value"]).all()
    # New rows are 2010/11 values; revisions are of 2009/10.
    assert changes.filter(pl.col("change") == "new")["period"].str.starts_with("2010/11").all()
    assert revised["period"].str.starts_with("2009/10").all()


def test_area_profile_places_the_value_inside_englands_spread(demo_con):
    profile = area_profile(demo_con, COUNTY_DURHAM)
    assert profile.height > 150
    compared = profile.filter(pl.col("value").is_not_null())
    assert (compared["england_min"] <= compared["value"]).all()
    assert (compared["value"] <= compared["england_max"]).all()
    assert (compared["england_q25"] <= compared["england_median"]).all()
    assert (compared["england_median"] <= compared["england_q75"]).all()
    # Upper-tier areas: counties and unitaries of all England.
    assert compared["areas_compared"].max() > 100


def test_statistical_neighbours_of_a_demo_area(demo_con):
    neighbours = statistical_neighbours_for(demo_con, COUNTY_DURHAM)
    assert neighbours.height == 10
    assert neighbours["rank"].to_list() == list(range(1, 11))
    assert neighbours["distance"].is_sorted()
    assert COUNTY_DURHAM not in neighbours["neighbour_code"].to_list()
    assert set(neighbours["neighbour_type"]) <= {
        "County",
        "Unitary authority",
        "Metropolitan district",
        "London borough",
    }
    assert neighbours["variables"][0].to_list() == sorted(DEFAULT_CONTEXT)
