"""The read functions the pages use, on the demo warehouse."""

import polars as pl

from warehouse import outcome_queries, reference_queries
from warehouse.batches import data_version, list_batches


def test_regions_are_the_nine_in_code_order(demo_con):
    regions = reference_queries.regions(demo_con)
    assert regions["region_code"].to_list() == [f"E1200000{i}" for i in range(1, 10)]
    assert regions["name"][6] == "London"


def test_a_regions_areas_are_its_local_authorities(demo_con):
    london = reference_queries.areas(demo_con, "E12000007")
    assert london.height == 33
    assert set(london["area_type"]) == {"London borough"}


def test_indicator_catalogue_lists_owner_and_psas(demo_con):
    catalogue = reference_queries.indicators(demo_con)
    row = catalogue.filter(pl.col("indicator_id") == "NI 117").row(0, named=True)
    assert row["owner_department_code"] == "DCSF"
    assert "14" in row["psas"].split(", ")
    assert catalogue["indicator_id"][:3].to_list() == ["NI 1", "NI 2", "NI 3"]


def test_psas_and_departments(demo_con):
    psas = reference_queries.psas(demo_con)
    assert psas.height == 30
    assert psas.filter(pl.col("psa_id") == 8)["lead_department_code"][0] == "DWP"
    assert "DCSF" in reference_queries.departments(demo_con)["department_code"].to_list()


def test_outcome_departments_of_a_region_count_indicators_and_latest_period(demo_con):
    departments = outcome_queries.outcome_departments(demo_con, "E12000001")
    assert departments.height == 6
    cyp = departments.filter(pl.col("outcome_department_key") == "children_young_people").row(
        0, named=True
    )
    members = demo_con.execute(
        "SELECT count(*) FROM outcome_department_indicators WHERE outcome_department_id = 'E12000001:children_young_people'"
    ).fetchone()[0]
    assert cyp["indicators"] == members
    assert cyp["latest_period"] == "2010/11"
    assert cyp["chair"] == "Regional Minister, North East"


def test_goals_are_listed_for_every_region(demo_con):
    goals = outcome_queries.all_goals(demo_con)
    assert goals["region_code"].n_unique() == 9
    assert goals.filter(pl.col("indicator_id") == "NI 116")["priority"].all()


def test_data_version_changes_when_a_batch_lands(demo_copy, tmp_path):
    from pipelines.load import load_file
    from warehouse import open_warehouse

    con = open_warehouse(demo_copy)
    before = data_version(con)
    path = tmp_path / "one.csv"
    path.write_text(
        "indicator_id,area_code,period,value\nNI 116,E06000001,2011/12,20\n", encoding="utf-8"
    )
    assert (
        load_file(con, path, kind="indicators", operator="ana", settings=demo_copy).status
        == "committed"
    )
    assert data_version(con) != before
    assert list_batches(con)["file_name"][0] == "one.csv"


def test_outcome_department_names_list_the_six_of_a_region(demo_con):
    names = outcome_queries.outcome_department_names(demo_con, "E12000009")
    assert names["outcome_department_id"].to_list()[0] == "E12000009:children_young_people"
    assert names.height == 6
