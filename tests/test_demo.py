"""The synthetic demonstration data: deterministic, internally consistent, and labelled."""

import polars as pl
from polars.testing import assert_frame_equal

from pipelines.demo import DEMO_LABEL, PROFILES, generate_observations, split_releases
from warehouse import reference_queries


def _generate(con, seed):
    # As build_demo does: the demo is of the April 2009 structure.
    areas = reference_queries.areas(con, live_on=reference_queries.APRIL_2009)
    indicators = reference_queries.indicators(con).filter(
        pl.col("indicator_id").is_in(["NI 116", "NI 39", "NI 151"])
    )
    return generate_observations(areas, indicators, pl.read_csv(PROFILES), seed)


def test_the_same_seed_gives_identical_rows_and_another_seed_does_not(memory_con):
    first, again, other = (
        _generate(memory_con, 7),
        _generate(memory_con, 7),
        _generate(memory_con, 8),
    )
    assert_frame_equal(first, again)
    assert not first["value"].equals(other["value"])


def test_every_area_and_period_has_a_value_with_an_interval_that_contains_it(memory_con):
    frame = _generate(memory_con, 7)
    # 326 districts + 27 counties + 9 regions + England = 363 areas; NI 151 is quarterly (28 periods).
    counts = (
        frame.group_by("indicator_id")
        .agg(pl.col("area_code").n_unique(), pl.len())
        .sort("indicator_id")
    )
    assert counts.rows() == [
        ("NI 116", 363, 363 * 7),
        ("NI 151", 363, 363 * 28),
        ("NI 39", 363, 363 * 7),
    ]
    assert (
        frame.filter(
            (pl.col("lower_ci_95") > pl.col("value")) | (pl.col("upper_ci_95") < pl.col("value"))
        ).height
        == 0
    )
    assert frame.filter(pl.col("lower_ci_99_8") > pl.col("lower_ci_95")).height == 0
    assert (frame["note"] == DEMO_LABEL.capitalize()).all()


def test_counties_regions_and_england_add_up_from_their_districts(memory_con):
    frame = _generate(memory_con, 7).filter(
        (pl.col("indicator_id") == "NI 116") & (pl.col("period") == "2008/09")
    )
    areas = reference_queries.areas(memory_con, live_on=reference_queries.APRIL_2009)
    districts = frame.join(
        areas.filter(pl.col("tier").is_in(["district", "unitary"])), on="area_code"
    )
    england = frame.filter(pl.col("area_code") == "E92000001").row(0, named=True)
    assert england["count"] == districts["count"].sum()
    assert england["denominator"] == districts["denominator"].sum()
    assert abs(england["value"] - 100 * england["count"] / england["denominator"]) < 1e-3


def test_the_later_release_adds_2010_11_and_revises_some_earlier_values(memory_con):
    first, later = split_releases(_generate(memory_con, 7), 7)
    assert "2010/11" not in first["period"].to_list()
    revised = later.join(first, on=["indicator_id", "area_code", "period"], suffix="_before")
    assert revised.height > 0
    assert (revised["value"] != revised["value_before"]).all()


def test_the_demo_warehouse_records_its_batches_and_revisions(demo_con):
    batches = demo_con.execute(
        "SELECT file_name, rows_new > 0, rows_revised > 0 FROM batches "
        "WHERE kind NOT IN ('reference', 'action') ORDER BY created_at"
    ).fetchall()
    assert batches == [
        ("demo-values-2004-2010.csv", True, False),
        ("demo-targets-psa-laa.csv", True, False),
        ("demo-values-2010-11-release.csv", True, True),
        ("demo-programmes.csv", True, False),
        ("demo-programme_areas.csv", True, False),
    ]
    # Three agreed actions in Hartlepool, each saved as its own batch, as the form saves them.
    actions = demo_con.execute("SELECT count(*) FROM batches WHERE kind = 'action'").fetchone()
    assert actions == (3,)


def test_targets_are_deterministic_too(memory_con):
    from pipelines.demo import generate_targets
    from warehouse.outcome_queries import all_goals

    first, _ = split_releases(_generate(memory_con, 7), 7)
    areas, indicators = (
        reference_queries.areas(memory_con),
        reference_queries.indicators(memory_con),
    )
    one = generate_targets(first, areas, indicators, all_goals(memory_con), 7)
    two = generate_targets(first, areas, indicators, all_goals(memory_con), 7)
    assert one.height > 0
    assert_frame_equal(one, two)
