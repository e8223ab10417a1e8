"""Layouts analysts really have, converted to the native table that validation checks."""

from __future__ import annotations

import polars as pl
import pytest
import xlsxwriter

from pipelines.formats import (
    UnknownLayout,
    WideMapping,
    detect_layout,
    fingertips,
    ons,
    suggest_mapping,
    to_native,
    wide_to_native,
)
from pipelines.formats.conversion import NATIVE_COLUMNS, period_label
from pipelines.load import load_frame, lookups
from pipelines.readers import read_table
from pipelines.validate import Lookups, validate_observations
from tests.conftest import FILES, shared_file
from warehouse import open_warehouse

ONS_DATA = "samples/ons_subnational_indicators_machine_readable.csv"
ONS_METADATA = "samples/ons_subnational_indicators_metadata.csv"


def table(rows: dict[str, list]) -> pl.DataFrame:
    """Returns cells as text with ``_row`` from 2, as the reader gives them."""
    frame = pl.DataFrame(rows, schema={name: pl.String for name in rows})
    return frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))


# ------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("columns", "layout"),
    [
        (["indicator_id", "area_code", "period", "value"], "native"),
        (["Indicator ID", "AREA_CODE", "Period", "Value", "note"], "native"),
        (["Indicator ID", "Area Code", "Time period", "Value", "Category Type"], "fingertips"),
        (["AREACD", "AREANM", "Indicator", "Period", "Value", "MAD"], "ons_tidy"),
        (["indicator_id", "area_code", "2006/07", "2007/08"], "wide"),
        (["area_code", "2006", "2007-08", "2008/09 Q1"], "wide"),
        (["area_code", "2008/09", "value"], "unknown"),
        (["something", "else"], "unknown"),
    ],
)
def test_the_layout_is_named_from_the_header(columns, layout):
    assert detect_layout(table({c: ["x"] for c in columns})) == layout


def test_an_unknown_layout_is_read_as_the_template_so_validation_names_what_is_missing(
    memory_con,
):
    converted = to_native(table({"indicator_id": ["NI 116"], "area_code": ["E06000001"]}))
    assert converted.layout == "unknown"
    assert "read as the template" in converted.notes[0]
    _, report = validate_observations(converted.table, lookups(memory_con))
    assert "Required column(s) period, value are missing" in report["message"][0]


def test_a_layout_asked_for_by_name_must_exist():
    with pytest.raises(UnknownLayout, match="Unknown layout 'csv'"):
        to_native(table({"x": ["1"]}), "csv")


# ------------------------------------------------------------------------- native


def test_the_native_template_passes_through_with_its_spelling_forgiven():
    source = table(
        {
            "Indicator ID": ["NI 116"],
            "Area Code": ["E06000001"],
            "period": ["2008"],
            "value": ["1"],
            "extra": ["x"],
        }
    )
    converted = to_native(source)
    assert converted.layout == "native"
    assert converted.table.columns == [
        "_row",
        "indicator_id",
        "area_code",
        "period",
        "value",
        "extra",
    ]
    assert converted.skipped_count == 0
    assert "'Indicator ID' as indicator_id" in converted.notes[0]


# ------------------------------------------------------------------------- Fingertips


@pytest.fixture
def fingertips_export() -> pl.DataFrame:
    return read_table(FILES / "fingertips_export.csv")


def test_a_fingertips_export_keeps_headline_rows_and_its_breakdowns_apart(fingertips_export):
    converted = to_native(fingertips_export)
    assert converted.layout == "fingertips"
    assert converted.table.columns == NATIVE_COLUMNS
    # Row 7 of the file is England's most deprived decile: a breakdown, not skipped.
    assert 7 not in converted.table["_row"].to_list()
    assert 7 not in converted.skipped["row"].to_list()
    breakdown = converted.breakdowns.row(0, named=True)
    assert converted.breakdowns.height == 1
    assert (breakdown["_row"], breakdown["area_code"], breakdown["value"]) == (
        7,
        "E92000001",
        "38.1",
    )
    assert (breakdown["sex"], breakdown["age"]) == ("Persons", "<16 yrs")
    assert breakdown["category_type"] == "County & UA deprivation deciles in England (IMD2010)"
    assert breakdown["category"] == "Most deprived decile (IMD2010)"
    assert any("1 breakdown row(s)" in note for note in converted.notes)


def test_fingertips_ids_become_ours_and_rows_keep_their_file_row(fingertips_export):
    converted = to_native(fingertips_export, indicator_ids={"10101": "NI 116"})
    hartlepool = converted.table.filter(pl.col("_row") == 4).row(0, named=True)
    assert hartlepool == {
        "_row": 4,
        "indicator_id": "NI 116",
        "area_code": "E06000001",
        "period": "2008",
        "value": "29.5",
        "lower_ci_95": "28.8",
        "upper_ci_95": "30.2",
        "lower_ci_99_8": "28.4",
        "upper_ci_99_8": "30.6",
        "count": "5230",
        "denominator": "17729",
        "note": None,
    }
    assert "NI 116" not in converted.proposed_indicators["indicator_id"].to_list()


def test_fingertips_ids_without_a_mapping_are_proposed_as_ft_ids(fingertips_export):
    converted = to_native(fingertips_export)
    proposed = converted.proposed_indicators
    assert proposed["indicator_id"].to_list() == [
        "FT 10101",
        "FT 90366 (Male)",
        "FT 90366 (Female)",
    ]
    assert proposed["name"][0] == "Children in low income families (under 16s)"
    assert proposed["polarity"].null_count() == 3  # a Fingertips export does not say


def test_a_suppressed_fingertips_value_keeps_its_note(fingertips_export):
    converted = to_native(fingertips_export)
    redcar = converted.table.filter(pl.col("area_code") == "E06000003").row(0, named=True)
    assert redcar["value"] == "*"
    assert redcar["note"] == "Value suppressed for disclosure control"


def test_a_three_year_fingertips_period_is_loaded_as_its_last_year_and_says_so(fingertips_export):
    converted = to_native(fingertips_export)
    male = converted.table.filter(pl.col("indicator_id") == "FT 90366 (Male)").row(0, named=True)
    assert male["period"] == "2008"
    assert male["note"] == "Period in the source: 2006 - 08"
    assert any("'2006 - 08' covers 3 years" in note for note in converted.notes)


def test_an_area_listed_under_two_area_types_is_loaded_once(fingertips_export):
    converted = to_native(fingertips_export)
    repeat = converted.skipped.filter(pl.col("row") == 11)
    assert repeat["message"][0].startswith("Repeats row 9 exactly")
    # The repeat alone: the breakdown row 7 is loaded as a breakdown (issue 12 item 11).
    assert converted.skipped_count == 1


def test_a_converted_fingertips_export_passes_validation_where_its_ids_are_known(
    fingertips_export, memory_con
):
    converted = to_native(fingertips_export, indicator_ids={"10101": "NI 116"})
    clean, report = validate_observations(converted.table, lookups(memory_con))
    errors = report.filter(pl.col("severity") == "error")
    # Only the life-expectancy rows fail: FT 90366 is not in our catalogue yet.
    assert errors.select("row", "column").rows() == [(9, "indicator_id"), (10, "indicator_id")]
    assert clean.filter(pl.col("area_code") == "E06000003")["note"][0] == (
        "Suppressed (*): Value suppressed for disclosure control"
    )


def test_a_converted_fingertips_export_loads_as_one_batch(fingertips_export, empty_lake):
    converted = to_native(fingertips_export, indicator_ids={"10101": "NI 116"})
    rows = converted.table.filter(pl.col("indicator_id") == "NI 116")
    con = open_warehouse(empty_lake)
    try:
        outcome = load_frame(
            con,
            rows,
            kind="indicators",
            file_name="fingertips_export.csv",
            sha256="f" * 64,
            operator="test",
        )
    finally:
        con.close()
    assert outcome.status == "committed", outcome.report
    assert outcome.rows_new == 6


def test_a_fingertips_workbook_is_detected_like_its_csv(tmp_path, fingertips_export):
    path = tmp_path / "fingertips.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    source = fingertips_export.drop("_row")
    sheet.write_row(0, 0, source.columns)
    for r, row in enumerate(source.iter_rows(), start=1):
        sheet.write_row(r, 0, [float(v) if v and v.replace(".", "").isdigit() else v for v in row])
    book.close()
    from_workbook = to_native(read_table(path))
    from_csv = to_native(fingertips_export)
    assert from_workbook.layout == "fingertips"
    assert from_workbook.table.select("_row", "indicator_id", "area_code", "period").equals(
        from_csv.table.select("_row", "indicator_id", "area_code", "period")
    )


def test_a_fingertips_table_without_its_key_columns_is_refused():
    with pytest.raises(UnknownLayout, match="Time period"):
        fingertips.to_native(
            table({"Indicator ID": ["1"], "Area Code": ["E06000001"], "Value": ["1"]})
        )


# ------------------------------------------------------------------------- wide


def test_a_wide_table_is_melted_to_one_row_per_period_keeping_its_rows():
    converted = to_native(read_table(FILES / "wide_indicator_by_year.csv"))
    assert converted.layout == "wide"
    got = converted.table.select("_row", "indicator_id", "area_code", "period", "value").rows()
    assert got == [
        (2, "NI 116", "E06000001", "2006/07", "28.1"),
        (2, "NI 116", "E06000001", "2007/08", "28.9"),
        (2, "NI 116", "E06000001", "2008/09", "29.5"),
        (3, "NI 116", "E06000002", "2006/07", "32.0"),
        (3, "NI 116", "E06000002", "2008/09", "33.3"),
        (4, "NI 56", "00EB", "2006/07", "21.4"),
        (4, "NI 56", "00EB", "2007/08", "22.0"),
        (4, "NI 56", "00EB", "2008/09", "21.8"),
    ]
    assert converted.skipped.rows() == [
        (3, "2007/08", None, "No value for 2007/08: nothing to load.")
    ]
    assert any("'area_name' are not used" in note for note in converted.notes)


def test_the_suggested_mapping_names_each_column_for_the_analyst_to_confirm():
    mapping = suggest_mapping(read_table(FILES / "wide_indicator_by_year.csv"))
    assert mapping == WideMapping(
        area_code="area_code",
        periods={"2006/07": "2006/07", "2007/08": "2007/08", "2008-09": "2008/09"},
        indicator_id="indicator_id",
    )


def test_columns_are_recognised_by_their_cells_when_their_names_say_nothing():
    source = table(
        {
            "LA": ["E06000001", "00EB"],
            "Measure": ["NI 116", "ni 56"],
            "2008": ["1", "2"],
            "2009": ["3", "4"],
        }
    )
    mapping = suggest_mapping(source)
    assert (mapping.area_code, mapping.indicator_id) == ("LA", "Measure")


def test_a_mapping_given_by_the_analyst_can_fix_one_indicator_for_the_whole_table():
    source = table({"Authority": ["E06000001"], "Year 1": ["28.1"], "Year 2": ["28.9"]})
    mapping = WideMapping(
        area_code="Authority",
        periods={"Year 1": "2006/07", "Year 2": "2007/08"},
        fixed_indicator_id="NI 116",
    )
    converted = wide_to_native(source, mapping)
    assert converted.table.select("indicator_id", "period", "value").rows() == [
        ("NI 116", "2006/07", "28.1"),
        ("NI 116", "2007/08", "28.9"),
    ]
    assert to_native(source, "unknown", mapping=mapping).table.equals(converted.table)


@pytest.mark.parametrize(
    ("mapping", "says"),
    [
        (
            WideMapping(area_code="LA", periods=["2008"], fixed_indicator_id="NI 116"),
            "does not have",
        ),
        (WideMapping(area_code=None, periods=["2008"], fixed_indicator_id="NI 116"), "area codes"),
        (
            WideMapping(area_code="area_code", periods=[], fixed_indicator_id="NI 116"),
            "which columns hold values",
        ),
        (WideMapping(area_code="area_code", periods=["2008"]), "indicator"),
        (
            WideMapping(
                area_code="area_code", periods={"2008": "last year"}, fixed_indicator_id="NI 116"
            ),
            "Give each period column",
        ),
    ],
)
def test_an_incomplete_mapping_is_refused_saying_what_is_missing(mapping, says):
    source = table({"area_code": ["E06000001"], "2008": ["1"]})
    with pytest.raises(UnknownLayout, match=says):
        wide_to_native(source, mapping)


# ------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    ("source", "label", "explained"),
    [
        ("2008/09", "2008/09", False),
        ("2008", "2008", False),
        ("2008/09 Q1", "2008/09 Q1", False),
        ("201920", "2019/20", True),
        ("201820", "2020", True),
        ("2016 - 18", "2018", True),
        ("2017-2019", "2019", True),
        ("2016/17 - 18/19", "2018/19", True),
        ("Jan 2020", "Jan 2020", False),  # left for validation to report
    ],
)
def test_publishers_periods_map_to_our_labels(source, label, explained):
    got, explanation = period_label(source)
    assert got == label
    assert (explanation is not None) == explained


# ------------------------------------------------------------------------- ONS tidy


def ons_table() -> pl.DataFrame:
    return table(
        {
            "AREACD": [
                "E06000001",
                "W06000001",
                "S12000005",
                "E07000009",
                "E06000001",
                "E06000002",
            ],
            "AREANM": [
                "Hartlepool",
                "Isle of Anglesey",
                "Clackmannanshire",
                "East Cambridgeshire",
                "Hartlepool",
                "Middlesbrough",
            ],
            "Geography": [
                "Unitary Authority",
                "Unitary Authority",
                "Council Area",
                "Non-metropolitan District",
                "Unitary Authority",
                "Unitary Authority",
            ],
            "Indicator": ["Smoking prevalence of adults"] * 4
            + ["Median Weekly Pay", "Median Weekly Pay"],
            "Category": ["Health"] * 4 + ["Pay", "Pay"],
            "Period": ["201820", "201820", "201820", "201820", "2021", "2021"],
            "Measure": ["Percentage"] * 4 + ["Pounds", "Pounds"],
            "Unit": ["%"] * 4 + ["£", "£"],
            "Value": ["14.1", "15.0", "16.2", "12.3", "512.4", "NA"],
        }
    )


def ons_metadata() -> pl.DataFrame:
    return table(
        {
            "Worksheet": ["PAYweekMEDIAN", "Smoke"],
            "Indicator": ["Gross median weekly pay", "Adults that currently smoke cigarettes"],
            "Shortened": ["Gross median weekly pay", "Cigarette smokers"],
            "Polarity": [None, "Negative"],
            "Unit": ["£", "%"],
        }
    )


def test_an_ons_file_keeps_english_areas_and_counts_the_others():
    converted = ons.to_native(ons_table(), ons_metadata())
    assert converted.layout == "ons_tidy"
    assert converted.table["area_code"].to_list() == ["E06000001", "E07000009", "E06000001"]
    outside = converted.skipped.filter(pl.col("column") == "AREACD")
    assert outside["row"].to_list() == [3, 4]
    assert "W06000001 (Unitary Authority) is a Welsh area" in outside["message"][0]
    assert "a Scottish area" in outside["message"][1]
    no_value = converted.skipped.filter(pl.col("column") == "Value")
    assert no_value["row"].to_list() == [7]


def test_ons_indicators_get_the_metadatas_ids_polarity_and_units():
    converted = ons.to_native(ons_table(), ons_metadata())
    assert converted.table["indicator_id"].unique(maintain_order=True).to_list() == [
        "ONS Smoke",
        "ONS PAYweekMEDIAN",
    ]
    proposed = {
        row["indicator_id"]: row for row in converted.proposed_indicators.iter_rows(named=True)
    }
    assert proposed["ONS Smoke"]["polarity"] == "lower"
    assert proposed["ONS Smoke"]["value_type"] == "proportion"
    assert proposed["ONS Smoke"]["unit"] == "%"
    assert proposed["ONS PAYweekMEDIAN"]["polarity"] == "none"
    assert proposed["ONS PAYweekMEDIAN"]["unit"] == "£"
    assert any("no polarity for 1 indicator" in note for note in converted.notes)


def test_an_ons_three_year_period_is_loaded_as_its_last_year_and_says_so():
    converted = ons.to_native(ons_table(), ons_metadata())
    smoking = converted.table.filter(pl.col("indicator_id") == "ONS Smoke").row(0, named=True)
    assert (smoking["period"], smoking["note"]) == ("2020", "Period in the source: 201820")


def test_without_metadata_ons_ids_come_from_the_names():
    converted = ons.to_native(ons_table())
    ids = converted.table["indicator_id"].unique().to_list()
    assert any(i.startswith("ONS smoking-prevalence-adults-") for i in ids), ids
    assert converted.proposed_indicators["polarity"].null_count() == 2


def test_the_real_ons_file_converts_keeping_every_english_row():
    source = read_table(shared_file(ONS_DATA))
    metadata = ons.read_metadata(shared_file(ONS_METADATA))
    assert detect_layout(source) == "ons_tidy"
    converted = to_native(source, metadata=metadata)

    english = source.filter(pl.col("AREACD").str.contains(r"^E\d{8}$"))
    not_published = converted.skipped.filter(pl.col("column") == "Value")
    # Four English rows carry another area's code (one Buckinghamshire, three Inner London).
    miscoded = converted.skipped.filter(pl.col("message").str.contains("disagree"))
    assert miscoded.height == 4
    kept = set(converted.table["_row"]) | set(not_published["row"]) | set(miscoded["row"])
    assert converted.table.height + not_published.height + 4 == english.height
    assert kept == set(english["_row"])
    outside = converted.skipped.filter(pl.col("message").str.contains("only English areas"))
    assert outside.height == source.height - english.height > 1000
    assert converted.skipped_count == outside.height + not_published.height + 4
    assert converted.table["_row"].min() == 4  # two lines of preamble, then the header on row 3


def test_the_real_ons_indicators_carry_polarity_and_unit_from_the_metadata():
    converted = to_native(
        read_table(shared_file(ONS_DATA)), metadata=ons.read_metadata(shared_file(ONS_METADATA))
    )
    proposed = {
        row["indicator_id"]: row for row in converted.proposed_indicators.iter_rows(named=True)
    }
    assert set(proposed) == set(converted.table["indicator_id"])
    assert len(proposed) >= 30
    assert all(row["polarity"] in ("higher", "lower", "none") for row in proposed.values())
    assert proposed["ONS Smoke"]["polarity"] == "lower"
    assert proposed["ONS Homicide"]["polarity"] == "lower"
    assert proposed["ONS TIMEtravelWORKCar"]["unit"] == "mins"
    assert proposed["ONS RateEmployment"]["value_type"] == "proportion"
    assert proposed["ONS Under75MortalityRate"]["unit"] == "per 100,000 population"
    assert proposed["ONS Under75MortalityRate"]["multiplier"] == 100_000
    assert proposed["ONS GVAperhourworked"]["unit"] == "£"
    assert proposed["ONS GVAperhourworked"]["polarity"] == "none"


def test_the_real_ons_file_leaves_only_area_and_indicator_questions_to_validation(memory_con):
    converted = to_native(
        read_table(shared_file(ONS_DATA)), metadata=ons.read_metadata(shared_file(ONS_METADATA))
    )
    known = Lookups(
        area_codes=lookups(memory_con).area_codes,
        indicators=converted.proposed_indicators.select("indicator_id", "value_type"),
    )
    _, report = validate_observations(converted.table, known)
    errors = report.filter(pl.col("severity") == "error")
    # Every period reads and every value is a number; what remains is areas of a later
    # structure (or kinds we do not hold, such as police force areas) and repeated keys.
    assert set(errors["column"]) <= {"area_code", "indicator_id"}
    assert (
        errors.filter(pl.col("column") == "area_code")["message"]
        .str.contains("Unknown or retired")
        .all()
    )


def test_a_conversion_remembers_which_file_column_each_template_column_came_from(fingertips_export):
    converted = to_native(fingertips_export)
    assert converted.source_columns["value"] == "Value"
    assert converted.source_columns["period"] == "Time period"
    assert converted.source_columns["note"] == "Value note"
    assert ons.to_native(ons_table()).source_columns["area_code"] == "AREACD"
