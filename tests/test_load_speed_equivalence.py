"""The quick paths of a large load give the same answers as reading every cell slowly would:
spaces around numbers, ids written differently, rows in any order, a bad row deep in a file."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from pipelines.plausibility import Thresholds, observation_warnings
from pipelines.readers import UnreadableFile, read_table
from pipelines.validate import Lookups, validate_observations
from warehouse.previous_values import PREVIOUS_SCHEMA

LOOKUPS = Lookups(
    area_codes=pl.DataFrame(
        {
            "code": ["E06000001", "00EB"],
            "area_code": ["E06000001", "E06000001"],
            "tier": ["ua", "ua"],
        }
    ),
    indicators=pl.DataFrame({"indicator_id": ["NI 116"], "value_type": ["proportion"]}),
)
HEADER = "indicator_id,area_code,period,value,lower_ci_95,upper_ci_95,lower_ci_99_8,upper_ci_99_8,count,denominator,note"


def cells(*rows: tuple) -> pl.DataFrame:
    """A table of text cells as the readers return it, numbered from spreadsheet row 2."""
    names = HEADER.split(",")
    frame = pl.DataFrame(
        [dict(zip(names, row, strict=True)) for row in rows], schema=dict.fromkeys(names, pl.String)
    )
    return frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))


def test_numbers_with_spaces_around_them_or_thousands_separators_are_read_as_numbers():
    clean, report = validate_observations(
        cells(
            ("NI 116", "E06000001", "2008/09", " 12.5 ", "", "", "", "", "\t3", "1,234", ""),
            ("NI 116", "E06000001", "2009/10", "13", "", "", "", "", "4", "1234", ""),
        ),
        LOOKUPS,
    )
    assert report.is_empty()
    assert clean.select("value", "count", "denominator").rows() == [
        (12.5, 3.0, 1234.0),
        (13.0, 4.0, 1234.0),
    ]


def test_text_that_is_not_a_number_is_reported_even_among_plain_numbers():
    _, report = validate_observations(
        cells(
            ("NI 116", "E06000001", "2008/09", "12", "", "", "", "", "3", "10", ""),
            ("NI 116", "E06000001", "2009/10", " 12 % ", "", "", "", "", "x", "10", ""),
        ),
        LOOKUPS,
    )
    assert report.select("row", "column", "value").rows() == [(3, "value", " 12 % ")]


def test_ids_and_codes_written_differently_for_the_same_key_are_duplicates():
    _, report = validate_observations(
        cells(
            ("NI116", "E06000001", "2008/09", "12", "", "", "", "", "", "", ""),
            ("NI 116", "00EB", "2008/09", "13", "", "", "", "", "", "", ""),
        ),
        LOOKUPS,
    )
    assert report.select("row", "column").rows() == [(3, "indicator_id")]
    assert "row 2 has the same key" in report["message"][0]


def test_a_suppressed_value_keeps_its_mark_and_note_and_other_notes_pass_through():
    clean, report = validate_observations(
        cells(
            ("NI 116", "E06000001", "2007/08", " x ", "", "", "", "", "", "", "small numbers"),
            ("NI 116", "E06000001", "2008/09", "12", "", "", "", "", "", "", "  "),
            ("NI 116", "E06000001", "2009/10", "13", "", "", "", "", "", "", "revised"),
        ),
        LOOKUPS,
    )
    assert report.is_empty()
    assert clean["note"].to_list() == ["Suppressed (x): small numbers", None, "revised"]


def test_the_previous_period_is_found_whatever_the_order_of_the_rows_and_within_each_frequency():
    year = {
        "2006/07": date(2007, 3, 31),
        "2007/08": date(2008, 3, 31),
        "2008/09": date(2009, 3, 31),
    }
    quarter = {"2008/09 Q1": date(2008, 6, 30), "2008/09 Q2": date(2008, 9, 30)}
    frame = pl.DataFrame(
        [
            ("NI 116", "E06000001", "2008/09", year["2008/09"], "financial_year", 40.0, 6),
            (
                "NI 116",
                "E06000001",
                "2008/09 Q2",
                quarter["2008/09 Q2"],
                "financial_quarter",
                10.0,
                7,
            ),
            ("NI 116", "E06000001", "2006/07", year["2006/07"], "financial_year", 10.0, 2),
            (
                "NI 116",
                "E06000001",
                "2008/09 Q1",
                quarter["2008/09 Q1"],
                "financial_quarter",
                11.0,
                9,
            ),
            ("NI 116", "E06000001", "2007/08", year["2007/08"], "financial_year", None, 4),
        ],
        schema={
            "indicator_id": pl.String,
            "area_code": pl.String,
            "period": pl.String,
            "period_end": pl.Date,
            "frequency": pl.String,
            "value": pl.Float64,
            "_row": pl.Int64,
        },
        orient="row",
    ).with_columns(count=pl.lit(None, pl.Float64))
    catalogue = pl.DataFrame(
        {"indicator_id": ["NI 116"], "unit": ["%"], "value_type": ["score"], "multiplier": [None]}
    )
    report = observation_warnings(
        frame, catalogue, pl.DataFrame(schema=PREVIOUS_SCHEMA), Thresholds(jump_factor=3.0)
    )
    # 2008/09 (40) follows 2006/07 (10): 2007/08 has no value. The quarters differ by less
    # than the factor, and are not compared with the years.
    assert report.select("row", "column").rows() == [(6, "value")]
    assert "previous period (2006/07: 10.0)" in report["message"][0]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_row_with_too_many_cells_balanced_by_one_with_too_few_is_still_named(tmp_path):
    good = "NI 116,E06000001,2008/09,12,,,,,,,"
    lines = [good] * 300
    lines[149] = good[:-1]
    lines[250] = good + ","
    with pytest.raises(UnreadableFile) as refused:
        read_table(write(tmp_path, "\n".join([HEADER, *lines]) + "\n"))
    assert "row 151 has 10 cells; row 252 has 12 cells" in str(refused.value)
    assert refused.value.row == 151


@pytest.mark.parametrize("end", ["", "\n", "\r\n"])
def test_an_extra_cell_on_the_last_line_is_refused_with_or_without_a_line_ending(tmp_path, end):
    good = "NI 116,E06000001,2008/09,12,,,,,,,"
    text = "\n".join([HEADER, good, good[:-1], good + ","]) + end
    with pytest.raises(UnreadableFile) as refused:
        read_table(write(tmp_path, text))
    assert "row 3 has 10 cells; row 4 has 12 cells" in str(refused.value)


def test_blank_lines_quoted_values_and_a_missing_last_line_ending_still_read(tmp_path):
    text = "\n".join(
        [
            HEADER,
            "NI 116,E06000001,2007/08,12,,,,,,,",
            "",
            'NI 116,E06000001,2008/09,13,,,,,,,"a note, with a comma"',
            "NI 116,E06000001,2009/10,14,,,,,,,",
        ]
    )
    table = read_table(write(tmp_path, text))
    assert table.select("_row", "value", "note").rows() == [
        (2, "12", ""),
        (4, "13", "a note, with a comma"),
        (5, "14", ""),
    ]
