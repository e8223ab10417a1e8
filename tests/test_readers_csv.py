"""Reading CSV: encodings, delimiters, preamble, row numbers, and files refused with a reason."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipelines import readers
from pipelines.readers import UnreadableFile, read_table
from tests.conftest import FILES

HEADER = "indicator_id,area_code,period,value,note\n"


def write(tmp_path: Path, content: str | bytes, name: str = "upload.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_every_cell_is_text_and_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path):
    path = write(
        tmp_path, HEADER + "NI 116,E06000001,2008/09,29.5,\nNI 116,E06000002,2008/09,33,x\n"
    )
    table = read_table(path)
    assert table.columns == ["_row", "indicator_id", "area_code", "period", "value", "note"]
    assert table.schema["_row"] == pl.Int64
    assert all(table.schema[c] == pl.String for c in table.columns if c != "_row")
    assert table["_row"].to_list() == [2, 3]
    assert table["value"].to_list() == ["29.5", "33"]


def test_utf8_with_a_byte_order_mark_reads_the_first_column_name_cleanly():
    table = read_table(FILES / "native_utf8_bom.csv")
    assert table.columns[1] == "indicator_id"
    assert table["value"].to_list() == ["29.5", "1,234.5"]  # thousands are normalise's job


def test_windows_1252_with_semicolons_keeps_the_pound_sign():
    table = read_table(FILES / "native_semicolon_cp1252.csv")
    assert table.columns == [
        "_row",
        "indicator_id",
        "area_code",
        "period",
        "value",
        "count",
        "note",
    ]
    assert table["note"].to_list() == ["Cost £5 per child", "Café survey"]


def test_tab_delimited_text_is_read():
    table = read_table(FILES / "native_tab.csv")
    assert table.row(0, named=True)["area_code"] == "E06000001"


def test_utf16_unicode_text_from_excel_is_read(tmp_path):
    path = write(
        tmp_path, (HEADER.replace(",", "\t") + "NI 116\tE06000001\t2008\t1\t£\n").encode("utf-16")
    )
    assert read_table(path)["note"].to_list() == ["£"]


def test_a_short_preamble_above_the_header_is_skipped_and_rows_keep_their_numbers(tmp_path):
    path = write(
        tmp_path,
        "Figures may not add up because of rounding, see notes\n\n"
        + HEADER
        + "NI 116,E06000001,2008/09,29.5,\n",
    )
    table = read_table(path)
    assert table.columns[1] == "indicator_id"
    assert table["_row"].to_list() == [4]


def test_blank_lines_are_dropped_without_renumbering_the_rows_after_them(tmp_path):
    path = write(
        tmp_path, HEADER + "NI 116,E06000001,2008/09,1,\n\n,,,,\nNI 116,E06000002,2008/09,2,\n\n"
    )
    assert read_table(path)["_row"].to_list() == [2, 5]


def test_a_quoted_value_over_two_lines_counts_as_one_spreadsheet_row(tmp_path):
    path = write(
        tmp_path, HEADER + 'NI 116,E06000001,2008/09,1,"two\nlines"\nNI 116,E06000002,2008/09,2,\n'
    )
    table = read_table(path)
    assert table["note"].to_list() == ["two\nlines", ""]
    assert table["_row"].to_list() == [2, 3]


def test_old_mac_line_endings_are_lines_and_windows_ones_stay_as_they_were(tmp_path):
    rows = ["NI 116,E06000001,2008/09,29.5,", "NI 116,E06000002,2008/09,33,x"]
    for ending in ("\r", "\r\n"):
        table = read_table(write(tmp_path, HEADER.strip() + ending + ending.join(rows) + ending))
        assert table["_row"].to_list() == [2, 3], repr(ending)
        assert table["note"].to_list() == ["", "x"], repr(ending)


def test_a_trailing_delimiter_on_every_line_is_not_a_column(tmp_path):
    path = write(tmp_path, "indicator_id,area_code,\nNI 116,E06000001,\n")
    assert read_table(path).columns == ["_row", "indicator_id", "area_code"]


def test_header_names_are_trimmed(tmp_path):
    path = write(tmp_path, " indicator_id , area_code\nNI 116,E06000001\n")
    assert read_table(path).columns == ["_row", "indicator_id", "area_code"]


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "is empty"),
        (b"\n \n\r\n", "only blank lines"),
        (HEADER.encode(), "no data rows"),
        (b"a,b,a\n1,2,3\n", "repeats the column name(s) 'a'"),
        (b"a,,c\n1,2,3\n", "column 2 has data but no name"),
        (b"a,b\n1,\x002\n", "NUL character in row 2, column b"),
    ],
)
def test_files_that_cannot_be_a_table_are_refused_with_a_reason(tmp_path, content, says):
    with pytest.raises(UnreadableFile, match="upload.csv") as raised:
        read_table(write(tmp_path, content))
    assert says in str(raised.value)


def test_a_header_of_one_column_over_delimited_rows_is_a_wrong_delimiter(tmp_path):
    path = write(tmp_path, "indicator_id area_code period value\nNI 116;E06000001;2008/09;29.5\n")
    with pytest.raises(UnreadableFile) as raised:
        read_table(path)
    message = str(raised.value)
    assert "wrong delimiter" in message
    assert "row 2 splits into 4 columns at semicolons" in message
    assert message.endswith("save the sheet as CSV UTF-8 (comma delimited).")


def test_a_header_and_rows_with_different_delimiters_is_a_wrong_delimiter(tmp_path):
    path = write(tmp_path, "indicator_id;area_code;period;value\nNI 116,E06000001,2008/09,29.5\n")
    with pytest.raises(UnreadableFile, match="wrong delimiter.*row 2 is separated by commas"):
        read_table(path)


def test_rows_with_more_or_fewer_cells_than_the_header_are_named(tmp_path):
    path = write(
        tmp_path,
        HEADER + "NI 116,E06000001,2008/09,1,a,b\nNI 116,E06000002,2008/09,2,\nNI 116,E06000003\n",
    )
    with pytest.raises(UnreadableFile) as raised:
        read_table(path)
    assert "row 2 has 6 cells; row 4 has 2 cells" in str(raised.value)


def test_delimiters_inside_quotes_are_not_cells(tmp_path):
    path = write(tmp_path, HEADER + 'NI 116,E06000001,2008/09,"1,234","a, ""quoted"" note"\n')
    assert read_table(path).row(0, named=True)["note"] == 'a, "quoted" note'


def test_a_quote_that_never_closes_is_named_by_its_row(tmp_path):
    path = write(
        tmp_path, HEADER + 'NI 116,E06000001,2008/09,1,\nNI 116,E06000002,2008/09,2,"open\n'
    )
    with pytest.raises(UnreadableFile, match=r"row 3 could not be read.*quote"):
        read_table(path)


def test_bytes_neither_utf8_nor_windows_1252_are_refused_naming_row_and_column(tmp_path):
    # 0x81 is one of the five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D).
    path = write(tmp_path, HEADER.encode() + b"NI 116,E06000001,2008/09,1,caf\x81\n")
    with pytest.raises(UnreadableFile) as raised:
        read_table(path)
    message = str(raised.value)
    assert "row 2, column note" in message
    assert "0x81" in message
    assert "save it as CSV UTF-8" in message


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    path = write(tmp_path, HEADER + "NI 116,E06000001,2008/09,1,\n" * 100)
    opened = []
    monkeypatch.setattr(readers, "_read_csv", lambda p: opened.append(p))
    monkeypatch.setattr(Path, "read_bytes", lambda p: opened.append(p))
    with pytest.raises(UnreadableFile) as raised:
        read_table(path, max_bytes=1000)
    assert opened == []
    message = str(raised.value)
    assert "upload.csv" in message and "1000 bytes" in message
    assert "Split it into smaller files" in message


def test_the_default_size_limit_applies_when_none_is_given(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "DEFAULT_MAX_BYTES", 10)
    with pytest.raises(UnreadableFile, match="larger than the 10 bytes"):
        read_table(write(tmp_path, HEADER + "NI 116,E06000001,2008/09,1,\n"))


def test_old_excel_workbooks_are_refused_with_what_to_do(tmp_path):
    path = write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old.xls")
    with pytest.raises(UnreadableFile, match=r"old-style Excel workbook \(\.xls\).*save it as"):
        read_table(path)


@pytest.mark.parametrize(
    ("content", "row", "column"),
    [
        (HEADER.encode() + b"NI 116,E06000001,2008/09,1,caf\x81\n", 2, "note"),
        (HEADER + "NI 116,E06000001,2008/09,1,\nNI 116,E06000001\n", 3, None),
        ("indicator_id;area_code\nNI 116,E06000001\n", 2, None),
        (HEADER + 'NI 116,E06000001,2008/09,1,"open\n', 2, None),
    ],
)
def test_a_refusal_in_one_place_carries_its_row_and_column(tmp_path, content, row, column):
    with pytest.raises(UnreadableFile) as raised:
        read_table(write(tmp_path, content))
    assert (raised.value.row, raised.value.column) == (row, column)
