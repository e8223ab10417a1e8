"""Specification of exception flags and of 'most improved among statistical neighbours'."""

import polars as pl
import pytest

from warehouse.assessments import flag_exceptions, most_improved_among_neighbours


@pytest.mark.parametrize(
    ("compared", "trend", "expected"),
    [
        ("Worse", "Increasing and getting worse", "Red-red"),
        ("Worse", "Decreasing and getting worse", "Red-red"),
        ("Better", "Increasing and getting better", "Green flag"),
        ("Better", "Decreasing and getting better", "Green flag"),
        # worse than England but improving, or better but deteriorating: no flag
        ("Worse", "Increasing and getting better", None),
        ("Better", "Decreasing and getting worse", None),
        # no judgement either way
        ("Similar", "Increasing and getting worse", None),
        ("Worse", "No significant change", None),
        ("Worse", "Cannot be calculated", None),
        ("Higher", "Increasing", None),
        ("Lower", "Decreasing", None),
        ("Not compared", "Decreasing and getting worse", None),
        (None, "Increasing and getting worse", None),
        ("Worse", None, None),
    ],
)
def test_flags_combine_comparison_and_trend(compared, trend, expected):
    frame = pl.DataFrame(
        {"compared_to_england": [compared], "recent_trend": [trend]},
        schema={"compared_to_england": pl.String, "recent_trend": pl.String},
    )
    out = flag_exceptions(frame)
    assert out.columns == ["compared_to_england", "recent_trend", "exception"]
    assert out["exception"][0] == expected


# Neighbour groups: A's neighbours are B and C; B's is A; C's are A and B; D has none with data.
NEIGHBOURS = pl.DataFrame(
    {
        "area_code": ["A", "A", "B", "C", "C", "D"],
        "neighbour_code": ["B", "C", "A", "A", "B", "E"],
    }
)


def changes(rows):
    return pl.DataFrame(
        rows,
        schema={
            "indicator_id": pl.String,
            "area_code": pl.String,
            "change": pl.Float64,
            "polarity": pl.String,
        },
        orient="row",
    )


def test_lower_is_better_improvement_is_the_largest_fall():
    # smoking prevalence, lower is better: changes A -3, B -1, C -5 -> improvements 3, 1, 5
    # A: group {A, B, C}, best neighbour C = 5 > 3 -> no
    # B: group {B, A}, best neighbour A = 3 > 1 -> no
    # C: group {C, A, B}, best neighbour A = 3 <= 5 -> C is the most improved
    data = changes(
        [
            ("smoking", "A", -3.0, "lower"),
            ("smoking", "B", -1.0, "lower"),
            ("smoking", "C", -5.0, "lower"),
        ]
    )
    out = most_improved_among_neighbours(data, NEIGHBOURS)
    assert out.rows() == [("smoking", "C", 5.0, 2)]


def test_higher_is_better_ties_at_the_top_are_all_selected():
    # employment, higher is better: A +2, B +2, C -1 -> improvements 2, 2, -1
    # A: best neighbour max(B 2, C -1) = 2 <= 2 -> yes; B: best neighbour A = 2 -> yes
    # C: -1 is not an improvement -> no
    data = changes(
        [
            ("employment", "A", 2.0, "higher"),
            ("employment", "B", 2.0, "higher"),
            ("employment", "C", -1.0, "higher"),
        ]
    )
    out = most_improved_among_neighbours(data, NEIGHBOURS)
    assert out.select("area_code", "improvement", "neighbours_compared").rows() == [
        ("A", 2.0, 2),
        ("B", 2.0, 1),
    ]


def test_nobody_improved_means_nobody_is_most_improved():
    # all got worse: the least bad is not "improved"
    data = changes(
        [("x", "A", -1.0, "higher"), ("x", "B", -2.0, "higher"), ("x", "C", -3.0, "higher")]
    )
    assert most_improved_among_neighbours(data, NEIGHBOURS).height == 0


def test_no_polarity_null_change_and_no_comparable_neighbour_are_excluded():
    data = changes(
        [
            ("births", "A", 9.0, "none"),  # no better direction
            ("births", "B", 1.0, "none"),
            ("y", "A", None, "higher"),  # no change known
            ("y", "B", 1.0, "higher"),  # B's only neighbour, A, has no change to compare with
            ("z", "D", 4.0, "higher"),  # D's neighbour E has no data
        ]
    )
    assert most_improved_among_neighbours(data, NEIGHBOURS).height == 0


def test_each_indicator_is_judged_separately():
    # A improves most on i1 (3 vs 1, 2), B on i2 (1 vs A 0.5); C's group {C, A, B} on i2:
    # A 0.5, B 1 vs C 0.2 -> no
    data = changes(
        [
            ("i1", "A", 3.0, "higher"),
            ("i1", "B", 1.0, "higher"),
            ("i1", "C", 2.0, "higher"),
            ("i2", "A", -0.5, "lower"),
            ("i2", "B", -1.0, "lower"),
            ("i2", "C", -0.2, "lower"),
        ]
    )
    out = most_improved_among_neighbours(data, NEIGHBOURS)
    assert out.select("indicator_id", "area_code").rows() == [("i1", "A"), ("i2", "B")]
