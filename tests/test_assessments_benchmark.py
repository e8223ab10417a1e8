"""Specification of the comparison of an area with a benchmark by confidence interval."""

import polars as pl
import pytest

from warehouse.assessments import compare_with_benchmark

SCHEMA = {
    "value": pl.Float64,
    "lower_ci_95": pl.Float64,
    "upper_ci_95": pl.Float64,
    "lower_ci_99_8": pl.Float64,
    "upper_ci_99_8": pl.Float64,
    "benchmark_value": pl.Float64,
    "polarity": pl.String,
}


def compare(value, ci_95, ci_99_8=(None, None), benchmark=50.0, polarity="higher", **kwargs):
    row = {
        "value": value,
        "lower_ci_95": ci_95[0],
        "upper_ci_95": ci_95[1],
        "lower_ci_99_8": ci_99_8[0],
        "upper_ci_99_8": ci_99_8[1],
        "benchmark_value": benchmark,
        "polarity": polarity,
    }
    out = compare_with_benchmark(pl.DataFrame([row], schema=SCHEMA), **kwargs)
    return out[kwargs.get("column", "comparison")][0]


# Benchmark (England) value 50 throughout.


@pytest.mark.parametrize(
    ("polarity", "above", "below"),
    [
        ("higher", "Better", "Worse"),
        ("lower", "Worse", "Better"),
        ("none", "Higher", "Lower"),
        (None, "Higher", "Lower"),
    ],
)
def test_interval_wholly_above_or_below_the_benchmark(polarity, above, below):
    # 52 .. 58 lies wholly above 50; 42 .. 48 lies wholly below 50
    assert compare(55.0, (52.0, 58.0), polarity=polarity) == above
    assert compare(45.0, (42.0, 48.0), polarity=polarity) == below


@pytest.mark.parametrize("polarity", ["higher", "lower", "none"])
def test_interval_containing_the_benchmark_is_similar(polarity):
    # 45 .. 55 contains 50
    assert compare(50.5, (45.0, 55.0), polarity=polarity) == "Similar"


def test_interval_touching_the_benchmark_is_similar():
    # lower bound equal to 50 is not "wholly above"; upper bound equal to 50 not "wholly below"
    assert compare(53.0, (50.0, 56.0)) == "Similar"
    assert compare(47.0, (44.0, 50.0)) == "Similar"


def test_value_outside_the_interval_does_not_matter_only_the_interval():
    # value 60 is above 50 but its interval 49 .. 71 overlaps it
    assert compare(60.0, (49.0, 71.0)) == "Similar"


def test_the_99_8_level_uses_the_wider_interval():
    # 95%: 51 .. 59 is above 50 -> Better; 99.8%: 49 .. 61 overlaps 50 -> Similar
    ci_95, ci_99_8 = (51.0, 59.0), (49.0, 61.0)
    assert compare(55.0, ci_95, ci_99_8, confidence=0.95) == "Better"
    assert compare(55.0, ci_95, ci_99_8, confidence=0.998) == "Similar"
    # 99.8%: 50.5 .. 61 is still above 50 -> Better
    assert compare(55.0, ci_95, (50.5, 61.0), confidence=0.998) == "Better"


@pytest.mark.parametrize(
    ("value", "ci_95", "benchmark"),
    [
        (None, (52.0, 58.0), 50.0),  # no value
        (55.0, (None, None), 50.0),  # no interval
        (55.0, (52.0, None), 50.0),  # half an interval
        (55.0, (float("nan"), 58.0), 50.0),  # NaN bound counts as missing
        (55.0, (52.0, 58.0), None),  # no benchmark
    ],
)
def test_missing_inputs_are_not_compared(value, ci_95, benchmark):
    assert compare(value, ci_95, benchmark=benchmark) == "Not compared"


def test_missing_99_8_interval_is_not_compared_at_that_level_only():
    assert compare(55.0, (52.0, 58.0), confidence=0.95) == "Better"
    assert compare(55.0, (52.0, 58.0), confidence=0.998) == "Not compared"


def test_column_name_can_be_chosen():
    assert compare(55.0, (52.0, 58.0), column="compared_to_england") == "Better"


@pytest.mark.parametrize("confidence", [0.9, 0.99, 95])
def test_only_95_and_99_8_percent_are_allowed(confidence):
    with pytest.raises(ValueError, match="0.95 or 0.998"):
        compare(55.0, (52.0, 58.0), confidence=confidence)


def test_unknown_polarity_is_rejected():
    with pytest.raises(ValueError):
        compare(55.0, (52.0, 58.0), polarity="good")


def test_many_rows_are_compared_row_by_row():
    frame = pl.DataFrame(
        {
            "value": [55.0, 45.0, 50.0, None],
            "lower_ci_95": [52.0, 42.0, 45.0, None],
            "upper_ci_95": [58.0, 48.0, 55.0, None],
            "lower_ci_99_8": [None] * 4,
            "upper_ci_99_8": [None] * 4,
            "benchmark_value": [50.0, 50.0, 50.0, 50.0],
            "polarity": ["lower", "lower", "higher", "higher"],
        },
        schema=SCHEMA,
    )
    out = compare_with_benchmark(frame)
    assert out.columns == [*frame.columns, "comparison"]
    assert out["comparison"].to_list() == ["Worse", "Better", "Similar", "Not compared"]
