"""Specification of the recent trend: weighted regression on the last five points.

Unless stated otherwise each point has a 95% interval of value ± 1.959964, i.e.
SE = (upper - lower) / (2·1.959964) = 1 and weight w = 1/SE² = 1, so the weighted fit
is the ordinary one. With t = 0..4: tbar = 2 and sum(w·(t - tbar)²) = 4 + 1 + 0 + 1 + 4 = 10.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from warehouse.assessments import recent_trend

Z95 = 1.959964


def series(area, values, se=1.0, polarity="higher", indicator="ind", first_year=2015):
    """Long rows for one area, one period a year; ``se`` may be a list (None = no CI)."""
    ses = se if isinstance(se, list) else [se] * len(values)
    rows = []
    for i, (v, s) in enumerate(zip(values, ses, strict=True)):
        has_ci = v is not None and s is not None
        rows.append(
            {
                "indicator_id": indicator,
                "area_code": area,
                "period_start": dt.date(first_year + i, 4, 1),
                "value": v,
                "lower_ci_95": v - Z95 * s if has_ci else None,
                "upper_ci_95": v + Z95 * s if has_ci else None,
                "polarity": polarity,
            }
        )
    return rows


def trend_of(rows, **kwargs):
    frame = pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "area_code": pl.String,
            "period_start": pl.Date,
            "value": pl.Float64,
            "lower_ci_95": pl.Float64,
            "upper_ci_95": pl.Float64,
            "polarity": pl.String,
        },
    )
    return recent_trend(frame, **kwargs)


def one(rows, **kwargs):
    return trend_of(rows, **kwargs).row(0, named=True)


RISING = [10.0, 12.0, 14.0, 16.0, 18.0]
FALLING = [18.0, 16.0, 14.0, 12.0, 10.0]


def test_steady_rise_is_significant_and_robust():
    # y - ybar = -4, -2, 0, 2, 4 (ybar = 14)
    # slope = sum((t - 2)(y - 14)) / 10 = (8 + 2 + 0 + 2 + 8)/10 = 2
    # se(slope) = sqrt(1/10) = 0.316228, z = 2/0.316228 = 6.3246 > 3.090232
    # leave-one-out (slope stays 2): drop t=0 or t=4 -> sum = 5, z = 2·sqrt 5 = 4.47;
    # drop t=1 or t=3 -> sum = 8.75, z = 5.92; drop t=2 -> z = 6.32: all > 3.090232
    out = one(series("A", RISING))
    assert out["recent_trend"] == "Increasing and getting better"
    assert out["trend_slope"] == pytest.approx(2.0, abs=1e-9)
    assert out["trend_points"] == 5


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        (RISING, "higher", "Increasing and getting better"),
        (RISING, "lower", "Increasing and getting worse"),
        (RISING, "none", "Increasing"),
        (FALLING, "higher", "Decreasing and getting worse"),
        (FALLING, "lower", "Decreasing and getting better"),
        (FALLING, "none", "Decreasing"),
    ],
)
def test_direction_is_named_by_polarity(values, polarity, expected):
    out = one(series("A", values, polarity=polarity))
    assert out["recent_trend"] == expected
    assert out["trend_slope"] == pytest.approx(2.0 if values is RISING else -2.0, abs=1e-9)


def test_change_significant_at_95_but_not_99_8_percent_is_no_significant_change():
    # values 10, 10.8, 11.6, 12.4, 13.2: slope 0.8, z = 0.8·sqrt 10 = 2.53
    # 1.96 < 2.53 <= 3.090232 -> not significant at 99.8%
    out = one(series("A", [10.0, 10.8, 11.6, 12.4, 13.2]))
    assert out["trend_slope"] == pytest.approx(0.8, abs=1e-9)
    assert out["recent_trend"] == "No significant change"


def test_significance_resting_on_one_outlier_is_no_significant_change():
    # values 10, 10, 10, 10, 20: ybar = 12,
    # slope = ((-2)(-2) + (-1)(-2) + 0 + (1)(-2) + (2)(8)) / 10 = 20/10 = 2, z = 6.32 > 3.09
    # (chi-square 40 > 9.5495), but leaving out the last point gives 10, 10, 10, 10:
    # slope 0, which does not keep the sign -> not robust: one point made it significant
    out = one(series("A", [10.0, 10.0, 10.0, 10.0, 20.0]))
    assert out["trend_slope"] == pytest.approx(2.0, abs=1e-9)
    assert out["recent_trend"] == "No significant change"


def test_five_points_10_to_14_lower_is_better_is_increasing_and_getting_worse():
    # Changed with issue 13 (the Fingertips rule): this pinned the stricter rule
    # ("No significant change" because a left-out fit was not itself significant).
    # values 10..14, SE 1 (w = 1): slope = sum((t - 2)(y - 12))/10 = (4+1+0+1+4)/10 = 1
    # se(slope) = sqrt(1/10), z = sqrt 10 = 3.1623, chi-square = z² = 10 > 9.5495
    # leave-one-out slopes: the remaining points still lie on y = 10 + t, so each
    # slope is 1 (> 0, the same sign); under the old rule leaving out t=0 gave
    # sum(w(t - 2.5)²) = 2.25 + 0.25 + 0.25 + 2.25 = 5, z = sqrt 5 = 2.236 < 3.09.
    out = one(series("A", [10.0, 11.0, 12.0, 13.0, 14.0], polarity="lower"))
    assert out["trend_slope"] == pytest.approx(1.0, abs=1e-9)
    assert out["recent_trend"] == "Increasing and getting worse"


def test_chi_square_just_below_the_99_8_point_is_no_significant_change():
    # values 10, 10.97, 11.94, 12.91, 13.88 (slope 0.97), SE 1:
    # chi-square = 0.97² · 10 = 9.409 < 9.5495 -> not significant
    out = one(series("A", [10.0, 10.97, 11.94, 12.91, 13.88]))
    assert out["trend_slope"] == pytest.approx(0.97, abs=1e-9)
    assert out["recent_trend"] == "No significant change"


def test_flat_series_is_no_significant_change():
    # five equal values: every y - ybar = 0, slope 0, chi-square 0 < 9.5495
    out = one(series("A", [20.0, 20.0, 20.0, 20.0, 20.0]))
    assert out["trend_slope"] == pytest.approx(0.0, abs=1e-12)
    assert out["recent_trend"] == "No significant change"


def test_a_left_out_slope_of_the_other_sign_is_not_robust():
    # values 14, 10, 10, 10, 30 (SE 1): ybar = 14,
    # slope = ((-2)(0) + (-1)(-4) + 0 + (1)(-4) + (2)(16))/10 = 32/10 = 3.2,
    # chi-square = 3.2² · 10 = 102.4 > 9.5495; leaving out t=4 leaves 14, 10, 10, 10 at
    # t = 0..3: tbar 1.5, ybar 11, sum((t - 1.5)(y - 11)) = (-1.5)(3) + (-0.5)(-1)
    # + (0.5)(-1) + (1.5)(-1) = -4.5 + 0.5 - 0.5 - 1.5 = -6 -> slope -6/5 = -1.2 < 0
    out = one(series("A", [14.0, 10.0, 10.0, 10.0, 30.0]))
    assert out["trend_slope"] == pytest.approx(3.2, abs=1e-9)
    assert out["recent_trend"] == "No significant change"


def quarterly(rows, frequency="financial_quarter"):
    frame = pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "area_code": pl.String,
            "period_start": pl.Date,
            "value": pl.Float64,
            "lower_ci_95": pl.Float64,
            "upper_ci_95": pl.Float64,
            "polarity": pl.String,
        },
    ).with_columns(frequency=pl.lit(frequency))
    return recent_trend(frame).row(0, named=True)


@pytest.mark.parametrize("frequency", ["financial_quarter", "calendar_quarter"])
def test_quarterly_series_is_not_trended(frequency):
    # RISING would be "Increasing and getting better" as an annual series (see above);
    # quarterly data are not trended at all, because seasonality fakes trends.
    out = quarterly(series("A", RISING), frequency)
    assert out["recent_trend"] == "Cannot be calculated: quarterly data"
    assert out["trend_slope"] is None


def test_annual_series_with_a_frequency_column_is_trended():
    out = quarterly(series("A", RISING), "financial_year")
    assert out["recent_trend"] == "Increasing and getting better"


def test_points_are_weighted_by_inverse_variance():
    # values 10, 14, 12, 16, 18 with SE 1, 2, 1, 2, 1 -> w = 1, 0.25, 1, 0.25, 1 (sum 3.5)
    # tbar = (0 + 0.25 + 2 + 0.75 + 4)/3.5 = 2
    # sum(w(t - 2)²) = 4 + 0.25 + 0 + 0.25 + 4 = 8.5
    # sum(w(t - 2)y) = -20 - 3.5 + 0 + 4 + 36 = 16.5 -> slope = 16.5/8.5 = 1.941176
    # (unweighted it would be 18/10 = 1.8); z = 1.941176·sqrt 8.5 = 5.659 > 3.09, but
    # leaving out t=4: tbar = 3/2.5 = 1.2, sum(w(t - 1.2)²) = 1.44 + 0.01 + 0.64 + 0.81 = 2.9,
    # sum(w(t - 1.2)y) = -12 - 0.7 + 9.6 + 7.2 = 4.1, slope 1.413793, z = 1.413793·sqrt 2.9
    # = 2.408: under the old rule (every left-out fit significant) this was "No significant
    # change"; changed with issue 13: the Fingertips rule asks only that every left-out
    # slope keeps the sign. Chi-square 5.659² = 32.03 > 9.5495; the left-out slopes
    # (numerators sum(w(t - tbar)y) with that fit's tbar):
    # drop t=0: w 0.25, 1, 0.25, 1 at t 1..4, tbar = 7.25/2.5 = 2.9,
    #   (-1.9)(0.25)(14) + (-0.9)(12) + (0.1)(0.25)(16) + (1.1)(18) = -6.65 - 10.8 + 0.4
    #   + 19.8 = 2.75 > 0;
    # drop t=1 (w 1, 1, 0.25, 1 at t 0, 2, 3, 4; tbar = 6.75/3.25 = 2.0769):
    #   (-2.0769)(10) + (-0.0769)(12) + (0.9231)(0.25)(16) + (1.9231)(18) > 0 (= 17.23);
    # drop t=2 (w 1, 0.25, 0.25, 1 at 0, 1, 3, 4; tbar = 5/2.5 = 2):
    #   (-2)(10) + (-1)(0.25)(14) + (1)(0.25)(16) + (2)(18) = -20 - 3.5 + 4 + 36 = 16.5 > 0;
    # drop t=3 (w 1, 0.25, 1, 1 at 0, 1, 2, 4; tbar = 6.25/3.25 = 1.9231):
    #   (-1.9231)(10) + (-0.9231)(0.25)(14) + (0.0769)(12) + (2.0769)(18) > 0 (= 15.85);
    # drop t=4: 4.1 > 0 (above). All positive -> significant.
    out = one(series("A", [10.0, 14.0, 12.0, 16.0, 18.0], se=[1.0, 2.0, 1.0, 2.0, 1.0]))
    assert out["trend_slope"] == pytest.approx(1.941176, abs=1e-6)
    assert out["recent_trend"] == "Increasing and getting better"


def test_only_the_last_five_periods_are_used():
    # a long flat history followed by five rising points: still slope 2 on the last five;
    # a long rise followed by five flat points: slope 0
    rising_late = series("A", [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, *RISING])
    flat_late = series("B", [0.0, 5.0, 10.0, 15.0, 20.0, 20.0, 20.0, 20.0, 20.0, 20.0])
    out = trend_of(rising_late + flat_late)
    assert out["recent_trend"].to_list() == [
        "Increasing and getting better",
        "No significant change",
    ]
    assert out["trend_slope"].to_list() == pytest.approx([2.0, 0.0], abs=1e-9)


def test_rows_may_arrive_in_any_order():
    rows = series("A", RISING)
    shuffled = [rows[i] for i in (3, 0, 4, 1, 2)]
    assert one(shuffled)["trend_slope"] == pytest.approx(2.0, abs=1e-9)


def test_fewer_than_five_points_cannot_be_calculated():
    out = one(series("A", [10.0, 12.0, 14.0, 16.0]))
    assert out["recent_trend"] == "Cannot be calculated"
    assert out["trend_slope"] is None
    assert out["trend_points"] == 4


def test_a_missing_value_or_ci_in_the_window_cannot_be_calculated():
    missing_value = series("A", [10.0, 12.0, None, 16.0, 18.0])
    missing_ci = series("B", RISING, se=[1.0, 1.0, None, 1.0, 1.0])
    out = trend_of(missing_value + missing_ci)
    assert out["recent_trend"].to_list() == ["Cannot be calculated"] * 2
    assert out["trend_points"].to_list() == [4, 4]


def test_a_gap_older_than_the_window_does_not_matter():
    out = one(series("A", [None, *RISING]))
    assert out["recent_trend"] == "Increasing and getting better"


def test_zero_standard_error_cannot_be_calculated():
    # lower == upper -> SE = 0 -> weight 1/0 undefined
    out = one(series("A", RISING, se=[1.0, 1.0, 0.0, 1.0, 1.0]))
    assert out["recent_trend"] == "Cannot be calculated"
    assert out["trend_points"] == 4


def test_window_length_can_be_changed_but_not_below_three():
    # four points with points=4: slope 2, sum(w(t - 1.5)²) = 2.25 + 0.25 + 0.25 + 2.25 = 5,
    # z = 2·sqrt 5 = 4.47, chi-square 20 > 9.5495; every left-out fit is still the line
    # y = 10 + 2t (slope 2 > 0). Changed with issue 13: the old rule wanted each left-out
    # z above 3.09 (drop t=0 gave z = 2·sqrt 2 = 2.83) and said "No significant change".
    out = one(series("A", [10.0, 12.0, 14.0, 16.0]), points=4)
    assert out["trend_points"] == 4
    assert out["trend_slope"] == pytest.approx(2.0, abs=1e-9)
    assert out["recent_trend"] == "Increasing and getting better"
    with pytest.raises(ValueError):
        one(series("A", RISING), points=2)


def test_one_row_per_indicator_and_area():
    rows = (
        series("A", RISING)
        + series("A", FALLING, indicator="other", polarity="lower")
        + series("B", [10.0, 12.0])
    )
    out = trend_of(rows)
    assert out.columns == [
        "indicator_id",
        "area_code",
        "recent_trend",
        "trend_slope",
        "trend_points",
    ]
    assert out.select("indicator_id", "area_code").rows() == [
        ("ind", "A"),
        ("ind", "B"),
        ("other", "A"),
    ]
    assert out["recent_trend"].to_list() == [
        "Increasing and getting better",
        "Cannot be calculated",
        "Decreasing and getting better",
    ]


def test_matches_a_direct_weighted_fit_on_many_groups():
    # On 100,000 groups x 6 periods the vectorised slopes must equal
    # a direct numpy weighted least-squares fit of the last five points.
    rng = np.random.default_rng(0)
    groups, periods = 100_000, 6
    values = rng.normal(50.0, 5.0, groups * periods) + np.tile(np.arange(periods), groups) * 3.0
    half_width = rng.uniform(1.0, 4.0, groups * periods)
    frame = pl.DataFrame(
        {
            "indicator_id": np.repeat(np.arange(groups) % 7, periods).astype(str),
            "area_code": np.repeat(np.arange(groups) // 7, periods).astype(str),
            "year": np.tile(np.arange(periods), groups) + 2010,
            "value": values,
            "lower_ci_95": values - half_width,
            "upper_ci_95": values + half_width,
            "polarity": "higher",
        }
    ).with_columns(period_start=pl.date(pl.col("year"), 1, 1))
    out = recent_trend(frame)
    assert out.height == groups

    t = np.arange(5.0)
    for group in (0, 12_345, groups - 1):
        last5 = frame.slice(group * periods, periods).tail(5)
        se = (last5["upper_ci_95"] - last5["lower_ci_95"]).to_numpy() / (2 * Z95)
        w, y = 1.0 / se**2, last5["value"].to_numpy()
        tbar = (w * t).sum() / w.sum()
        slope = (w * (t - tbar) * y).sum() / (w * (t - tbar) ** 2).sum()
        key = (str(group % 7), str(group // 7))
        row = out.filter(pl.col("indicator_id") == key[0], pl.col("area_code") == key[1])
        assert row["trend_slope"][0] == pytest.approx(slope, rel=1e-9)
