import csv
import shutil

import polars as pl
import pytest

from tests.conftest import shared_file
from warehouse import reference_queries
from warehouse.reference_data import REFERENCE_DIR, ReferenceDataError, load_reference_files
from warehouse.reference_queries import APRIL_2009

REQUIRED_INDICATORS = ["NI 39", "NI 56", "NI 116", "NI 117", "NI 120", "NI 151", "NI 152", "NI 192"]


def test_shipped_reference_data_is_valid_and_complete():
    data = load_reference_files()
    assert len(data.regions) == 9
    types = pl.Series([a.area_type for a in data.areas]).value_counts().sort("")
    counts = dict(zip(types[""].to_list(), types["count"].to_list(), strict=True))
    assert counts == {
        "Country": 1,
        "County": 27,
        "London borough": 33,
        "Metropolitan district": 36,
        "Non-metropolitan district": 201 + 3,
        "Region": 9,
        "Unitary authority": 56 + 9,
    }  # the April 2009 structure, and the 3 districts and 9 unitaries created 2019 to 2023
    assert len(data.psas) == 30
    assert {p.psa_id for p in data.psas if not p.regional_delivery} == {29, 30}
    ids = {i.indicator_id for i in data.indicators}
    assert len(ids) == 198 and "NI 31" not in ids
    assert set(REQUIRED_INDICATORS) <= ids
    assert all(i.verification for i in data.indicators)


def test_every_default_outcome_department_has_indicators_and_at_most_five_priority_goals():
    data = load_reference_files()
    keys = [t.outcome_department_key for t in data.outcome_departments]
    assert len(keys) == 6
    for key in keys:
        members = [m for m in data.outcome_department_indicators if m.outcome_department_key == key]
        goals = [g for g in data.outcome_department_goals if g.outcome_department_key == key]
        assert members, key
        assert 1 <= sum(g.priority for g in goals) <= 5, key


def test_every_region_gets_the_six_default_outcome_departments(memory_con):
    od = memory_con.execute(
        "SELECT region_code, count(*) FROM outcome_departments GROUP BY region_code"
    ).fetchall()
    assert sorted(n for _, n in od) == [6] * 9


def test_a_broken_reference_row_is_reported_with_file_row_and_column(tmp_path):
    for path in REFERENCE_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    rows = list(csv.DictReader((tmp_path / "indicators.csv").open(encoding="utf-8")))
    rows[4]["polarity"] = "sideways"
    with (tmp_path / "indicators.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ReferenceDataError, match=r"indicators.csv, row 6, column polarity"):
        load_reference_files(tmp_path)


def test_a_dangling_link_between_reference_files_is_refused(tmp_path):
    for path in REFERENCE_DIR.glob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / "psas.csv").read_text(encoding="utf-8").replace(",DWP,", ",XYZ,", 1)
    (tmp_path / "psas.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="unknown department XYZ"):
        load_reference_files(tmp_path)


def test_districts_match_the_ons_2014_lookup_codes_names_and_regions(memory_con):
    lookup = pl.read_csv(shared_file("reference/ons_ltla14_lookup_uk.csv"), infer_schema=False)
    england = lookup.filter(pl.col("ctrycd") == "E92000001").select(
        area_code="ltlacd", name="ltlanm", region_code="rgncd", county="ctycd"
    )
    ours = reference_queries.areas(memory_con, live_on=APRIL_2009).filter(
        pl.col("tier").is_in(["district", "unitary"])
    )
    assert ours.height == england.height == 326
    joined = ours.join(england, on="area_code", how="full", suffix="_ons")
    assert (
        joined.filter(pl.col("area_code").is_null() | pl.col("area_code_ons").is_null()).height == 0
    )
    renamed = joined.filter(pl.col("name") != pl.col("name_ons")).sort("area_code")
    # The lookup carries names given after 2009; we keep the April 2009 names.
    assert renamed.select("area_code", "name").rows() == [
        ("E07000083", "Tewkesbury"),
        ("E07000112", "Shepway"),
    ]
    assert joined.filter(pl.col("region_code") != pl.col("region_code_ons")).height == 0
    non_met = joined.filter(pl.col("area_type") == "Non-metropolitan district")
    assert (non_met["parent_code"] == non_met["county"]).all()


def test_districts_match_the_2009_crosswalk_old_codes_and_types(memory_con):
    crosswalk = pl.read_csv(
        shared_file("reference/england_lad2009_crosswalk_oldcode_gss_region.csv"),
        infer_schema=False,
    )
    ours = reference_queries.areas(memory_con, live_on=APRIL_2009).filter(
        pl.col("tier").is_in(["district", "unitary"])
    )
    joined = ours.join(crosswalk, left_on="area_code", right_on="ladcd_gss", how="inner")
    assert joined.height == 326
    assert (joined["old_code"] == joined["lad09cd_old"]).all()
    assert (joined["area_type"] == joined["la_type"]).all()
    assert (joined["region_code"] == joined["rgncd"]).all()


def test_old_codes_and_superseded_gss_codes_resolve_to_current_areas(memory_con):
    lookup = reference_queries.area_code_lookup(memory_con)
    resolve = dict(zip(lookup["code"].to_list(), lookup["area_code"].to_list(), strict=True))
    assert resolve["00EB"] == "E06000001"  # Hartlepool's old ONS code
    assert resolve["E06000048"] == "E06000057"  # Northumberland before its 2013 recode
    assert resolve["E08000020"] == "E08000037"  # Gateshead before its 2013 recode


def test_indicator_facts_agree_with_the_shared_compilation_where_it_is_confirmed(memory_con):
    compiled = pl.read_csv(
        shared_file("reference/national_indicators_compiled.csv"), infer_schema=False
    )
    ours = reference_queries.indicators(memory_con)
    joined = ours.join(compiled, left_on="indicator_id", right_on="ni", how="inner")
    assert joined.height == 198
    plain = joined.filter(pl.col("polarity_right").is_in(["higher", "lower"]))
    disagreeing = plain.filter(pl.col("polarity") != pl.col("polarity_right"))
    # Deliberate departures are explained in each row's verification text.
    assert disagreeing.filter(~pl.col("verification").str.contains("olarity")).height == 0
