"""Specification of trajectories and of the assessment of values against targets."""

import datetime as dt

import polars as pl
import pytest

from warehouse.assessments import assess_against_target, trajectory_value

D = dt.date

# A 100-day target used throughout: 2023-01-01 -> 2023-04-11 is 31 + 28 + 31 + 10 = 100 days,
# and 2023-02-20 is 31 + 19 = 50 days in, i.e. exactly halfway.
BASELINE = D(2023, 1, 1)
HALFWAY = D(2023, 2, 20)
TARGET = D(2023, 4, 11)

SCHEMA = {
    "value": pl.Float64,
    "period_end": pl.Date,
    "polarity": pl.String,
    "baseline_period_end": pl.Date,
    "baseline_value": pl.Float64,
    "target_period_end": pl.Date,
    "target_value": pl.Float64,
    "tolerance": pl.Float64,
}


def assess(**columns_or_row):
    """Assess one row that, by default, is halfway through a 40 -> 60 'higher' target."""
    row = {
        "value": 50.0,
        "period_end": HALFWAY,
        "polarity": "higher",
        "baseline_period_end": BASELINE,
        "baseline_value": 40.0,
        "target_period_end": TARGET,
        "target_value": 60.0,
        "tolerance": 2.0,
    }
    row.update(columns_or_row)
    schema = {**SCHEMA, **{k: EXTRA[k] for k in row if k in EXTRA}}
    return assess_against_target(pl.DataFrame([row], schema=schema)).row(0, named=True)


EXTRA = {
    "period": pl.String,
    "target_period": pl.String,
    "target_period_value": pl.Float64,
    "target_judged_period": pl.String,
}


# --- trajectory_value -------------------------------------------------------------------


def test_trajectory_is_linear_in_days_between_baseline_and_target():
    # 40 + 50/100·(60 - 40) = 50; 25 days in: 40 + 0.25·20 = 45
    assert trajectory_value(BASELINE, 40.0, TARGET, 60.0, HALFWAY) == pytest.approx(50.0)
    assert trajectory_value(BASELINE, 40.0, TARGET, 60.0, D(2023, 1, 26)) == pytest.approx(45.0)


def test_trajectory_is_flat_outside_the_target_period():
    assert trajectory_value(BASELINE, 40.0, TARGET, 60.0, D(2022, 6, 1)) == 40.0
    assert trajectory_value(BASELINE, 40.0, TARGET, 60.0, D(2024, 6, 1)) == 60.0


def test_trajectory_passes_through_milestones():
    # baseline 0 on 1 Jan, milestone 10 on 21 Jan (day 20), target 12 on 31 Jan (day 30)
    # day 10: 0 + 10/20·10 = 5; day 20: 10; day 25: 10 + 5/10·(12 - 10) = 11
    # (a straight line would give 25/30·12 = 10 on day 25)
    milestones = [(D(2023, 1, 21), 10.0)]
    end = D(2023, 1, 31)
    assert trajectory_value(BASELINE, 0.0, end, 12.0, D(2023, 1, 11), milestones) == 5.0
    assert trajectory_value(BASELINE, 0.0, end, 12.0, D(2023, 1, 21), milestones) == 10.0
    assert trajectory_value(BASELINE, 0.0, end, 12.0, D(2023, 1, 26), milestones) == 11.0
    assert trajectory_value(BASELINE, 0.0, end, 12.0, D(2023, 1, 26)) == pytest.approx(10.0)


def test_milestones_may_be_given_in_any_order():
    # knots (day 0, 0), (day 10, 8), (day 20, 10), (day 30, 12); day 5: 0 + 5/10·8 = 4
    milestones = [(D(2023, 1, 21), 10.0), (D(2023, 1, 11), 8.0)]
    value = trajectory_value(BASELINE, 0.0, D(2023, 1, 31), 12.0, D(2023, 1, 6), milestones)
    assert value == pytest.approx(4.0)


@pytest.mark.parametrize(
    ("target_date", "milestones"),
    [
        (BASELINE, None),  # target not after baseline
        (TARGET, [(D(2024, 1, 1), 1.0)]),  # milestone after target
        (TARGET, [(BASELINE, 1.0)]),  # milestone on the baseline date
        (TARGET, [(HALFWAY, 1.0), (HALFWAY, 2.0)]),  # two milestones on one date
    ],
)
def test_inconsistent_trajectory_dates_are_rejected(target_date, milestones):
    with pytest.raises(ValueError):
        trajectory_value(BASELINE, 40.0, target_date, 60.0, HALFWAY, milestones)


# --- assess_against_target: polarity "higher" (40 -> 60, trajectory 50 at halfway) -----


def test_value_on_the_trajectory_is_on_track():
    out = assess(value=50.0)
    assert out["trajectory_value"] == pytest.approx(50.0)
    assert out["target_status"] == "On track"


def test_value_above_the_trajectory_is_on_track():
    assert assess(value=55.0)["target_status"] == "On track"


def test_shortfall_within_tolerance_is_slipping():
    # 50 - 48.5 = 1.5 <= 2
    assert assess(value=48.5)["target_status"] == "Slipping"


def test_shortfall_equal_to_tolerance_is_still_slipping():
    # 50 - 48 = 2 <= 2 ("worse by no more than tolerance")
    assert assess(value=48.0)["target_status"] == "Slipping"


def test_shortfall_beyond_tolerance_is_off_track():
    # 50 - 47.9 = 2.1 > 2
    assert assess(value=47.9)["target_status"] == "Off track"


def test_null_tolerance_means_zero():
    # 50 - 49.9 = 0.1 > 0
    assert assess(value=49.9, tolerance=None)["target_status"] == "Off track"


def test_target_met_before_its_date_is_met():
    # halfway through, the value already equals / exceeds the target of 60
    assert assess(value=60.0)["target_status"] == "Met"
    assert assess(value=61.0)["target_status"] == "Met"


def test_target_period_passed_and_value_short_is_not_met():
    # Changed with issue 13: the target is judged by the value for its own period
    # (target_period_value), here 59 < 60, not by the latest value.
    late = D(2023, 6, 30)
    assert assess(value=59.0, target_period_value=59.0, period_end=late)["target_status"] == (
        "Not met"
    )


def test_target_period_ending_on_the_target_date_counts_as_passed():
    out = assess(value=59.0, period_end=TARGET)
    assert out["trajectory_value"] == pytest.approx(60.0)
    assert out["target_status"] == "Not met"


def test_target_period_passed_and_value_reached_is_met():
    late = D(2023, 6, 30)
    assert assess(value=60.0, target_period_value=60.0, period_end=late)["target_status"] == "Met"


# --- late targets (issue 13): judged by the value for the target's own period -----------
# The example: a target of 65 for 2010/11 (higher is better), baseline 60 in
# 2008/09, 63 in 2010/11 and 66 in 2011/12 (the latest).
FY = {"2008/09": D(2009, 3, 31), "2010/11": D(2011, 3, 31), "2011/12": D(2012, 3, 31)}
LATE = {
    "baseline_period_end": FY["2008/09"],
    "baseline_value": 60.0,
    "target_period": "2010/11",
    "target_period_end": FY["2010/11"],
    "target_value": 65.0,
    "period": "2011/12",
    "period_end": FY["2011/12"],
}


def test_target_missed_in_its_period_is_not_met_although_a_later_value_reaches_it():
    # 63 for 2010/11 is 2 short of 65 -> "Not met"; the later 66 (>= 65) must not count.
    out = assess(value=66.0, target_period_value=63.0, target_judged_period="2010/11", **LATE)
    assert out["target_status"] == "Not met"
    assert out["target_reason"] == "Judged on the value for 2010/11."


def test_target_met_on_time_stays_met_after_a_dip():
    # 66 for 2010/11 >= 65 -> "Met"; the later 63 is a dip after the target was met.
    out = assess(value=63.0, target_period_value=66.0, target_judged_period="2010/11", **LATE)
    assert out["target_status"] == "Met"


def test_no_value_for_the_target_period_is_not_assessed_with_the_reason():
    out = assess(value=66.0, target_period_value=None, **LATE)
    assert out["target_status"] == "Not assessed"
    assert out["target_reason"] == (
        "No value for 2010/11, the target's own period: a later value cannot show "
        "whether the target was met on time."
    )


def test_without_a_target_period_value_the_latest_counts_only_for_its_own_period():
    # No target_period_value column: 66 for 2011/12 cannot stand for 2010/11 ...
    assert assess(value=66.0, **LATE)["target_status"] == "Not assessed"
    # ... but 63 observed for 2010/11 itself (period_end = target_period_end) is judged.
    on_time = {**LATE, "period": "2010/11", "period_end": FY["2010/11"]}
    out = assess(value=63.0, **on_time)
    assert out["target_status"] == "Not met"
    assert out["target_reason"] == "Judged on the value for 2010/11."


def test_before_the_target_period_there_is_no_reason():
    assert assess(value=50.0)["target_reason"] is None


def test_no_target_value_or_no_observation_is_no_target():
    no_target = assess(target_value=None)
    assert no_target["target_status"] == "No target"
    assert no_target["trajectory_value"] is None
    assert assess(value=None)["target_status"] == "No target"


# --- polarity "lower": 20 -> 10, trajectory 20 - 0.5·10 = 15 at halfway ----------------


@pytest.mark.parametrize(
    ("value", "tolerance", "expected"),
    [
        (9.0, 1.5, "Met"),  # 9 <= 10
        (10.0, 1.5, "Met"),
        (14.0, 1.5, "On track"),  # below the trajectory of 15
        (15.0, 1.5, "On track"),
        (16.0, 1.5, "Slipping"),  # 16 - 15 = 1 <= 1.5
        (17.0, 1.5, "Off track"),  # 17 - 15 = 2 > 1.5
    ],
)
def test_lower_is_better(value, tolerance, expected):
    out = assess(
        polarity="lower", baseline_value=20.0, target_value=10.0, value=value, tolerance=tolerance
    )
    assert out["trajectory_value"] == pytest.approx(15.0)
    assert out["target_status"] == expected


def test_lower_is_better_after_the_target_date():
    late = D(2024, 3, 31)
    kwargs = {"polarity": "lower", "baseline_value": 20.0, "target_value": 10.0, "period_end": late}
    # (changed with issue 13: judged by the value for the target's own period)
    assert assess(value=10.5, target_period_value=10.5, **kwargs)["target_status"] == "Not met"
    assert assess(value=9.5, target_period_value=9.5, **kwargs)["target_status"] == "Met"


# --- polarity "none": the direction is that from baseline to target ---------------------


def test_no_polarity_with_a_rising_target_judges_higher_as_better():
    # 40 -> 60: trajectory 50; 48.5 is 1.5 short (Slipping), 61 meets the target
    assert assess(polarity="none", value=48.5)["target_status"] == "Slipping"
    assert assess(polarity="none", value=61.0)["target_status"] == "Met"


def test_no_polarity_with_a_falling_target_judges_lower_as_better():
    # 20 -> 10: trajectory 15; 17 is 2 above it (> tolerance 1), 9 meets the target
    kwargs = {"polarity": "none", "baseline_value": 20.0, "target_value": 10.0, "tolerance": 1.0}
    assert assess(value=17.0, **kwargs)["target_status"] == "Off track"
    assert assess(value=9.0, **kwargs)["target_status"] == "Met"


def test_no_polarity_without_a_direction_cannot_be_assessed():
    # baseline equal to target: which side is better cannot be told -> null status
    assert assess(polarity="none", baseline_value=60.0, value=55.0)["target_status"] is None


def test_missing_baseline_still_decides_met_and_not_met_but_not_the_trajectory():
    assert assess(baseline_value=None, value=61.0)["target_status"] == "Met"
    late = assess(baseline_value=None, value=59.0, target_period_value=59.0, period_end=TARGET)
    assert late["target_status"] == "Not met"
    during = assess(baseline_value=None, value=59.0)
    assert during["trajectory_value"] is None
    assert during["target_status"] is None


def test_unknown_polarity_is_rejected():
    with pytest.raises(ValueError):
        assess(polarity="up")


# --- milestones -------------------------------------------------------------------------


MILESTONE_SCHEMA = {
    **SCHEMA,
    "milestones": pl.List(pl.Struct({"period_end": pl.Date, "value": pl.Float64})),
}


def test_milestones_change_the_trajectory_and_so_the_status():
    # Target 0 -> 12 over 1..31 Jan with a milestone of 10 on 21 Jan, observed 10.5 on 26 Jan.
    # With the milestone: trajectory 10 + 5/10·2 = 11, shortfall 0.5 <= tolerance 1 -> Slipping.
    # Without milestones: trajectory 25/30·12 = 10, 10.5 is above it -> On track.
    base = {
        "value": 10.5,
        "period_end": D(2023, 1, 26),
        "polarity": "higher",
        "baseline_period_end": BASELINE,
        "baseline_value": 0.0,
        "target_period_end": D(2023, 1, 31),
        "target_value": 12.0,
        "tolerance": 1.0,
    }
    rows = [
        {**base, "milestones": [{"period_end": D(2023, 1, 21), "value": 10.0}]},
        {**base, "milestones": None},
        {**base, "milestones": []},
    ]
    out = assess_against_target(pl.DataFrame(rows, schema=MILESTONE_SCHEMA))
    assert out["trajectory_value"].to_list() == pytest.approx([11.0, 10.0, 10.0])
    assert out["target_status"].to_list() == ["Slipping", "On track", "On track"]


def test_frame_with_mixed_rows_keeps_row_order_and_columns():
    rows = [
        {"value": 61.0, "milestones": None},
        {"value": 47.0, "milestones": [{"period_end": D(2023, 3, 1), "value": 45.0}]},
        {"value": 47.0, "milestones": None},
    ]
    full = []
    for r in rows:
        full.append(
            {
                "period_end": HALFWAY,
                "polarity": "higher",
                "baseline_period_end": BASELINE,
                "baseline_value": 40.0,
                "target_period_end": TARGET,
                "target_value": 60.0,
                "tolerance": 2.0,
                **r,
            }
        )
    frame = pl.DataFrame(full, schema=MILESTONE_SCHEMA)
    out = assess_against_target(frame)
    # row 2: milestone 45 on 1 Mar (day 59); halfway (day 50): 40 + 50/59·5 = 44.2373 -> On track
    # row 3: straight line 50; 47 is 3 short (> 2) -> Off track
    assert out.columns == [
        *frame.columns,
        "target_period_value",
        "target_judged_period",
        "trajectory_value",
        "target_status",
        "target_reason",
    ]
    assert out["trajectory_value"].to_list() == pytest.approx([50.0, 44.237288, 50.0], abs=1e-6)
    assert out["target_status"].to_list() == ["Met", "On track", "Off track"]


def test_an_all_null_milestones_column_is_the_same_as_none():
    # polars infers dtype Null for a column of nulls; the straight line (50) applies
    row = {
        "value": 50.0,
        "period_end": HALFWAY,
        "polarity": "higher",
        "baseline_period_end": BASELINE,
        "baseline_value": 40.0,
        "target_period_end": TARGET,
        "target_value": 60.0,
        "tolerance": None,
        "milestones": None,
    }
    out = assess_against_target(pl.DataFrame([row])).row(0, named=True)
    assert out["trajectory_value"] == pytest.approx(50.0)
    assert out["target_status"] == "On track"
