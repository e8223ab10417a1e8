"""Specification of statistical neighbours on a tiny hand-computable example.

Tier "county": three areas A, B, C with two context variables.

    x: A 10, B 13, C 16 -> mean 13, sample sd = sqrt((9 + 0 + 9)/2) = 3
       z = -1, 0, 1
    y: A 23, B 25, C 12 -> mean 20, sample sd = sqrt((9 + 25 + 64)/2) = sqrt 49 = 7
       z = 3/7, 5/7, -8/7

Distances in z-space:
    A-B = sqrt(1² + (2/7)²)  = sqrt(53/49)  = 1.040016
    A-C = sqrt(2² + (11/7)²) = sqrt(317/49) = 2.543508
    B-C = sqrt(1² + (13/7)²) = sqrt(218/49) = 2.109269
so A: B, C; B: A, C; C: B, A.
"""

import math

import polars as pl
import pytest

from warehouse.assessments import neighbour_variables, statistical_neighbours

CONTEXT = pl.DataFrame(
    {
        "area_code": ["A", "B", "C", "A", "B", "C", "D", "E", "D", "E", "F"],
        "variable": ["x", "x", "x", "y", "y", "y", "x", "x", "y", "y", "x"],
        "value": [10.0, 13.0, 16.0, 23.0, 25.0, 12.0, 1.0, 5.0, 2.0, 3.0, 14.0],
    }
)
# D and E form a second tier; F is a county without a value for y.
AREAS = pl.DataFrame(
    {
        "area_code": ["A", "B", "C", "D", "E", "F"],
        "tier": ["county", "county", "county", "district", "district", "county"],
    }
)


def test_neighbours_are_ranked_by_distance_within_the_tier():
    out = statistical_neighbours(CONTEXT, AREAS)
    county = out.filter(pl.col("area_code").is_in(["A", "B", "C"]))
    assert county.select("area_code", "neighbour_code", "rank").rows() == [
        ("A", "B", 1),
        ("A", "C", 2),
        ("B", "A", 1),
        ("B", "C", 2),
        ("C", "B", 1),
        ("C", "A", 2),
    ]
    assert county["distance"].to_list() == pytest.approx(
        [
            math.sqrt(53 / 49),  # 1.040016
            math.sqrt(317 / 49),  # 2.543508
            math.sqrt(53 / 49),
            math.sqrt(218 / 49),  # 2.109269
            math.sqrt(218 / 49),
            math.sqrt(317 / 49),
        ],
        abs=1e-9,
    )


def test_neighbours_come_only_from_the_same_tier_and_never_the_area_itself():
    out = statistical_neighbours(CONTEXT, AREAS)
    tier = dict(AREAS.rows())
    for area, neighbour in out.select("area_code", "neighbour_code").rows():
        assert area != neighbour
        assert tier[area] == tier[neighbour]
    # district tier of two areas: each is the other's only neighbour.
    # x: 1, 5 -> sd = sqrt(8) -> z = ∓0.707107; y: 2, 3 -> sd = sqrt(0.5) -> z = ∓0.707107
    # distance = sqrt(1.414214² + 1.414214²) = 2
    district = out.filter(pl.col("area_code").is_in(["D", "E"]))
    assert district.select("area_code", "neighbour_code", "rank").rows() == [
        ("D", "E", 1),
        ("E", "D", 1),
    ]
    assert district["distance"].to_list() == pytest.approx([2.0, 2.0], abs=1e-9)


def test_areas_missing_a_variable_take_no_part():
    # F has x but no y: it has no neighbours and is nobody's neighbour, and it does not
    # change the county z-scores (the distances above already exclude it)
    out = statistical_neighbours(CONTEXT, AREAS)
    assert "F" not in out["area_code"].to_list()
    assert "F" not in out["neighbour_code"].to_list()


def test_n_limits_the_number_of_neighbours():
    out = statistical_neighbours(CONTEXT, AREAS, n=1)
    assert out.select("area_code", "neighbour_code").rows() == [
        ("A", "B"),
        ("B", "A"),
        ("C", "B"),
        ("D", "E"),
        ("E", "D"),
    ]
    assert set(out["rank"].to_list()) == {1}
    with pytest.raises(ValueError):
        statistical_neighbours(CONTEXT, AREAS, n=0)


def test_equal_distances_are_ranked_by_neighbour_code():
    # one variable, values 0, 1, 2 for P, Q, R: Q is 1 sd from both P and R
    context = pl.DataFrame(
        {"area_code": ["P", "Q", "R"], "variable": ["v"] * 3, "value": [0.0, 1.0, 2.0]}
    )
    areas = pl.DataFrame({"area_code": ["P", "Q", "R"], "tier": ["t"] * 3})
    out = statistical_neighbours(context, areas).filter(pl.col("area_code") == "Q")
    assert out.select("neighbour_code", "rank", "distance").rows() == [("P", 1, 1.0), ("R", 2, 1.0)]


def test_a_variable_constant_within_the_tier_contributes_nothing():
    # w is 7 everywhere: its sd is 0, so the county distances stay those of x and y
    constant = pl.DataFrame(
        {"area_code": ["A", "B", "C"], "variable": ["w"] * 3, "value": [7.0] * 3}
    )
    out = statistical_neighbours(pl.concat([CONTEXT, constant]), AREAS)
    assert out.filter(pl.col("area_code") == "A")["distance"].to_list() == pytest.approx(
        [math.sqrt(53 / 49), math.sqrt(317 / 49)], abs=1e-9
    )


def test_duplicate_context_values_are_rejected():
    duplicated = pl.concat([CONTEXT, CONTEXT.head(1)])
    with pytest.raises(ValueError, match="more than one value"):
        statistical_neighbours(duplicated, AREAS)


def test_output_columns_and_empty_input():
    out = statistical_neighbours(CONTEXT, AREAS)
    assert out.schema == pl.Schema(
        {
            "area_code": pl.String,
            "neighbour_code": pl.String,
            "rank": pl.Int64,
            "distance": pl.Float64,
        }
    )
    empty = statistical_neighbours(CONTEXT.clear(), AREAS)
    assert empty.height == 0 and empty.columns == out.columns


def test_neighbour_variables_are_listed_sorted():
    assert neighbour_variables(CONTEXT) == ["x", "y"]
