"""The demo's programme register (issue 15): deterministic, loadable, with the essay's case."""

from datetime import date

import polars as pl
import pytest

from pipelines.demo_programmes import PROGRAMMES, demo_register, write_demo_actions
from pipelines.load import load_file
from warehouse.commentary import actions_for, overdue_actions
from warehouse.programmes import programme_presence, who_is_working_here
from warehouse.settings import Settings

HARTLEPOOL, NORTH_EAST = "E06000001", "E12000001"


@pytest.fixture
def loaded(memory_con, tmp_path):
    settings = Settings(warehouse=":memory:", data_dir=tmp_path, demo_on_first_start=False)
    for kind, frame in demo_register(memory_con, seed=2009).items():
        path = tmp_path / f"demo-{kind}.csv"
        frame.write_csv(path)
        outcome = load_file(memory_con, path, kind=kind, operator="demo", settings=settings)
        assert outcome.status == "committed", outcome.report
    return memory_con


def test_the_register_is_the_same_for_the_same_seed(memory_con):
    one, two = demo_register(memory_con, 5), demo_register(memory_con, 5)
    assert one["programme_areas"].equals(two["programme_areas"])
    assert not one["programme_areas"].equals(demo_register(memory_con, 6)["programme_areas"])


def test_hartlepool_has_17_programmes_from_6_departments_on_children(loaded):
    # The first 17 programmes of the list: 8 DCSF, 2 DH, 2 HO, 1 MoJ, 2 DWP, 2 DCMS.
    assert {p[2] for p in PROGRAMMES[:17]} == {"DCSF", "DH", "HO", "MoJ", "DWP", "DCMS"}
    here = who_is_working_here(loaded, HARTLEPOOL, as_at=date(2009, 6, 1))
    assert here["sentence"][0] == (
        "17 national programmes from 6 departments work on children and young people in Hartlepool."
    )


def test_presences_are_only_at_upper_tier_and_ended_programmes_drop_out(loaded):
    presence = programme_presence(loaded, NORTH_EAST, as_at=date(2009, 6, 1))
    tiers = loaded.execute(
        "SELECT DISTINCT a.tier FROM current_programme_areas x JOIN areas a USING (area_code)"
    ).fetchall()
    assert {t for (t,) in tiers} <= {"county", "unitary"}
    # Flexible New Deal and Train to Gain ended on 31 March 2011.
    later = programme_presence(loaded, NORTH_EAST, as_at=date(2012, 1, 1))
    assert {"FND", "TTG"}.isdisjoint(later["programme_id"])
    assert later.height < presence.height


def test_demo_actions_always_include_one_overdue(loaded):
    today = date(2026, 12, 3)
    assert write_demo_actions(loaded, "demo", today=today) == 3
    assert actions_for(loaded, NORTH_EAST).height == 3
    late = overdue_actions(loaded, NORTH_EAST, today=today)
    assert late.select(pl.col("what").str.starts_with("Bring the 17")).to_series().to_list() == [
        True
    ]
