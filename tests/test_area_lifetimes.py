"""Present-day geographies: the areas created and abolished in 2019, 2020, 2021 and 2023."""

from datetime import date

import polars as pl

from tests.conftest import shared_file
from warehouse import reference_queries
from warehouse.analytics.area_lifetimes import area_lifetime_notes, long_date
from warehouse.reference_data import load_reference_files
from warehouse.reference_queries import APRIL_2009

# Worked out by hand from the public orders (Local Government (Structural Changes) orders).
CREATED = {
    "E06000058": ("2019-04-01", {"E06000028", "E06000029", "E07000048"}),
    "E06000059": (
        "2019-04-01",
        {"E07000049", "E07000050", "E07000051", "E07000052", "E07000053", "E10000009"},
    ),
    "E07000244": ("2019-04-01", {"E07000205", "E07000206"}),
    "E07000245": ("2019-04-01", {"E07000201", "E07000204"}),
    "E07000246": ("2019-04-01", {"E07000190", "E07000191"}),
    "E06000060": ("2020-04-01", {"E07000004", "E07000005", "E07000006", "E07000007", "E10000002"}),
    "E06000061": ("2021-04-01", {"E07000150", "E07000152", "E07000153", "E07000156", "E10000021"}),
    "E06000062": ("2021-04-01", {"E07000151", "E07000154", "E07000155", "E10000021"}),
    "E06000063": ("2023-04-01", {"E07000026", "E07000028", "E07000029", "E10000006"}),
    "E06000064": ("2023-04-01", {"E07000027", "E07000030", "E07000031", "E10000006"}),
    "E06000065": (
        "2023-04-01",
        {
            "E07000163",
            "E07000164",
            "E07000165",
            "E07000166",
            "E07000167",
            "E07000168",
            "E07000169",
            "E10000023",
        },
    ),
    "E06000066": ("2023-04-01", {"E07000187", "E07000188", "E07000189", "E07000246", "E10000027"}),
}


def test_each_change_year_links_every_predecessor_to_its_successor_on_the_right_day():
    data = load_reference_files()
    areas = {a.area_code: a for a in data.areas}
    found: dict[str, set[str]] = {}
    for s in data.area_successions:
        found.setdefault(s.successor_code, set()).add(s.predecessor_code)
        assert areas[s.successor_code].valid_from == s.changed_on
        assert (s.changed_on - areas[s.predecessor_code].valid_to).days == 1
    assert found == {code: preds for code, (_, preds) in CREATED.items()}
    for code, (day, _) in CREATED.items():
        assert areas[code].valid_from == date.fromisoformat(day)


def test_successions_up_to_2020_agree_with_the_harmonised_lookup():
    harmonised = pl.read_csv(
        shared_file("reference/lad_2001_2020_to_lad20x_harmonised_ew.csv"), infer_schema=False
    ).filter(pl.col("LADCD").str.contains(r"^E0[67]") & (pl.col("LADCD") != pl.col("LAD20XCD")))
    ours = {
        (s.predecessor_code, s.successor_code)
        for s in load_reference_files().area_successions
        if s.changed_on.year <= 2020 and not s.predecessor_code.startswith("E10")
    }
    theirs = {
        (p, s)
        for p, s in harmonised.select("LADCD", "LAD20XCD").iter_rows()
        if s in {"E06000058", "E06000059", "E06000060", "E07000244", "E07000245", "E07000246"}
    }
    assert ours == theirs


def test_the_april_2009_structure_is_unchanged_and_present_day_areas_are_added(memory_con):
    in_2009 = reference_queries.areas(memory_con, live_on=APRIL_2009)
    assert in_2009.filter(pl.col("tier").is_in(["district", "unitary"])).height == 326
    assert "E06000063" not in in_2009["area_code"].to_list()
    today = reference_queries.areas(memory_con, live_on=date(2024, 1, 1))
    codes = set(today["area_code"].to_list())
    assert set(CREATED) - {"E07000246"} <= codes  # Somerset West and Taunton went in 2023
    assert not {"E07000048", "E10000006", "E07000246"} & codes
    lookup = reference_queries.area_code_lookup(memory_con)
    assert set(CREATED) <= set(lookup["code"].to_list())  # their codes are known to uploads


def test_the_area_pages_say_when_an_area_did_not_exist(memory_con):
    notes = dict(
        area_lifetime_notes(memory_con, ["E06000063", "E07000048", "E06000001"]).iter_rows()
    )
    assert "E06000001" not in notes  # Hartlepool existed throughout
    assert notes["E06000063"].startswith("Cumberland was created on 1 April 2023 from Allerdale")
    assert notes["E06000063"].endswith("there are no values for it before then.")
    assert (
        "Christchurch was abolished on 1 April 2019 and became part of Bournemouth"
        in notes["E07000048"]
    )
    assert long_date(date(2023, 4, 1)) == "1 April 2023"
