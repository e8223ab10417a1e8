"""AppTest drives the analyst's whole journey: upload, report, revisions, commit, roll back."""

from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from warehouse import open_warehouse
from warehouse.settings import get_settings

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
KEY = ("NI 116", "E06000001", "2008/09")


@pytest.fixture
def app(demo_copy, monkeypatch):
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(demo_copy.data_dir))
    monkeypatch.setenv("OUTCOMES_DEMO_ON_FIRST_START", "false")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    yield at, demo_copy
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


def current_value(settings) -> float:
    con = open_warehouse(settings)
    value = con.execute(
        "SELECT value FROM current_observations WHERE indicator_id = ? AND area_code = ? AND period = ?",
        list(KEY),
    ).fetchone()[0]
    con.close()
    return value


FIELD_WORDS = {
    "lower_ci_95": "lower 95% limit",
    "upper_ci_95": "upper 95% limit",
    "lower_ci_99_8": "lower 99.8% limit",
    "upper_ci_99_8": "upper 99.8% limit",
    "count": "count",
    "denominator": "denominator",
}


def filled_fields(settings) -> list[str]:
    """Returns the fields besides the value that the current row of KEY fills, in order."""
    con = open_warehouse(settings)
    row = con.execute(
        f"SELECT {', '.join(FIELD_WORDS)} FROM current_observations "  # noqa: S608 - our names
        "WHERE indicator_id = ? AND area_code = ? AND period = ?",
        list(KEY),
    ).fetchone()
    con.close()
    return [field for field, cell in zip(FIELD_WORDS, row, strict=True) if cell is not None]


def test_a_bad_file_shows_its_row_level_report_and_cannot_be_loaded(app):
    at, _ = app
    at.run()
    at.switch_page("views/upload.py").run()
    at.file_uploader[0].upload(
        "bad.csv",
        b"indicator_id,area_code,period,value\nNI 116,E06000001,2008/09,lots\n",
        "text/csv",
    ).run()
    assert not at.exception
    report = pl.from_pandas(at.dataframe[0].value)
    assert report.select("row", "column").rows() == [(2, "value")]
    assert any("was not loaded" in e.value for e in at.error)
    assert not [b for b in at.button if b.label == "Load this file"]


def test_upload_preview_revision_confirmation_commit_and_rollback(app):
    at, settings = app
    before = current_value(settings)
    filled = filled_fields(settings)
    at.run()
    at.switch_page("views/upload.py").run()
    text = f"indicator_id,area_code,period,value\n{KEY[0]},{KEY[1]},{KEY[2]},{before + 1.5}\nNI 116,E06000001,2012/13,20.0\n"
    at.file_uploader[0].upload("revision.csv", text.encode(), "text/csv").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"New rows": "1", "Revised rows": "1", "Unchanged rows": "0"}
    revisions = pl.from_pandas(at.dataframe[0].value)
    # Every field that changes is listed: the value, and each field the file leaves empty.
    first = revisions.row(0)
    assert first[:4] == (*KEY, "value")
    assert (float(first[4]), float(first[5])) == (
        pytest.approx(before),
        pytest.approx(before + 1.5),
    )
    emptied = revisions.filter(pl.col("field") != "value")
    assert emptied["field"].to_list() == [FIELD_WORDS[f] for f in filled]
    assert set(emptied["new"]) == {"(none)"}
    assert set(revisions.select("indicator_id", "area_code", "period").rows()) == {KEY}
    assert any(
        t.value.startswith(f"{KEY[0]}, {KEY[1]}, {KEY[2]}: compared with England, this ")
        for t in at.text
    )
    load = at.button(key=[b.key for b in at.button if b.label == "Load this file"][0])
    assert load.disabled  # revisions must be confirmed first
    at.checkbox[0].check().run()
    load = at.button(key=load.key)
    assert not load.disabled
    load.click().run()
    assert not at.exception
    assert any("Loaded revision.csv as batch" in s.value for s in at.success)
    assert current_value(settings) == pytest.approx(before + 1.5)

    at.switch_page("views/batches.py").run()
    assert not at.exception
    assert pl.from_pandas(at.dataframe[0].value)["file_name"][0] == "revision.csv"
    at.text_input(key="rollback_reason").input("typo in the file").run()
    at.checkbox(key="rollback_sure").check().run()
    at.button(key="rollback_go").click().run()
    assert not at.exception
    assert any("withdrawn" in s.value for s in at.success)
    assert current_value(settings) == pytest.approx(before)
    history = pl.from_pandas(at.dataframe[1].value)
    assert history.filter(pl.col("file_name") == "revision.csv")["event"].to_list() == [
        "withdrawn",
        "committed",
    ]


def test_the_ons_sample_loads_through_the_upload_page_and_appears_in_the_explorer(app):
    from tests.conftest import shared_file

    data = shared_file("samples/ons_subnational_indicators_machine_readable.csv")
    metadata = shared_file("samples/ons_subnational_indicators_metadata.csv")
    at, settings = app
    at.run()
    at.switch_page("views/upload.py").run()
    at.file_uploader[0].upload(data.name, data.read_bytes(), "text/csv").run()
    # Item 6: the ONS layout is detected and its metadata file asked for on the page itself,
    # not inside the folded "How the file is laid out" section.
    assert "Add its metadata file" in [h.value for h in at.header]
    assert len(at.file_uploader) == 2
    assert not any(len(e.get("file_uploader")) for e in at.expander)
    at.file_uploader[1].upload(metadata.name, metadata.read_bytes(), "text/csv").run()
    assert not at.exception
    assert "33 new indicators will be created" in [h.value for h in at.header]

    # Item 7: the new indicators are an editable table with their own confirmation.
    editor = at.data_editor[0]
    proposed = pl.from_pandas(editor.value)
    assert proposed.height == 33
    assert proposed["polarity"].value_counts().sort("polarity").rows() == [
        ("lower", 9),
        ("none", 24),
    ]
    row = proposed["polarity"].to_list().index("none")
    chosen = proposed["indicator_id"][row]
    at.session_state[editor.key] = {
        "edited_rows": {row: {"polarity": "higher"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert load_button(at).disabled  # the new indicators are not confirmed yet
    confirm = [c for c in at.checkbox if c.label.startswith("I have checked the 33 new indicators")]
    assert len(confirm) == 1
    confirm[0].check().run()
    assert not load_button(at).disabled
    load_button(at).click().run()
    assert not at.exception
    assert any("33 new indicator(s) created" in s.value for s in at.success)

    con = open_warehouse(settings)
    polarities = dict(
        con.execute(
            "SELECT indicator_id, polarity FROM indicators WHERE indicator_id LIKE 'ONS %'"
        ).fetchall()
    )
    ons_id = min(polarities)
    con.close()
    assert polarities[chosen] == "higher"  # the edited value is the one written
    assert sorted(polarities.values()).count("none") == 23
    at.query_params.clear()
    at.query_params["region"] = "E12000007"
    at.query_params["indicator_ids"] = ons_id
    at.switch_page("views/explorer.py").run()
    assert not at.exception
    table = pl.from_pandas(at.dataframe[0].value)
    assert table.height > 0 and set(table["indicator_id"]) == {ons_id}


def load_button(at):
    return at.button(key=[b.key for b in at.button if b.label == "Load this file"][0])


def test_warnings_are_shown_and_must_be_accepted_before_the_file_loads(app):
    at, settings = app
    at.run()
    at.switch_page("views/upload.py").run()
    text = "indicator_id,area_code,period,value,count\nNI 116,E06000001,2012/13,140,3\n"
    at.file_uploader[0].upload("odd.csv", text.encode(), "text/csv").run()
    assert not at.exception
    report = pl.from_pandas(at.dataframe[0].value)
    assert sorted(report.select("row", "column", "severity").rows()) == [
        (2, "count", "warning"),  # a count of 3
        (2, "value", "warning"),  # a jump from the demo's 2010/11 value
        (2, "value", "warning"),  # a percentage of 140
    ]
    assert any("140.0 is not plausible" in m for m in report["message"])
    assert load_button(at).disabled  # warnings must be accepted first
    accept = [c for c in at.checkbox if c.label.startswith("I have read the 3 warnings")]
    assert len(accept) == 1
    accept[0].check().run()
    assert not load_button(at).disabled
    load_button(at).click().run()
    assert not at.exception
    assert any("3 warning(s) were read and accepted" in s.value for s in at.success)
    con = open_warehouse(settings)
    value = con.execute(
        "SELECT value FROM current_observations WHERE indicator_id = 'NI 116' AND area_code = 'E06000001' AND period = '2012/13'"
    ).fetchone()[0]
    con.close()
    assert value == 140.0


def test_indicator_metadata_is_offered_with_its_templates_and_loads(app):
    at, settings = app
    at.run()
    at.switch_page("views/upload.py").run()
    at.radio(key="upload_kind").set_value("metadata").run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert any("indicator metadata template (CSV)" in label for label in labels)
    assert any("indicator metadata template (XLSX)" in label for label in labels)
    text = (
        "indicator_id,name,unit,value_type,polarity,owner_department_code\n"
        "LOCAL 3,Fuel poverty,%,proportion,lower,DECC\n"
    )
    at.file_uploader[0].upload("metadata.csv", text.encode(), "text/csv").run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["New rows"] == "1"
    load_button(at).click().run()
    assert any("Loaded metadata.csv as batch" in s.value for s in at.success)


def test_a_wide_file_with_one_measure_column_is_mapped_to_a_period_in_the_page(app):
    from tests.conftest import shared_file

    imd = shared_file("samples/imd2010_lad21_england.csv")
    at, settings = app
    at.run()
    at.switch_page("views/upload.py").run()
    at.file_uploader[0].upload(imd.name, imd.read_bytes(), "text/csv").run()
    assert not at.exception
    assert "Match the columns" in [h.value for h in at.header]
    columns = at.data_editor[0]
    review = pl.from_pandas(columns.value)
    assert review["column"].to_list() == ["Score", "Proportion", "Extent"]
    at.session_state[columns.key] = {
        "edited_rows": {0: {"period": "2010", "indicator": "IMD SCORE"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert "1 new indicator will be created" in [h.value for h in at.header]
    new = at.data_editor[1]
    assert pl.from_pandas(new.value)["indicator_id"].to_list() == ["IMD SCORE"]
    # A Score's unit, value type and polarity are not in the file: until they are given,
    # the page says what is missing and the file cannot be loaded.
    assert any("problem(s) with the new indicators" in e.value for e in at.error)
    at.session_state[new.key] = {
        "edited_rows": {0: {"unit": "score", "value_type": "score", "polarity": "lower"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not any("problem(s) with the new indicators" in e.value for e in at.error)
    [c for c in at.checkbox if c.label.startswith("I have checked the 1 new indicator ")][
        0
    ].check().run()
    load_button(at).click().run()
    assert not at.exception
    assert any("Loaded imd2010_lad21_england.csv as batch" in s.value for s in at.success)
    con = open_warehouse(settings)
    loaded = con.execute(
        "SELECT count(*), min(period), max(period) FROM current_observations "
        "WHERE indicator_id = 'IMD SCORE'"
    ).fetchone()
    polarity = con.execute(
        "SELECT polarity FROM indicators WHERE indicator_id = 'IMD SCORE'"
    ).fetchone()[0]
    con.close()
    assert loaded[0] > 250 and loaded[1:] == ("2010", "2010")
    assert polarity == "lower"
