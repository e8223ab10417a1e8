"""The official's explorer and downloads: filters narrow the table, links round-trip, and
downloaded text cannot run as a spreadsheet formula."""

import polars as pl
import pytest
from pydantic import ValidationError

from tests.test_analytics_support import (
    CHILD_POVERTY,
    DARLINGTON,
    DERBY,
    DURHAM,
    EMPLOYMENT,
    HARTLEPOOL,
    NORTH_EAST,
    build_north_east,
    load_csv,
    one,
    row,
)
from warehouse.analytics import (
    EXPLORER_COLUMNS,
    ExplorerFilters,
    explorer,
    explorer_options,
    export_table,
    safe_for_spreadsheet,
)

EAST_MIDLANDS = "E12000004"
DERBYSHIRE = "E10000007"
AMBER_VALLEY = "E07000032"


@pytest.fixture
def north_east(memory_con):
    build_north_east(memory_con)
    return memory_con


def keys(table: pl.DataFrame) -> set[tuple[str, str]]:
    return set(zip(table["indicator_id"], table["area_code"], strict=True))


def test_without_filters_the_explorer_shows_the_region_and_its_upper_tier_areas(north_east):
    table = explorer(north_east, ExplorerFilters(region_code=NORTH_EAST))
    assert table.columns == EXPLORER_COLUMNS
    assert keys(table) == {
        (CHILD_POVERTY, NORTH_EAST),
        (CHILD_POVERTY, DURHAM),
        (CHILD_POVERTY, DARLINGTON),
        (CHILD_POVERTY, HARTLEPOOL),
        (EMPLOYMENT, NORTH_EAST),
        (EMPLOYMENT, DARLINGTON),
    }
    durham = one(table, indicator_id=CHILD_POVERTY, area_code=DURHAM)
    assert (durham["value"], durham["lower_ci_95"], durham["upper_ci_99_8"]) == (30, 29, 31.6)
    assert durham["compared_to_england"] == "Worse"
    assert durham["target_status"] == "Off track"
    assert durham["unit"] == "%"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (
            {"area_codes": [DURHAM, DARLINGTON]},
            {(CHILD_POVERTY, DURHAM), (CHILD_POVERTY, DARLINGTON), (EMPLOYMENT, DARLINGTON)},
        ),
        ({"area_type": "Region"}, {(CHILD_POVERTY, NORTH_EAST), (EMPLOYMENT, NORTH_EAST)}),
        ({"indicator_ids": [EMPLOYMENT]}, {(EMPLOYMENT, NORTH_EAST), (EMPLOYMENT, DARLINGTON)}),
        # NI 151 belongs to Employment, skills and economy, to PSA 8 and to DWP.
        (
            {"outcome_department_id": f"{NORTH_EAST}:employment_skills_economy"},
            {(EMPLOYMENT, NORTH_EAST), (EMPLOYMENT, DARLINGTON)},
        ),
        ({"psa_id": 9}, {(CHILD_POVERTY, a) for a in (NORTH_EAST, DURHAM, DARLINGTON, HARTLEPOOL)}),
        ({"department_code": "DWP"}, {(EMPLOYMENT, NORTH_EAST), (EMPLOYMENT, DARLINGTON)}),
        ({"department_code": "DWP", "psa_id": 9}, set()),
        (
            {"statuses": ["Worse"]},
            {
                (CHILD_POVERTY, NORTH_EAST),
                (CHILD_POVERTY, DURHAM),
                (EMPLOYMENT, NORTH_EAST),
                (EMPLOYMENT, DARLINGTON),
            },
        ),
        # Two words of one kind are alternatives ...
        (
            {"statuses": ["Off track", "Slipping"]},
            {(CHILD_POVERTY, DURHAM), (CHILD_POVERTY, DARLINGTON)},
        ),
        # ... words of different kinds must all hold.
        ({"statuses": ["Off track", "Worse"]}, {(CHILD_POVERTY, DURHAM)}),
        ({"statuses": ["Met", "Worse"]}, set()),
        ({"statuses": ["Red-red"]}, {(CHILD_POVERTY, DURHAM)}),
        (
            {"statuses": ["Cannot be calculated"]},
            {(CHILD_POVERTY, HARTLEPOOL), (EMPLOYMENT, NORTH_EAST), (EMPLOYMENT, DARLINGTON)},
        ),
    ],
)
def test_each_filter_narrows_the_table(north_east, filters, expected):
    table = explorer(north_east, ExplorerFilters(region_code=NORTH_EAST, **filters))
    assert keys(table) == expected


def test_a_chosen_period_replaces_the_latest(north_east):
    table = explorer(north_east, ExplorerFilters(region_code=NORTH_EAST, period="2008/09"))
    assert set(table["period"]) == {"2008/09"}
    assert one(table, indicator_id=CHILD_POVERTY, area_code=DURHAM)["value"] == 25
    assert HARTLEPOOL not in table["area_code"].to_list()


def test_area_type_and_area_filters_reach_districts(memory_con):
    load_csv(
        memory_con,
        [
            row(CHILD_POVERTY, DERBYSHIRE, "2010/11", 18, 1.0),
            row(CHILD_POVERTY, AMBER_VALLEY, "2010/11", 17, 1.0),
            row(CHILD_POVERTY, DERBY, "2010/11", 25, 1.0),
            row(CHILD_POVERTY, EAST_MIDLANDS, "2010/11", 20, 0.5),
        ],
    )
    default = explorer(memory_con, ExplorerFilters(region_code=EAST_MIDLANDS))
    assert set(default["area_code"]) == {EAST_MIDLANDS, DERBYSHIRE, DERBY}
    districts = explorer(
        memory_con,
        ExplorerFilters(region_code=EAST_MIDLANDS, area_type="Non-metropolitan district"),
    )
    assert districts["area_code"].to_list() == [AMBER_VALLEY]
    counties = explorer(memory_con, ExplorerFilters(region_code=EAST_MIDLANDS, area_type="County"))
    assert counties["area_code"].to_list() == [DERBYSHIRE]
    chosen = explorer(
        memory_con, ExplorerFilters(region_code=EAST_MIDLANDS, area_codes=[AMBER_VALLEY, DERBY])
    )
    assert set(chosen["area_code"]) == {AMBER_VALLEY, DERBY}


def test_filters_are_checked_and_blank_choices_mean_no_filter():
    with pytest.raises(ValidationError, match="Unknown status 'Terrible'"):
        ExplorerFilters(region_code=NORTH_EAST, statuses=["Terrible"])
    with pytest.raises(ValidationError, match="Unknown area type"):
        ExplorerFilters(region_code=NORTH_EAST, area_type="Parish")
    with pytest.raises(ValidationError):
        ExplorerFilters(region_code="North East")
    with pytest.raises(ValidationError):
        ExplorerFilters(region_code=NORTH_EAST, colour="red")
    blank = ExplorerFilters(region_code=NORTH_EAST, area_codes=[], statuses=[], period=" ")
    assert (blank.area_codes, blank.statuses, blank.period) == (None, None, None)


def test_equal_filters_are_equal_and_hash_alike_so_a_page_can_cache_on_them():
    one_way = ExplorerFilters(region_code=NORTH_EAST, area_codes=[DURHAM], statuses=["Worse"])
    other_way = ExplorerFilters(region_code=NORTH_EAST, area_codes=(DURHAM,), statuses="Worse")
    assert one_way == other_way
    assert hash(one_way) == hash(other_way)
    assert one_way != ExplorerFilters(region_code=NORTH_EAST, area_codes=[DARLINGTON])


def test_explorer_options_offer_the_regions_choices(north_east):
    options = explorer_options(north_east, NORTH_EAST)
    assert options["area_types"] == ["Metropolitan district", "Region", "Unitary authority"]
    assert options["areas"]["area_code"][0] == NORTH_EAST
    assert options["areas"].height == 13
    assert options["outcome_departments"].height == 6
    assert options["psas"]["psa_id"].to_list() == list(range(1, 31))
    assert "DWP" in options["departments"]["department_code"].to_list()
    assert options["indicators"]["indicator_id"][:3].to_list() == ["NI 1", "NI 2", "NI 3"]
    assert options["periods"] == ["2010/11", "2009/10", "2008/09", "2007/08", "2006/07"]
    assert options["statuses"]["target_status"] == [
        "On track",
        "Slipping",
        "Off track",
        "Met",
        "Not met",
        "Not assessed",
        "No target",
    ]
    assert options["statuses"]["exception"] == ["Red-red", "Green flag"]


def test_export_table_has_the_explorers_columns_for_one_indicator_or_department(north_east):
    everything = export_table(north_east, NORTH_EAST)
    assert everything.columns == EXPLORER_COLUMNS
    assert everything.height == 6
    poverty = export_table(north_east, NORTH_EAST, indicator_id=CHILD_POVERTY)
    assert set(poverty["indicator_id"]) == {CHILD_POVERTY} and poverty.height == 4
    department = export_table(
        north_east, NORTH_EAST, outcome_department_id=f"{NORTH_EAST}:employment_skills_economy"
    )
    assert set(department["indicator_id"]) == {EMPLOYMENT}
    # Intervals and statuses travel with the values.
    assert {"lower_ci_95", "upper_ci_99_8", "target_status", "recent_trend"} <= set(poverty.columns)


def test_safe_for_spreadsheet_neutralises_formulas_and_leaves_numbers_alone():
    frame = pl.DataFrame(
        {
            "note": [
                '=HYPERLINK("http://evil.example","click")',
                "+1",
                "-x",
                "@SUM(A1:A9)",
                "\t=1+1",
                "\r=1+1",
                "Durham",
                "a = b",
                None,
            ],
            "value": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0, None],
            "count": [-1, 2, 3, 4, 5, 6, 7, 8, 9],
        }
    )
    safe = safe_for_spreadsheet(frame)
    assert safe["note"].to_list() == [
        '\'=HYPERLINK("http://evil.example","click")',
        "'+1",
        "'-x",
        "'@SUM(A1:A9)",
        "'\t=1+1",
        "'\r=1+1",
        "Durham",
        "a = b",
        None,
    ]
    assert safe["value"].to_list() == frame["value"].to_list()
    assert safe["count"].to_list() == frame["count"].to_list()
    assert safe.schema == frame.schema


def test_safe_for_spreadsheet_covers_area_and_indicator_names_in_an_export(north_east):
    table = export_table(north_east, NORTH_EAST).with_columns(
        pl.lit("=cmd|' /C calc'!A0").alias("area_name")
    )
    assert safe_for_spreadsheet(table)["area_name"].str.starts_with("'=").all()
