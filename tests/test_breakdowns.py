"""Breakdowns by sex, age and category (issue 12 item 11).

The file ``tests/files/fingertips_breakdowns.csv`` was written by hand: indicator 10101
(children in low income families) for Hartlepool (E06000001) and Middlesbrough
(E06000002) in 2008, each area with a Persons row, a Male and a Female row, and two
deprivation deciles. Expected values below are read off those rows.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines.load import load_file
from warehouse import open_warehouse
from warehouse.batches import withdraw_batch
from warehouse.breakdowns import area_breakdowns, indicator_breakdowns, indicators_with_breakdowns
from warehouse.frames import query

FILES = Path(__file__).parent / "files"
BREAKDOWNS = FILES / "fingertips_breakdowns.csv"
IDS = {"10101": "NI 116"}
HARTLEPOOL, MIDDLESBROUGH = "E06000001", "E06000002"


def load(con, settings, path: Path, **options):
    return load_file(
        con,
        path,
        kind="indicators",
        operator="ana",
        settings=settings,
        indicator_ids=IDS,
        accept_warnings=True,
        **options,
    )


def rewritten(tmp_path: Path, name: str, replace: dict[str, str] | None = None, add: str = ""):
    """Returns a copy of the hand-written file with whole lines replaced and one added."""
    lines = BREAKDOWNS.read_text(encoding="utf-8").splitlines()
    for old, new in (replace or {}).items():
        assert lines.count(old) == 1, old
        lines[lines.index(old)] = new
    path = tmp_path / name
    path.write_text("\n".join([*lines, *([add] if add else [])]) + "\n", encoding="utf-8")
    return path


MALE_HARTLEPOOL = (
    "10101,Children in low income families (under 16s),E06000001,Hartlepool,Counties & UAs,"
    "Male,<16 yrs,,,2008,30.1,29.1,31.1,2700,8970,"
)


@pytest.fixture
def loaded(empty_lake):
    con = open_warehouse(empty_lake)
    outcome = load(con, empty_lake, BREAKDOWNS)
    assert outcome.status == "committed", (outcome.message, outcome.report.rows())
    yield con, outcome, empty_lake
    con.close()


def test_the_default_rows_are_observations_and_the_rest_are_breakdowns(loaded):
    con, outcome, _ = loaded
    # By hand: two Persons rows are the defaults; 2 sexes + 2 deciles per area are breakdowns.
    observations = query(
        con,
        "SELECT area_code, period, value, count, denominator FROM current_observations "
        "WHERE indicator_id = 'NI 116' ORDER BY area_code",
    )
    assert observations.rows() == [
        (HARTLEPOOL, "2008", 29.5, 5230.0, 17729.0),
        (MIDDLESBROUGH, "2008", 33.3, 9030.0, 27117.0),
    ]
    stored = query(
        con,
        "SELECT area_code, sex, category, value FROM observation_breakdowns "
        "WHERE batch_id = ? ORDER BY area_code, value",
        [outcome.batch_id],
    )
    assert stored.rows() == [
        (HARTLEPOOL, "Persons", "Least deprived decile", 12.0),
        (HARTLEPOOL, "Female", "", 28.9),
        (HARTLEPOOL, "Male", "", 30.1),
        (HARTLEPOOL, "Persons", "Most deprived decile", 35.0),
        (MIDDLESBROUGH, "Persons", "Least deprived decile", 15.0),
        (MIDDLESBROUGH, "Female", "", 32.6),
        (MIDDLESBROUGH, "Male", "", 34.0),
        (MIDDLESBROUGH, "Persons", "Most deprived decile", 40.0),
    ]
    # Ten rows in the file, all new: two observations and eight breakdowns.
    assert (outcome.rows_new, outcome.rows_revised, outcome.rows_unchanged) == (10, 0, 0)
    assert outcome.skipped is None or outcome.skipped.is_empty()
    assert "8 breakdown row(s)" in outcome.message


def test_the_area_profile_reader_gives_an_areas_breakdowns_with_no_category_as_null(loaded):
    con, _, _ = loaded
    found = area_breakdowns(con, HARTLEPOOL)
    assert found.select("sex", "age", "category_type", "category", "value").rows() == [
        ("Female", "<16 yrs", None, None, 28.9),
        ("Male", "<16 yrs", None, None, 30.1),
        ("Persons", "<16 yrs", "Deprivation decile", "Least deprived decile", 12.0),
        ("Persons", "<16 yrs", "Deprivation decile", "Most deprived decile", 35.0),
    ]
    assert set(found["indicator_id"]) == {"NI 116"}
    assert indicators_with_breakdowns(con) == ["NI 116"]


def test_the_explorer_reader_filters_breakdowns_by_sex_and_area(loaded):
    con, _, _ = loaded
    males = indicator_breakdowns(con, "NI 116", sex="Male")
    assert males.select("area_code", "value").rows() == [(HARTLEPOOL, 30.1), (MIDDLESBROUGH, 34.0)]
    deciles = indicator_breakdowns(
        con, "NI 116", [MIDDLESBROUGH], category_type="Deprivation decile"
    )
    assert deciles.select("category", "value").rows() == [
        ("Least deprived decile", 15.0),
        ("Most deprived decile", 40.0),
    ]
    # A filter value is bound, never part of the SQL text.
    assert indicator_breakdowns(con, "NI 116", sex="Male' OR '1'='1").is_empty()


def test_withdrawing_the_batch_hides_its_breakdowns(loaded):
    con, outcome, _ = loaded
    withdraw_batch(con, outcome.batch_id, "admin", reason="test")
    assert query(con, "SELECT count(*) AS n FROM current_observation_breakdowns")["n"][0] == 0
    assert area_breakdowns(con, HARTLEPOOL).is_empty()
    # Nothing is deleted: the rows are still in the table.
    assert query(con, "SELECT count(*) AS n FROM observation_breakdowns")["n"][0] == 8


def test_a_revision_of_one_male_value_lists_exactly_that_row(loaded, tmp_path):
    con, _, settings = loaded
    revised_line = MALE_HARTLEPOOL.replace(",30.1,", ",30.5,")
    path = rewritten(tmp_path, "revised.csv", {MALE_HARTLEPOOL: revised_line})
    outcome = load(con, settings, path)
    assert outcome.status == "needs-confirmation", outcome.message
    assert (outcome.rows_new, outcome.rows_revised, outcome.rows_unchanged) == (0, 1, 9)
    changes = outcome.changes.select(
        "indicator_id", "area_code", "period", "sex", "age", "category", "field", "old", "new"
    )
    assert changes.rows() == [
        ("NI 116", HARTLEPOOL, "2008", "Male", "<16 yrs", "", "value", "30.1", "30.5")
    ]
    # The defaults are untouched, so no comparison with England changes.
    assert outcome.status_changes is None or outcome.status_changes.is_empty()


def test_a_repeated_breakdown_is_refused_naming_both_rows(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    # Row 12 (the added line) repeats row 3's key (Hartlepool, 2008, Male, <16 yrs) with
    # another value.
    path = rewritten(tmp_path, "repeated.csv", add=MALE_HARTLEPOOL.replace(",30.1,", ",30.4,"))
    outcome = load(con, empty_lake, path)
    assert outcome.status == "refused"
    errors = outcome.report.filter(pl.col("severity") == "error")
    assert errors.select("row", "message").rows() == [
        (
            12,
            "Duplicate breakdown (indicator, area, period and Male, <16 yrs): row 3 has the "
            "same key. Keep one row per key.",
        )
    ]
    assert query(con, "SELECT count(*) AS n FROM observation_breakdowns")["n"][0] == 0
    assert query(con, "SELECT count(*) AS n FROM observations")["n"][0] == 0


# ----------------------------------------------------------------- pages (AppTest)

# Hartlepool's breakdowns in the file, by hand: sex, age, category, value, 95% interval.
HARTLEPOOL_SHOWN = [
    ("Female", "<16 yrs", "none", 28.9, "27.9 to 29.9"),
    ("Male", "<16 yrs", "none", 30.1, "29.1 to 31.1"),
    ("Persons", "<16 yrs", "Least deprived decile (Deprivation decile)", 12.0, "11.0 to 13.0"),
    ("Persons", "<16 yrs", "Most deprived decile (Deprivation decile)", 35.0, "34.0 to 36.0"),
]


@pytest.fixture
def app_with_breakdowns(demo_copy, apps_on):
    con = open_warehouse(demo_copy)
    outcome = load(con, demo_copy, BREAKDOWNS, confirm_revisions=True)
    con.close()
    assert outcome.status == "committed", (outcome.message, outcome.report.rows())
    return apps_on(demo_copy)


def frames_of(at) -> list[pl.DataFrame]:
    return [pl.from_pandas(frame.value) for frame in at.dataframe]


def test_the_area_profile_shows_the_breakdowns_of_an_indicator(app_with_breakdowns):
    at = app_with_breakdowns().run()
    at.query_params.update(region="E12000001", area=HARTLEPOOL, department="")
    at.switch_page("views/area_profile.py").run()
    assert not at.exception
    assert "Breakdowns" in [h.value for h in at.header]
    texts = [t.value for t in at.text]
    assert any("(NI 116), 2008: 4 breakdown(s) by sex, age or category" in t for t in texts)
    tables = [
        f for f in frames_of(at) if f.columns == ["sex", "age", "category", "value", "interval"]
    ]
    assert [t.rows() for t in tables] == [HARTLEPOOL_SHOWN]


def test_the_explorer_shows_breakdowns_on_request_filtered_by_sex(app_with_breakdowns):
    at = app_with_breakdowns().run()
    at.query_params.update(region="E12000001", indicator_ids="NI 116", chart="NI 116")
    at.switch_page("views/explorer.py").run()
    assert not at.exception
    assert "Breakdowns" not in [h.value for h in at.header]
    at.toggle(key="ex_breakdowns").set_value(True).run()
    assert "Breakdowns" in [h.value for h in at.header]
    at.selectbox(key="ex_breakdown_sex").set_value("Male").run()
    assert not at.exception
    table = next(f for f in frames_of(at) if "interval" in f.columns)
    # The two Male rows of the file, Hartlepool then Middlesbrough.
    assert table.select("area_name", "sex", "value", "interval").rows() == [
        ("Hartlepool", "Male", 30.1, "29.1 to 31.1"),
        ("Middlesbrough", "Male", 34.0, "33.0 to 35.0"),
    ]
