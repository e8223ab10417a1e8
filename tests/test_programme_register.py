"""The programme register (issue 15): two upload kinds, validated, one batch, reversible.

Expected sentences and counts are worked out from the hand-written files below.
"""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.load import load_file
from tests.test_write_scope import HARTLEPOOL, LONDON, MIDDLESBROUGH, person, refusals
from warehouse.access import PermissionRefused
from warehouse.batches import withdraw_batch
from warehouse.programmes import (
    programme_presence,
    programme_register,
    region_programme_summary,
    summary_sentence,
    who_is_working_here,
)
from warehouse.settings import Settings

BARKING = "E09000002"  # London
HEADER = (
    "programme_id,name,department_code,outcome_departments,indicator_ids,start_date,end_date,"
    "funding\n"
)
PRESENCE_HEADER = "programme_id,area_code,role,contact_name,contact_email,from_date,to_date\n"
TWO_PROGRAMMES = HEADER + (
    "FIP,Family Intervention Projects,DCSF,children_young_people,NI 111,2008-04-01,,2500000\n"
    "YCAP,Youth Crime Action Plan,HO,children_young_people;safer_stronger,,2008-04-01,,\n"
)
AS_AT = date(2009, 6, 1)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=":memory:", data_dir=tmp_path, demo_on_first_start=False)


def load(con, settings, tmp_path, kind, text, operator="cli"):
    path = tmp_path / f"{kind}.csv"
    path.write_text(text, encoding="utf-8")
    return load_file(con, path, kind=kind, operator=operator, settings=settings)


def problems_of(outcome) -> list[tuple]:
    return outcome.report.select("row", "column").rows()


def test_every_programme_rule_names_its_row_and_column(memory_con, settings, tmp_path):
    text = HEADER + (
        "FIP,Family Intervention Projects,DCSF,children_young_people,NI 111,2008-04-01,,\n"
        "FIP,The same id again,DCSF,children_young_people,,2008-04-01,,\n"  # row 3
        "X1,Unknown department,ABC,children_young_people,,2008-04-01,,\n"  # row 4
        "X2,Unknown outcome,DCSF,nowhere,,2008-04-01,,\n"  # row 5
        "X3,Unknown indicator,DCSF,children_young_people,NI 999,2008-04-01,,\n"  # row 6
        "X4,Ends before it starts,DCSF,children_young_people,,2010-04-01,2009-01-01,\n"  # row 7
        "X5,Funding in words,DCSF,children_young_people,,2008-04-01,,lots\n"  # row 8
        ",No id,DCSF,children_young_people,,2008-04-01,,\n"  # row 9
        "X6,No start,DCSF,children_young_people,,,,\n"  # row 10
        f"X7,{'n' * 201},DCSF,children_young_people,,2008-04-01,,\n"  # row 11
    )
    outcome = load(memory_con, settings, tmp_path, "programmes", text)
    assert outcome.status == "refused"
    assert sorted(problems_of(outcome)) == [
        (3, "programme_id"),
        (4, "department_code"),
        (5, "outcome_departments"),
        (6, "indicator_ids"),
        (7, "end_date"),
        (8, "funding"),
        (9, "programme_id"),
        (10, "start_date"),
        (11, "name"),
    ]
    messages = dict(zip(outcome.report["row"], outcome.report["message"], strict=True))
    assert "row 2 has the same" in messages[3]
    assert "Unknown department 'ABC'" in messages[4]
    assert "nowhere" in messages[5]
    assert "NI 999" in messages[6]
    assert programme_register(memory_con).is_empty()


def test_a_register_loads_as_one_batch_and_rolls_back(memory_con, settings, tmp_path):
    outcome = load(memory_con, settings, tmp_path, "programmes", TWO_PROGRAMMES)
    assert outcome.status == "committed", outcome.message
    register = programme_register(memory_con)
    assert register.select("programme_id", "department_code", "funding").rows() == [
        ("FIP", "DCSF", 2_500_000.0),
        ("YCAP", "HO", None),
    ]
    # The outcome keys are kept sorted, so a revision that reorders them changes nothing.
    assert register["outcome_departments"][1] == "children_young_people;safer_stronger"
    withdraw_batch(memory_con, outcome.batch_id, operator="cli", reason="test")
    assert programme_register(memory_con).is_empty()


def test_department_codes_match_whatever_their_case(memory_con, settings, tmp_path):
    # The catalogue writes some codes in mixed case (MoJ, DfT, Defra).
    text = HEADER + (
        "YJB,Youth Justice Board prevention,MoJ,safer_stronger,,2008-04-01,,\n"
        "LTP,Local Transport Plan advisers,dft,liveable_places,,2008-04-01,,\n"
    )
    outcome = load(memory_con, settings, tmp_path, "programmes", text)
    assert outcome.status == "committed", outcome.report
    assert programme_register(memory_con)["department_code"].to_list() == ["DfT", "MoJ"]


def test_every_presence_rule_names_its_row_and_column(memory_con, settings, tmp_path):
    load(memory_con, settings, tmp_path, "programmes", TWO_PROGRAMMES)
    text = PRESENCE_HEADER + (
        f"FIP,{HARTLEPOOL},adviser,Ana,ana@example.gov.uk,2008-04-01,\n"
        f"FIP,{HARTLEPOOL},adviser,Ana again,ana2@example.gov.uk,2008-04-01,\n"  # row 3: dup
        f"NOPE,{HARTLEPOOL},adviser,,x@example.gov.uk,2008-04-01,\n"  # row 4: programme
        "FIP,E06999999,adviser,,x@example.gov.uk,2008-04-01,\n"  # row 5: area
        f"FIP,{MIDDLESBROUGH},wizard,,x@example.gov.uk,2008-04-01,\n"  # row 6: role
        f"FIP,{MIDDLESBROUGH},adviser,,not-an-email,2008-04-01,\n"  # row 7: e-mail
        f"YCAP,{MIDDLESBROUGH},adviser,,y@example.gov.uk,2009-04-01,2008-04-01\n"  # row 8
    )
    outcome = load(memory_con, settings, tmp_path, "programme_areas", text)
    assert outcome.status == "refused"
    # A duplicate presence (programme, area, role) is named at its first key column.
    assert sorted(problems_of(outcome)) == [
        (3, "programme_id"),
        (4, "programme_id"),
        (5, "area_code"),
        (6, "role"),
        (7, "contact_email"),
        (8, "to_date"),
    ]
    assert programme_presence(memory_con, "E12000001", as_at=AS_AT).is_empty()


def test_who_is_working_here_counts_programmes_and_departments(memory_con, settings, tmp_path):
    load(memory_con, settings, tmp_path, "programmes", TWO_PROGRAMMES)
    text = PRESENCE_HEADER + (
        f"FIP,{HARTLEPOOL},funded project,FIP team,fip@example.gov.uk,2008-04-01,\n"
        f"YCAP,{HARTLEPOOL},adviser,Yan,yan@example.gov.uk,2008-04-01,\n"
        f"YCAP,{MIDDLESBROUGH},field force,,ycap@example.gov.uk,2008-04-01,2009-03-31\n"
    )
    outcome = load(memory_con, settings, tmp_path, "programme_areas", text)
    assert outcome.status == "committed", outcome.message
    here = who_is_working_here(memory_con, HARTLEPOOL, as_at=AS_AT)
    by_outcome = {
        row["outcome_department_id"].split(":")[-1]: (row["programmes"], row["departments"])
        for row in here.iter_rows(named=True)
    }
    # Children and young people: FIP (DCSF) and YCAP (HO); safer, stronger: YCAP only.
    assert sorted(by_outcome.values()) == [(1, 1), (2, 2)]
    assert here["sentence"][0].startswith("2 national programmes from 2 departments work on")
    assert here["sentence"][0].endswith("in Hartlepool.")
    # Middlesbrough's presence ended on 31 March 2009, before AS_AT.
    assert who_is_working_here(memory_con, MIDDLESBROUGH, as_at=AS_AT).is_empty()
    summary = region_programme_summary(memory_con, "E12000001", as_at=AS_AT)
    children = summary.filter(summary["outcome_department"].str.contains("(?i)children"))
    assert children.select("programmes", "overlap_areas").row(0) == (2, 1)


def test_a_regional_analyst_cannot_place_programmes_in_another_region(
    memory_con, settings, tmp_path
):
    load(memory_con, settings, tmp_path, "programmes", TWO_PROGRAMMES)
    analyst = person("analyst")
    text = PRESENCE_HEADER + (
        f"FIP,{HARTLEPOOL},adviser,,a@example.gov.uk,2008-04-01,\n"
        f"FIP,{BARKING},adviser,,b@example.gov.uk,2008-04-01,\n"
    )
    with pytest.raises(PermissionRefused, match=r"^Row 3 is for areas in London"):
        load(memory_con, settings, tmp_path, "programme_areas", text, operator=analyst)
    assert refusals(memory_con)[-1] == (analyst.email, "upload", LONDON)
    assert programme_presence(memory_con, "E12000007", as_at=AS_AT).is_empty()


def test_the_coverage_sentence_counts_programmes_overlaps_and_gaps():
    from warehouse.programmes import coverage_sentence

    coverage = pl.DataFrame(
        {
            "programme_names": ["FIP; YCAP", "FIP", "", ""],
            "finding": ["Overlap: 2 programmes", "", "Gap: off track with no programme", ""],
        }
    )
    # Two distinct programmes (FIP, YCAP), one overlap area, one gap area.
    assert coverage_sentence(coverage) == summary_sentence(2, 1, 1)


def test_summary_sentence_counts_in_words():
    assert summary_sentence(1, 0, 2) == (
        "1 programme active; 0 areas where several overlap; 2 areas off track on a priority "
        "goal with nothing working on it."
    )


def test_an_edit_in_the_app_saves_as_one_batch_and_asks_before_revising(memory_con):
    from pipelines.register_edits import save_register_edit

    table = pl.DataFrame(
        {
            "programme_id": ["FIP", None],  # the second row was added and left empty
            "name": ["Family Intervention Projects", None],
            "department_code": ["DCSF", None],
            "outcome_departments": ["children_young_people", None],
            "indicator_ids": ["NI 111", None],
            "start_date": [date(2008, 4, 1), None],
            "end_date": [None, None],
            "funding": [2_500_000.0, None],
        }
    )
    first = save_register_edit(memory_con, "programmes", table, "cli")
    assert (first.status, first.rows_new) == ("committed", 1)
    renamed = table.head(1).with_columns(name=pl.lit("Family intervention"))
    asked = save_register_edit(memory_con, "programmes", renamed, "cli")
    assert asked.status == "needs-confirmation"
    assert programme_register(memory_con)["name"].to_list() == ["Family Intervention Projects"]
    saved = save_register_edit(memory_con, "programmes", renamed, "cli", confirm_revisions=True)
    assert (saved.status, saved.rows_revised) == ("committed", 1)
    assert programme_register(memory_con)["name"].to_list() == ["Family intervention"]


def test_the_national_programme_list_needs_the_all_regions_scope(memory_con):
    from pipelines.register_edits import save_register_edit

    table = pl.DataFrame(
        {
            "programme_id": ["FIP"],
            "name": ["Family Intervention Projects"],
            "department_code": ["DCSF"],
            "outcome_departments": ["children_young_people"],
            "start_date": ["2008-04-01"],
        }
    )
    with pytest.raises(PermissionRefused, match="all-regions scope"):
        save_register_edit(memory_con, "programmes", table, person("analyst"))
    assert programme_register(memory_con).is_empty()
