"""The functions behind the minister's and officials' pages, on the tiny North East warehouse
(see test_analytics_support for its numbers)."""

import datetime as dt

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
    NORTH_EAST,
    TARGET_END,
    build_north_east,
    load_csv,
    one,
    revise_north_east,
    row,
)
from warehouse.analytics import (
    DEFAULT_CONTEXT,
    ENGLAND_COUNT_COLUMNS,
    TARGET_COUNT_COLUMNS,
    area_breakdown,
    area_profile,
    changes_since_previous_batch,
    indicator_series,
    latest_indicator_batch,
    learn_from,
    needs_attention,
    outcome_department_profile,
    priority_goals,
    region_overview,
    statistical_neighbours_for,
)
from warehouse.analytics.milestones import parse_milestones, period_end
from warehouse.assessments import TargetStatus, trajectory_value
from warehouse.batches import withdraw_batch

CYP = f"{NORTH_EAST}:children_young_people"
ESE = f"{NORTH_EAST}:employment_skills_economy"


@pytest.fixture
def north_east(memory_con):
    build_north_east(memory_con)
    return memory_con


# --- region overview --------------------------------------------------------------------


def test_region_overview_counts_each_status_over_local_areas_and_member_indicators(north_east):
    overview = region_overview(north_east, NORTH_EAST)
    assert overview.height == 6  # the six default outcome departments of the North East
    cyp = one(overview, outcome_department_id=CYP)
    assert cyp["name"] == "Children and young people"
    assert cyp["chair"] == "Regional Minister, North East"
    assert cyp["latest_period"] == "2010/11"
    assert cyp["indicators_with_data"] == 1  # NI 116 of its members has data
    assert cyp["indicators"] > 1
    # NI 116 in Durham (off track, worse), Darlington (slipping, better), Hartlepool (met,
    # similar); the region itself is not a local area.
    assert cyp["assessments"] == 3
    assert {c: cyp[c] for c in TARGET_COUNT_COLUMNS} == {
        "target_on_track": 0,
        "target_slipping": 1,
        "target_off_track": 1,
        "target_met": 1,
        "target_not_met": 0,
        "target_not_assessed": 0,
        "target_no_target": 0,
    }
    assert {c: cyp[c] for c in ENGLAND_COUNT_COLUMNS} == {
        "england_better": 1,
        "england_similar": 1,
        "england_worse": 1,
        "england_higher": 0,
        "england_lower": 0,
        "england_not_compared": 0,
    }
    ese = one(overview, outcome_department_id=ESE)
    assert (ese["latest_period"], ese["assessments"], ese["england_worse"]) == ("2008/09", 1, 1)
    assert ese["target_no_target"] == 1
    # A department with no data yet still has its row, with zero counts.
    liveable = one(overview, outcome_department_id=f"{NORTH_EAST}:liveable_places")
    assert liveable["assessments"] == 0 and liveable["latest_period"] is None


def test_overview_count_columns_carry_every_status_word():
    assert sorted(TARGET_COUNT_COLUMNS.values()) == sorted(s.value for s in TargetStatus)
    assert TARGET_COUNT_COLUMNS["target_off_track"] == "Off track"
    assert ENGLAND_COUNT_COLUMNS["england_worse"] == "Worse"


# --- priority goals, needs attention, learn from --------------------------------------


def test_priority_goals_come_first_with_the_regions_value_and_signals(north_east):
    goals = priority_goals(north_east, NORTH_EAST, limit=6)
    assert goals.height == 6
    assert goals["priority"].all()
    # One goal from each department before any department's second.
    assert goals["outcome_department_id"].n_unique() == 6
    poverty = one(goals, indicator_id=CHILD_POVERTY)
    assert poverty["goal"] == "Fewer children growing up in poverty"
    assert (poverty["value"], poverty["england_value"]) == (23, 22)
    assert poverty["target_source"] == "PSA"
    assert poverty["target_status"] == "On track"
    assert poverty["compared_to_england"] == "Worse"
    assert poverty["recent_trend"] == "Decreasing and getting better"
    assert one(goals, indicator_id=EMPLOYMENT)["value"] == 71  # its latest, 2008/09
    # A goal whose indicator has no regional value is listed with empty values.
    others = goals.filter(~pl.col("indicator_id").is_in([CHILD_POVERTY, EMPLOYMENT]))
    assert others.height == 4
    assert others["value"].is_null().all()

    assert priority_goals(north_east, NORTH_EAST, limit=2).height == 2


def test_needs_attention_lists_red_reds_and_off_track_targets_with_reasons(north_east):
    attention = needs_attention(north_east, NORTH_EAST)
    assert attention["area_code"].to_list() == [DURHAM]
    durham = attention.row(0, named=True)
    assert durham["reason"] == "Red-red"
    assert durham["why"].startswith(
        "Worse than England (30.0 against 22.0) and increasing and getting worse."
    )
    assert "Off track against its LAA target: 30.0 against a trajectory of 19.5" in durham["why"]
    assert durham["area_issues"] == 1
    # Darlington is slipping, not off track, and better than England: not listed.
    assert DARLINGTON not in attention["area_code"].to_list()


def test_learn_from_lists_green_flags(north_east):
    learn = learn_from(north_east, NORTH_EAST)
    darlington = one(learn, area_code=DARLINGTON, indicator_id=CHILD_POVERTY)
    assert darlington["green_flag"] is True
    assert darlington["why"].startswith("Better than England (15.0 against 22.0)")
    assert DURHAM not in learn["area_code"].to_list()


def _context(con, areas_and_levels: dict[str, float], period: str = "2009/10") -> None:
    """Loads every default context indicator for the areas, at a level per area."""
    lines = [
        row(indicator, area, period, level, None)
        for indicator in DEFAULT_CONTEXT
        for area, level in areas_and_levels.items()
    ]
    load_csv(con, lines, name="context.csv")


def test_learn_from_finds_the_most_improved_among_statistical_neighbours(memory_con):
    # Four upper-tier areas with context; each is the others' neighbour.
    _context(memory_con, {DURHAM: 10, DARLINGTON: 20, HARTLEPOOL: 30, DERBY: 40})
    # NI 1 (higher is better) over two years: Darlington improves most (+5), Derby in
    # another region +3, Durham and Hartlepool +1. No intervals, so no green flags.
    changes = {DURHAM: (50, 51), DARLINGTON: (50, 55), HARTLEPOOL: (50, 51), DERBY: (50, 53)}
    lines = []
    for area, (first, last) in changes.items():
        lines += [
            row("NI 1", area, "2008/09", first, None),
            row("NI 1", area, "2009/10", last, None),
        ]
    load_csv(memory_con, lines, name="ni1.csv")

    learn = learn_from(memory_con, NORTH_EAST)
    assert learn.filter(pl.col("indicator_id") == "NI 1")["area_code"].to_list() == [DARLINGTON]
    darlington = one(learn, indicator_id="NI 1")
    assert darlington["most_improved"] is True and darlington["green_flag"] is False
    assert darlington["improvement"] == 5
    assert darlington["neighbours_compared"] == 3
    assert "Improved most among 3 statistical neighbours" in darlington["why"]


def test_statistical_neighbours_rank_the_most_similar_areas_first(memory_con):
    _context(memory_con, {DURHAM: 10, DARLINGTON: 31, HARTLEPOOL: 30, DERBY: 60})
    neighbours = statistical_neighbours_for(memory_con, HARTLEPOOL, n=2)
    assert neighbours["neighbour_code"].to_list() == [DARLINGTON, DURHAM]
    assert neighbours["neighbour_name"].to_list() == ["Darlington", "County Durham"]
    assert neighbours["rank"].to_list() == [1, 2]
    assert neighbours["distance"][0] < neighbours["distance"][1]
    assert neighbours["variables"][0].to_list() == sorted(DEFAULT_CONTEXT)
    # Only the chosen variables are used.
    one_variable = statistical_neighbours_for(memory_con, HARTLEPOOL, context_indicators=["NI 116"])
    assert one_variable["variables"][0].to_list() == ["NI 116"]
    # Without context values there are no neighbours.
    assert statistical_neighbours_for(
        memory_con, HARTLEPOOL, context_indicators=["NI 1"]
    ).is_empty()
    with pytest.raises(LookupError):
        statistical_neighbours_for(memory_con, "E06999999")
    with pytest.raises(ValueError, match="no statistical neighbours"):
        statistical_neighbours_for(memory_con, ENGLAND)


# --- what changed -----------------------------------------------------------------------


def test_changes_since_previous_batch_shows_new_and_revised_values_old_beside_new(north_east):
    batch = revise_north_east(north_east)
    changes = changes_since_previous_batch(north_east, NORTH_EAST)
    assert changes["batch_id"].unique().to_list() == [batch]
    assert changes["file_name"][0] == "revisions.csv"
    # The unchanged repeat of Durham 2009/10 is not a change.
    assert changes.select("change", "area_code", "period").rows() == [
        ("new", HARTLEPOOL, "2009/10"),
        ("revised", DURHAM, "2010/11"),
    ]
    revised = one(changes, change="revised")
    assert (revised["previous_value"], revised["value"], revised["difference"]) == (30, 31, 1)
    assert (revised["previous_lower_ci_95"], revised["lower_ci_95"]) == (29, 30)
    new = one(changes, change="new")
    assert new["previous_value"] is None and new["value"] == 23

    # Withdrawn, the revision batch is no longer the latest: the first release is.
    withdraw_batch(north_east, batch, operator="test")
    first = changes_since_previous_batch(north_east, NORTH_EAST)
    assert set(first["change"]) == {"new"}
    assert first.height == 18  # every North East row of the first release
    assert DERBY not in first["area_code"].to_list()


def test_changes_are_empty_before_any_values_are_loaded(memory_con):
    assert changes_since_previous_batch(memory_con, NORTH_EAST).is_empty()


def test_latest_indicator_batch_names_the_latest_live_release_and_its_counts(north_east):
    batch = revise_north_east(north_east)
    latest = latest_indicator_batch(north_east)
    assert (latest["batch_id"], latest["file_name"]) == (batch, "revisions.csv")
    # England-wide, as classified at load: Hartlepool new, Durham 2010/11 revised, the
    # repeat of Durham 2009/10 unchanged.
    assert (latest["rows_new"], latest["rows_revised"], latest["rows_unchanged"]) == (1, 1, 1)
    withdraw_batch(north_east, batch, operator="test")
    assert latest_indicator_batch(north_east)["batch_id"] != batch


def test_latest_indicator_batch_is_none_before_any_values_are_loaded(memory_con):
    assert latest_indicator_batch(memory_con) is None


# --- outcome department -------------------------------------------------------------------


def test_outcome_department_profile_shows_who_contributes_and_how_each_indicator_does(north_east):
    profile = outcome_department_profile(north_east, CYP)
    assert profile.department["name"] == "Children and young people"
    assert profile.department["region_code"] == NORTH_EAST
    assert profile.psas["psa_id"].to_list() == [9, 10, 11, 12, 13, 14, 22]
    # HM Treasury owns NI 116 and leads PSA 9, whose basket holds it.
    hmt = one(profile.contributions, department_code="HMT", indicator_id=CHILD_POVERTY)
    assert hmt["role"] == "Owner and PSA lead"
    assert hmt["psa_ids"] == [9]
    members = profile.member_departments
    assert set(members["department_code"]) >= {"HMT", "DCSF", "DCMS"}
    assert one(members, department_code="DCMS")["role"] == "PSA lead"  # leads PSA 22
    assert one(members, department_code="HMT")["psas_led"] == [9]

    poverty = one(profile.indicators, indicator_id=CHILD_POVERTY)
    assert (poverty["value"], poverty["target_status"]) == (23, "On track")
    assert poverty["compared_to_england"] == "Worse"
    assert poverty["recent_periods"] == [
        "2006/07",
        "2007/08",
        "2008/09",
        "2009/10",
        "2010/11",
    ]
    assert poverty["recent_values"] == [24, 23.8, 23.5, 23.2, 23.0]
    # Members without data are listed too, with empty values.
    assert profile.indicators.height == profile.indicators["indicator_id"].n_unique() > 1
    with pytest.raises(LookupError, match="no outcome department"):
        outcome_department_profile(north_east, "E12000001:nothing")


def test_area_breakdown_ranks_local_areas_best_first_by_polarity(north_east):
    breakdown = area_breakdown(north_east, NORTH_EAST, CYP)
    poverty = breakdown.filter(pl.col("indicator_id") == CHILD_POVERTY)
    # Lower is better: Darlington 15, Hartlepool 22.5, Durham 30.
    assert poverty.select("area_code", "rank").rows() == [
        (DARLINGTON, 1),
        (HARTLEPOOL, 2),
        (DURHAM, 3),
    ]
    assert poverty["compared_to_england"].to_list() == ["Better", "Similar", "Worse"]
    assert poverty["target_status"].to_list() == ["Slipping", "Met", "Off track"]
    assert set(breakdown["indicator_id"]) == {CHILD_POVERTY}  # NI 151 is not a member
    with pytest.raises(ValueError, match="belongs to North East"):
        area_breakdown(north_east, "E12000002", CYP)


# --- series and milestones --------------------------------------------------------------


def test_indicator_series_gives_every_period_with_the_trajectory_where_a_target_applies(north_east):
    series = indicator_series(north_east, CHILD_POVERTY, [DURHAM, NORTH_EAST, ENGLAND])
    durham = series.filter(pl.col("area_code") == DURHAM)
    assert durham["period"].to_list() == ["2006/07", "2007/08", "2008/09", "2009/10", "2010/11"]
    assert durham["value"].to_list() == [20, 22.5, 25, 27.5, 30]
    assert durham["lower_ci_95"].to_list() == [19, 21.5, 24, 26.5, 29]
    # 2006/07 is before the baseline: no trajectory there.
    assert durham["trajectory_value"][0] is None
    assert durham["target_source"].to_list()[1:] == ["LAA"] * 4
    assert durham["trajectory_value"][1] == pytest.approx(22.5)  # the baseline itself
    assert durham["trajectory_value"][3] == pytest.approx(
        trajectory_value(BASELINE_END, 22.5, TARGET_END, 17.5, dt.date(2010, 3, 31))
    )
    region = series.filter(pl.col("area_code") == NORTH_EAST)
    assert set(region["target_source"].drop_nulls()) == {"PSA"}
    # England has no target loaded.
    assert series.filter(pl.col("area_code") == ENGLAND)["trajectory_value"].is_null().all()


def test_milestones_bend_the_trajectory(memory_con):
    load_csv(memory_con, [row(CHILD_POVERTY, DURHAM, "2009/10", 20, 1.0)], name="v.csv")
    load_csv(
        memory_con,
        [f'{CHILD_POVERTY},{DURHAM},LAA,2007/08,22,2011/12,18,0,"2008/09=21; 2009/10=21"'],
        kind="targets",
        name="t.csv",
    )
    series = indicator_series(memory_con, CHILD_POVERTY, [DURHAM])
    # Straight, the line would be at 19.99 in March 2010; the milestone holds it at 21.
    assert series["trajectory_value"][0] == pytest.approx(21.0)


def test_milestone_text_is_read_in_both_forms():
    assert parse_milestones("2008/09=21; 2009/10 Q2: 20.5") == [
        {"period_end": dt.date(2009, 3, 31), "value": 21.0},
        {"period_end": dt.date(2009, 9, 30), "value": 20.5},
    ]
    assert parse_milestones('[{"period": "2009", "value": 3}]') == [
        {"period_end": dt.date(2009, 12, 31), "value": 3.0}
    ]
    assert parse_milestones("") is None
    assert parse_milestones("sometime=3") is None
    assert period_end("2008 Q3") == dt.date(2008, 9, 30)
    assert period_end("2010/11 Q4") == dt.date(2011, 3, 31)
    assert period_end("2008/10") is None


# --- area profile -----------------------------------------------------------------------


def test_area_profile_gives_values_signals_and_englands_spread_for_a_spine_chart(north_east):
    profile = area_profile(north_east, DARLINGTON)
    assert profile["indicator_id"].to_list() == [CHILD_POVERTY, EMPLOYMENT]
    poverty = one(profile, indicator_id=CHILD_POVERTY)
    assert (poverty["value"], poverty["england_value"], poverty["region_value"]) == (15, 22, 23)
    assert poverty["compared_to_region"] == "Better"
    assert poverty["recent_trend"] == "Decreasing and getting better"
    # Upper-tier areas in 2010/11: 15, 20 (Derby), 22.5, 30.
    assert poverty["areas_compared"] == 4
    assert (poverty["england_min"], poverty["england_max"]) == (15, 30)
    assert poverty["england_q25"] == pytest.approx(18.75)
    assert poverty["england_median"] == pytest.approx(21.25)
    assert poverty["england_q75"] == pytest.approx(24.375)
    employment = one(profile, indicator_id=EMPLOYMENT)
    assert employment["areas_compared"] == 1
    with pytest.raises(LookupError):
        area_profile(north_east, "E06999999")
    with pytest.raises(ValueError, match="no area profile"):
        area_profile(north_east, ENGLAND)
