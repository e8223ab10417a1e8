"""Specification of confidence intervals computed from a count and a denominator."""

import math

import numpy as np
import polars as pl
import pytest

from warehouse.assessments import byar_interval, fill_missing_intervals, wilson_interval
from warehouse.assessments.intervals import dobson_rates, scaled_count_interval

TIGHT = 1e-4


# --- Wilson score interval for proportions ----------------------------------------------


def test_wilson_95_for_30_out_of_100():
    # p = 30/100 = 0.3, n = 100, z = 1.959964, z² = 3.841459
    # centre = (p + z²/2n) / (1 + z²/n) = (0.3 + 0.0192073) / 1.0384146 = 0.3073987
    # half   = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n)
    #        = 1.959964·sqrt(0.0021 + 0.00009604) / 1.0384146 = 0.0884498
    # -> 0.2189489 .. 0.3958485, times 100 -> 21.8949 .. 39.5849 (%)
    lower, upper = wilson_interval(30, 100)
    assert lower == pytest.approx(21.89489, abs=TIGHT)
    assert upper == pytest.approx(39.58485, abs=TIGHT)


def test_wilson_99_8_for_30_out_of_100():
    # z = 3.090232, z² = 9.549534
    # centre = (0.3 + 0.0477477) / 1.0954953 = 0.3174342
    # half   = 3.090232·sqrt(0.0021 + 0.00023874) / 1.0954953 = 0.1364179
    # -> 18.1016 .. 45.3852 (%)
    lower, upper = wilson_interval(30, 100, confidence=0.998)
    assert lower == pytest.approx(18.10163, abs=TIGHT)
    assert upper == pytest.approx(45.38521, abs=TIGHT)


def test_wilson_zero_count_has_lower_limit_zero():
    # p = 0: lower = 0; upper = z²/(n + z²) = 3.841459/53.841459 = 0.0713476 -> 7.1348%
    lower, upper = wilson_interval(0, 50)
    assert lower == 0.0
    assert upper == pytest.approx(7.13476, abs=TIGHT)


def test_wilson_count_equal_to_denominator_has_upper_limit_100_percent():
    # p = 1: lower = n/(n + z²) = 50/53.841459 = 0.9286524 -> 92.8652%; upper = 100%
    lower, upper = wilson_interval(50, 50)
    assert lower == pytest.approx(92.86524, abs=TIGHT)
    assert upper == 100.0


def test_wilson_multiplier_scales_the_limits():
    # same as 30/100 but per 1,000 instead of per cent
    lower, upper = wilson_interval(30, 100, multiplier=1000.0)
    assert (lower, upper) == pytest.approx((218.9489, 395.8485), abs=1e-3)


@pytest.mark.parametrize(
    ("count", "denominator"),
    [(5, 0), (5, -1), (11, 10), (-1, 10), (math.nan, 10), (5, math.nan)],
)
def test_wilson_is_undefined_for_impossible_inputs(count, denominator):
    lower, upper = wilson_interval(count, denominator)
    assert math.isnan(lower) and math.isnan(upper)


def test_wilson_is_vectorised_over_polars_series_with_nulls():
    lower, upper = wilson_interval(pl.Series([30, 0, None]), pl.Series([100, 50, 10]))
    assert isinstance(lower, np.ndarray)
    assert lower[:2] == pytest.approx([21.89489, 0.0], abs=TIGHT)
    assert upper[:2] == pytest.approx([39.58485, 7.13476], abs=TIGHT)
    assert math.isnan(lower[2]) and math.isnan(upper[2])


# --- Rates: Byar's approximation (count >= 10) and exact Poisson (count < 10) -----------


def test_exact_poisson_for_zero_events():
    # lower = 0 by definition; upper = chi2.ppf(0.975, 2)/2 = -ln(0.025) = 3.688879
    lower, upper = byar_interval(0, 1, multiplier=1.0)
    assert lower == 0.0
    assert upper == pytest.approx(3.688879, abs=1e-6)


def test_exact_poisson_for_five_events_matches_published_table():
    # lower = chi2.ppf(0.025, 10)/2 = 3.246973/2 = 1.623486
    # upper = chi2.ppf(0.975, 12)/2 = 23.336664/2 = 11.668332
    # (published exact Poisson limits for 5 events: 1.6235 .. 11.6683)
    lower, upper = byar_interval(5, 1, multiplier=1.0)
    assert lower == pytest.approx(1.623486, abs=1e-6)
    assert upper == pytest.approx(11.668332, abs=1e-6)


def test_exact_poisson_is_used_for_nine_events():
    # lower = chi2.ppf(0.025, 18)/2 = 8.230746/2 = 4.115373
    # upper = chi2.ppf(0.975, 20)/2 = 34.169607/2 = 17.084803 (published 4.1150 .. 17.0848)
    lower, upper = byar_interval(9, 1, multiplier=1.0)
    assert lower == pytest.approx(4.115373, abs=1e-6)
    assert upper == pytest.approx(17.084803, abs=1e-6)


def test_byar_is_used_from_ten_events():
    # Byar, O = 10, z = 1.959964:
    # lower = 10·(1 - 1/90 - 1.959964/(3·sqrt 10))³ = 10·0.7822905³ = 4.787450
    # upper = 11·(1 - 1/99 + 1.959964/(3·sqrt 11))³ = 11·1.1868828³ = 18.391459
    # (the exact limits would be 4.795389 .. 18.390356, so Byar is distinguishable)
    lower, upper = byar_interval(10, 1, multiplier=1.0)
    assert lower == pytest.approx(4.787450, abs=1e-6)
    assert upper == pytest.approx(18.391459, abs=1e-6)
    assert lower != pytest.approx(4.795389, abs=1e-4)


def test_byar_rate_per_100000():
    # 50 deaths in a population of 20,000 -> 250 per 100,000
    # lower = 50·(1 - 1/450 - 1.959964/(3·sqrt 50))³ = 50·0.9053842³ = 37.108100
    # upper = 51·(1 - 1/459 + 1.959964/(3·sqrt 51))³ = 51·1.0893046³ = 65.920157
    # per 100,000: 37.108100/20000·1e5 = 185.5405 ; 65.920157/20000·1e5 = 329.6008
    lower, upper = byar_interval(50, 20000)
    assert lower == pytest.approx(185.5405, abs=TIGHT)
    assert upper == pytest.approx(329.6008, abs=TIGHT)


def test_rate_intervals_are_vectorised_and_undefined_without_a_denominator():
    # 0 and 5 events per 1,000 people, per 100,000: 0 .. 368.8879 and 162.3486 .. 1166.8332
    lower, upper = byar_interval(np.array([0, 5, 50, 5]), np.array([1000, 1000, 0, np.nan]))
    assert lower[:2] == pytest.approx([0.0, 162.3486], abs=TIGHT)
    assert upper[:2] == pytest.approx([368.8879, 1166.8332], abs=TIGHT)
    assert np.isnan(lower[2:]).all() and np.isnan(upper[2:]).all()


def test_confidence_outside_zero_one_is_rejected():
    with pytest.raises(ValueError):
        byar_interval(5, 1, confidence=95)


# --- Filling missing intervals in a frame ------------------------------------------------


def _frame(**overrides):
    row = {
        "value": 30.0,
        "lower_ci_95": None,
        "upper_ci_95": None,
        "lower_ci_99_8": None,
        "upper_ci_99_8": None,
        "count": 30,
        "denominator": 100,
        "value_type": "proportion",
        "multiplier": 100.0,
    }
    rows = [{**row, **o} for o in overrides.get("rows", [{}])]
    return pl.DataFrame(
        rows,
        schema={
            "value": pl.Float64,
            "lower_ci_95": pl.Float64,
            "upper_ci_95": pl.Float64,
            "lower_ci_99_8": pl.Float64,
            "upper_ci_99_8": pl.Float64,
            "count": pl.Int64,
            "denominator": pl.Int64,
            "value_type": pl.String,
            "multiplier": pl.Float64,
        },
    )


def test_missing_proportion_intervals_are_computed_at_both_levels():
    # 30/100 as a percentage: 95% 21.8949 .. 39.5849; 99.8% 18.1016 .. 45.3852 (see above)
    out = fill_missing_intervals(_frame()).row(0, named=True)
    assert out["lower_ci_95"] == pytest.approx(21.89489, abs=TIGHT)
    assert out["upper_ci_95"] == pytest.approx(39.58485, abs=TIGHT)
    assert out["lower_ci_99_8"] == pytest.approx(18.10163, abs=TIGHT)
    assert out["upper_ci_99_8"] == pytest.approx(45.38521, abs=TIGHT)
    assert out["ci_computed"] is True


def test_missing_rate_intervals_use_byar_and_the_row_multiplier():
    # 50 / 20,000 per 100,000 -> 95% 185.5405 .. 329.6008 (see test_byar_rate_per_100000)
    frame = _frame(
        rows=[
            {
                "value": 250.0,
                "count": 50,
                "denominator": 20000,
                "value_type": "rate",
                "multiplier": 100000.0,
            }
        ]
    )
    out = fill_missing_intervals(frame).row(0, named=True)
    assert (out["lower_ci_95"], out["upper_ci_95"]) == pytest.approx(
        (185.5405, 329.6008), abs=TIGHT
    )
    assert out["ci_computed"] is True


def test_value_type_is_matched_case_insensitively():
    out = fill_missing_intervals(_frame(rows=[{"value_type": "Proportion"}]))
    assert out["lower_ci_95"][0] == pytest.approx(21.89489, abs=TIGHT)


def test_published_intervals_are_never_overwritten():
    # 95% published (25 .. 35) is kept although Wilson would give 21.89 .. 39.58;
    # the missing 99.8% pair is still filled, so the row counts as computed.
    frame = _frame(rows=[{"lower_ci_95": 25.0, "upper_ci_95": 35.0}])
    out = fill_missing_intervals(frame).row(0, named=True)
    assert (out["lower_ci_95"], out["upper_ci_95"]) == (25.0, 35.0)
    assert out["lower_ci_99_8"] == pytest.approx(18.10163, abs=TIGHT)
    assert out["ci_computed"] is True


def test_fully_published_row_is_not_marked_computed():
    frame = _frame(
        rows=[
            {"lower_ci_95": 25.0, "upper_ci_95": 35.0, "lower_ci_99_8": 20.0, "upper_ci_99_8": 40.0}
        ]
    )
    out = fill_missing_intervals(frame).row(0, named=True)
    assert (out["lower_ci_99_8"], out["upper_ci_99_8"]) == (20.0, 40.0)
    assert out["ci_computed"] is False


def test_half_published_pair_is_left_as_it_is():
    frame = _frame(rows=[{"lower_ci_95": 25.0}])
    out = fill_missing_intervals(frame).row(0, named=True)
    assert out["lower_ci_95"] == 25.0
    assert out["upper_ci_95"] is None


@pytest.mark.parametrize(
    "row",
    [
        {"count": None},
        {"denominator": None},
        {"denominator": 0},
        {"multiplier": None},
        {"value_type": "ratio"},
        {"value_type": None},
        {"count": 101},  # more people with the outcome than at risk
    ],
)
def test_intervals_stay_null_when_they_cannot_be_computed(row):
    out = fill_missing_intervals(_frame(rows=[row])).row(0, named=True)
    assert out["lower_ci_95"] is None and out["upper_ci_95"] is None
    assert out["lower_ci_99_8"] is None and out["upper_ci_99_8"] is None
    assert out["ci_computed"] is False


def test_zero_count_rate_gets_exact_interval_from_zero():
    # 0 events in 2,000 people per 100,000: upper = 3.688879/2000·1e5 = 184.4440
    frame = _frame(
        rows=[
            {
                "value": 0.0,
                "count": 0,
                "denominator": 2000,
                "value_type": "rate",
                "multiplier": 100000.0,
            }
        ]
    )
    out = fill_missing_intervals(frame).row(0, named=True)
    assert out["lower_ci_95"] == 0.0
    assert out["upper_ci_95"] == pytest.approx(184.4440, abs=TIGHT)


def test_rows_and_other_columns_are_preserved():
    frame = _frame(rows=[{}, {"value_type": "ratio"}]).with_columns(pl.lit("x").alias("extra"))
    out = fill_missing_intervals(frame)
    assert out.columns == [*frame.columns, "ci_computed", "ci_method"]
    assert out["ci_computed"].to_list() == [True, False]


# --- standardised rates (issue 13) --------------------------------------------------------
# Byar's bounds of a count O with z = 1.959964, worked by hand:
# O = 240: lower = 240 (1 - 1/2160 - 1.959964/(3·15.4919334))³ = 240 (1 - 0.000462963
#   - 0.0421717)³ = 240 · 0.9573653³ = 240 · 0.8774717 = 210.5932
#   upper = 241 (1 - 1/2169 + 1.959964/(3·15.5241747))³ = 241 (1 - 0.000461042
#   + 0.0420841)³ = 241 · 1.0416231³ = 241 · 1.1301391 = 272.3635


def test_standardised_rate_without_age_bands_scales_the_value_by_the_count_bounds():
    # The case: DSR 550 per 100,000 from 240 events in 20,000 people.
    # 550 · 210.5932/240 = 482.609, 550 · 272.3635/240 = 624.166 (contains 550);
    # the crude interval around 240/20,000 would be 1,053 .. 1,362 (not containing 550).
    frame = _frame(
        rows=[
            {
                "value": 550.0,
                "count": 240,
                "denominator": 20000,
                "value_type": "directly standardised rate",
                "multiplier": 100000.0,
            }
        ]
    )
    out = fill_missing_intervals(frame).row(0, named=True)
    assert out["lower_ci_95"] == pytest.approx(482.609, abs=1e-2)
    assert out["upper_ci_95"] == pytest.approx(624.166, abs=1e-2)
    assert out["lower_ci_95"] < 550.0 < out["upper_ci_95"]
    assert out["ci_method"] == "Byar bounds of the count, scaled to the standardised value"
    assert out["ci_computed"] is True


def test_standardised_rate_needs_no_denominator():
    frame = _frame(
        rows=[
            {
                "value": 550.0,
                "count": 240,
                "denominator": None,
                "value_type": "directly standardised rate",
                "multiplier": 100000.0,
            }
        ]
    )
    out = fill_missing_intervals(frame).row(0, named=True)
    assert out["lower_ci_95"] == pytest.approx(482.609, abs=1e-2)


def test_indirectly_standardised_ratio_scales_the_same_way():
    # SMR 120 from 240 observed deaths: 120 · 210.5932/240 = 105.297, 120 · 272.3635/240
    # = 136.182
    lower, upper = scaled_count_interval(120.0, 240.0)
    assert lower == pytest.approx(105.297, abs=1e-2)
    assert upper == pytest.approx(136.182, abs=1e-2)


def test_methods_are_named_row_by_row():
    frame = _frame(
        rows=[
            {},  # proportion 30/100 -> Wilson
            {"value_type": "rate", "multiplier": 100000.0, "count": 30, "denominator": 1000},
            {"value_type": "rate", "multiplier": 100000.0, "count": 5, "denominator": 1000},
            {
                "lower_ci_95": 25.0,
                "upper_ci_95": 35.0,
                "lower_ci_99_8": 20.0,
                "upper_ci_99_8": 40.0,
            },
            {"value_type": "ratio"},
        ]
    )
    assert fill_missing_intervals(frame)["ci_method"].to_list() == [
        "Wilson score",
        "Byar",
        "Exact Poisson",
        "Published with the data",
        None,
    ]


def test_dobson_interval_from_age_bands():
    # Two bands: 10 events in 1,000 people (standard population 60,000) and 40 in 2,000
    # (standard 40,000), so weights w = 0.6 and 0.4.
    # DSR = 0.6·10/1000 + 0.4·40/2000 = 0.006 + 0.008 = 0.014 -> 1,400 per 100,000
    # var = 0.36·10/1000² + 0.16·40/2000² = 3.6e-6 + 1.6e-6 = 5.2e-6; O = 50
    # sqrt(var/O) = sqrt(1.04e-7) = 3.224903e-4
    # Byar O = 50: lower = 50 (1 - 1/450 - 1.959964/(3·7.0710678))³ = 50 · 0.9053843³
    #   = 37.1081; upper = 51 (1 - 1/459 + 1.959964/(3·7.1414284))³ = 51 · 1.089305³ = 65.9202
    # lower = 0.014 + 3.224903e-4 (37.1081 - 50) = 0.0098425 -> 984.25
    # upper = 0.014 + 3.224903e-4 (65.9202 - 50) = 0.0191341 -> 1,913.41
    bands = pl.DataFrame(
        {
            "area_code": ["A", "A"],
            "count": [10, 40],
            "population": [1000, 2000],
            "standard_population": [60000, 40000],
        }
    )
    out = dobson_rates(bands, by=["area_code"]).row(0, named=True)
    assert out["value"] == pytest.approx(1400.0, abs=1e-9)
    assert out["count"] == 50
    assert out["lower_ci_95"] == pytest.approx(984.25, abs=1e-2)
    assert out["upper_ci_95"] == pytest.approx(1913.41, abs=1e-2)
    assert out["lower_ci_99_8"] < out["lower_ci_95"] < 1400.0 < out["upper_ci_95"]
    assert out["ci_method"] == "Dobson (from age bands)"
