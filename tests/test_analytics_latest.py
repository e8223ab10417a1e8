"""assessed_latest: every indicator in every area of a region at its latest period, with the
four signals, on a tiny warehouse whose numbers are known (see test_analytics_support)."""

import polars as pl
import pytest

from tests.test_analytics_support import (
    BASELINE_END,
    CHILD_POVERTY,
    DARLINGTON,
    DERBY,
    DURHAM,
    EMPLOYMENT,
    ENGLAND,
    HARTLEPOOL,
    LATEST_END,
    NORTH_EAST,
    TARGET_END,
    build_north_east,
    load_csv,
    one,
    revise_north_east,
)
from warehouse.analytics import ASSESSED_COLUMNS, assessed_latest
from warehouse.assessments import trajectory_value, wilson_interval
from warehouse.batches import withdraw_batch


@pytest.fixture
def north_east(memory_con):
    build_north_east(memory_con)
    return memory_con


def test_one_row_per_indicator_and_area_of_the_region_at_each_indicators_latest_period(
    north_east,
):
    latest = assessed_latest(north_east, NORTH_EAST)
    assert latest.columns == ASSESSED_COLUMNS
    keys = sorted(zip(latest["indicator_id"], latest["area_code"], latest["period"], strict=True))
    assert keys == sorted(
        [
            (CHILD_POVERTY, NORTH_EAST, "2010/11"),
            (CHILD_POVERTY, DURHAM, "2010/11"),
            (CHILD_POVERTY, DARLINGTON, "2010/11"),
            (CHILD_POVERTY, HARTLEPOOL, "2010/11"),
            # NI 151 was last published for 2008/09: its latest period is its own.
            (EMPLOYMENT, NORTH_EAST, "2008/09"),
            (EMPLOYMENT, DARLINGTON, "2008/09"),
        ]
    )
    # Derby is in the East Midlands and England is a benchmark, not a row.
    assert DERBY not in latest["area_code"].to_list()
    assert ENGLAND not in latest["area_code"].to_list()
    assert latest["region_code"].unique().to_list() == [NORTH_EAST]
    # The region comes first within each indicator.
    assert latest.filter(pl.col("indicator_id") == CHILD_POVERTY)["tier"][0] == "region"


def test_values_benchmarks_and_comparisons_with_england_and_the_region(north_east):
    latest = assessed_latest(north_east, NORTH_EAST)
    durham = one(latest, indicator_id=CHILD_POVERTY, area_code=DURHAM)
    assert (durham["value"], durham["england_value"], durham["region_value"]) == (30, 22, 23)
    assert (durham["lower_ci_95"], durham["upper_ci_95"]) == (29, 31)
    # 29-31 lies above England's 22 and the region's 23; lower is better for NI 116.
    assert durham["compared_to_england"] == "Worse"
    assert durham["compared_to_england_99_8"] == "Worse"
    assert durham["compared_to_region"] == "Worse"

    darlington = one(latest, indicator_id=CHILD_POVERTY, area_code=DARLINGTON)
    assert darlington["compared_to_england"] == "Better"
    assert darlington["compared_to_region"] == "Better"

    # The region is compared with England, and not with itself.
    region = one(latest, indicator_id=CHILD_POVERTY, area_code=NORTH_EAST)
    assert region["compared_to_england"] == "Worse"
    assert region["compared_to_region"] == "Not compared"

    # NI 151, higher is better: 67-71 lies below England's 72.
    employment = one(latest, indicator_id=EMPLOYMENT, area_code=DARLINGTON)
    assert (employment["england_value"], employment["region_value"]) == (72, 71)
    assert employment["compared_to_england"] == "Worse"


def test_missing_intervals_are_computed_from_count_and_denominator(north_east):
    hartlepool = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=HARTLEPOOL
    )
    lower, upper = wilson_interval(450, 2000, 0.95, 100.0)
    lower_998, upper_998 = wilson_interval(450, 2000, 0.998, 100.0)
    assert hartlepool["ci_computed"] is True
    assert hartlepool["lower_ci_95"] == pytest.approx(lower)
    assert hartlepool["upper_ci_95"] == pytest.approx(upper)
    assert hartlepool["lower_ci_99_8"] == pytest.approx(lower_998)
    assert hartlepool["upper_ci_99_8"] == pytest.approx(upper_998)
    # About 20.7 to 24.4: it contains England's 22.
    assert hartlepool["compared_to_england"] == "Similar"
    durham = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DURHAM
    )
    assert durham["ci_computed"] is False


def test_target_status_uses_the_laa_target_for_local_areas_and_the_psa_target_for_the_region(
    north_east,
):
    latest = assessed_latest(north_east, NORTH_EAST)
    durham = one(latest, indicator_id=CHILD_POVERTY, area_code=DURHAM)
    expected = trajectory_value(BASELINE_END, 22.5, TARGET_END, 17.5, LATEST_END)
    assert durham["target_source"] == "LAA"  # its PSA target (40 -> 45) is not the one used
    assert (durham["target_period"], durham["target_value"]) == ("2012/13", 17.5)
    assert durham["trajectory_value"] == pytest.approx(expected)
    assert durham["target_status"] == "Off track"  # 30 against about 19.5

    darlington = one(latest, indicator_id=CHILD_POVERTY, area_code=DARLINGTON)
    # 15 against about 14.4: behind, but within the tolerance of 1.
    assert darlington["trajectory_value"] == pytest.approx(
        trajectory_value(BASELINE_END, 18, TARGET_END, 12, LATEST_END)
    )
    assert darlington["target_status"] == "Slipping"

    assert one(latest, indicator_id=CHILD_POVERTY, area_code=HARTLEPOOL)["target_status"] == "Met"

    region = one(latest, indicator_id=CHILD_POVERTY, area_code=NORTH_EAST)
    assert (region["target_source"], region["target_level"]) == ("PSA", "region")
    assert region["target_status"] == "On track"  # 23.0 against about 23.3, short of 22.5

    employment = one(latest, indicator_id=EMPLOYMENT, area_code=DARLINGTON)
    assert employment["target_status"] == "No target"
    assert employment["target_value"] is None


def test_recent_trend_uses_the_last_five_periods_and_exceptions_combine_it_with_england(
    north_east,
):
    latest = assessed_latest(north_east, NORTH_EAST)
    durham = one(latest, indicator_id=CHILD_POVERTY, area_code=DURHAM)
    assert durham["recent_trend"] == "Increasing and getting worse"
    assert durham["trend_points"] == 5
    assert durham["trend_slope"] == pytest.approx(2.5)
    assert durham["exception"] == "Red-red"

    darlington = one(latest, indicator_id=CHILD_POVERTY, area_code=DARLINGTON)
    assert darlington["recent_trend"] == "Decreasing and getting better"
    assert darlington["exception"] == "Green flag"

    hartlepool = one(latest, indicator_id=CHILD_POVERTY, area_code=HARTLEPOOL)
    assert hartlepool["recent_trend"] == "Cannot be calculated"
    assert hartlepool["exception"] is None

    # Worse than England but getting better: neither flag.
    region = one(latest, indicator_id=CHILD_POVERTY, area_code=NORTH_EAST)
    assert region["recent_trend"] == "Decreasing and getting better"
    assert region["exception"] is None


def test_filters_by_indicator_area_and_tier(north_east):
    only_durham = assessed_latest(north_east, NORTH_EAST, area_codes=[DURHAM])
    assert only_durham["area_code"].to_list() == [DURHAM]
    # Narrowing the areas does not change the benchmarks or the period.
    assert one(only_durham, indicator_id=CHILD_POVERTY)["region_value"] == 23

    local = assessed_latest(north_east, NORTH_EAST, tiers=("county", "unitary"))
    assert NORTH_EAST not in local["area_code"].to_list()
    assert local.height == 4

    regional = assessed_latest(north_east, NORTH_EAST, tiers=("region",))
    assert regional["area_code"].to_list() == [NORTH_EAST, NORTH_EAST]

    employment = assessed_latest(north_east, NORTH_EAST, indicator_ids=[EMPLOYMENT])
    assert set(employment["indicator_id"]) == {EMPLOYMENT}
    assert employment.height == 2

    # An area of another region is not let in by naming it.
    assert assessed_latest(north_east, NORTH_EAST, area_codes=[DERBY]).is_empty()


def test_an_earlier_period_can_be_assessed_instead_of_the_latest(north_east):
    earlier = assessed_latest(north_east, NORTH_EAST, period="2008/09")
    durham = one(earlier, indicator_id=CHILD_POVERTY, area_code=DURHAM)
    assert (durham["period"], durham["value"], durham["england_value"]) == ("2008/09", 25, 22.2)
    # Three points up to 2008/09 are fewer than the five a trend needs.
    assert durham["recent_trend"] == "Cannot be calculated"
    assert durham["trajectory_value"] == pytest.approx(
        trajectory_value(BASELINE_END, 22.5, TARGET_END, 17.5, durham["period_end"])
    )
    # Hartlepool has nothing for 2008/09; NI 151 has 2008/09 as its latest.
    assert HARTLEPOOL not in earlier["area_code"].to_list()
    assert one(earlier, indicator_id=EMPLOYMENT, area_code=DARLINGTON)["value"] == 69


def test_a_revision_becomes_current_and_withdrawing_it_restores_the_previous_value(north_east):
    batch = revise_north_east(north_east)
    revised = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DURHAM
    )
    assert (revised["value"], revised["lower_ci_95"], revised["upper_ci_95"]) == (31, 30, 32)

    withdraw_batch(north_east, batch, operator="test")
    restored = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DURHAM
    )
    assert restored["value"] == 30


def test_a_revised_target_applies_until_its_batch_is_withdrawn(north_east):
    # Durham's LAA target for 2012/13 revised from 17.5 to an easy 35: now met.
    batch = load_csv(
        north_east,
        [f"{CHILD_POVERTY},{DURHAM},LAA,2007/08,22.5,2012/13,35,1,"],
        kind="targets",
        name="revised-targets.csv",
        confirm=True,
    )
    revised = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DURHAM
    )
    assert (revised["target_value"], revised["target_status"]) == (35, "Met")

    withdraw_batch(north_east, batch, operator="test")
    restored = one(
        assessed_latest(north_east, NORTH_EAST), indicator_id=CHILD_POVERTY, area_code=DURHAM
    )
    assert (restored["target_value"], restored["target_status"]) == (17.5, "Off track")


def test_of_two_targets_the_first_still_to_come_due_applies(north_east):
    # A 2009/10 target beside the 2012/13 one: at 2010/11 the 2009/10 target has passed
    # and 2012/13 applies; at 2009/10 the 2009/10 target is the first due, and was missed.
    load_csv(
        north_east,
        [f"{CHILD_POVERTY},{DARLINGTON},LAA,2007/08,18,2009/10,10,0,"],
        kind="targets",
        name="earlier-target.csv",
    )
    latest = assessed_latest(north_east, NORTH_EAST)
    assert one(latest, indicator_id=CHILD_POVERTY, area_code=DARLINGTON)["target_period"] == (
        "2012/13"
    )
    at_2009 = assessed_latest(north_east, NORTH_EAST, period="2009/10")
    darlington = one(at_2009, indicator_id=CHILD_POVERTY, area_code=DARLINGTON)
    assert (darlington["target_period"], darlington["target_status"]) == ("2009/10", "Not met")


def test_a_region_without_data_gives_an_empty_frame_with_the_same_columns(north_east):
    empty = assessed_latest(north_east, "E12000009")
    assert empty.is_empty()
    assert empty.columns == ASSESSED_COLUMNS
