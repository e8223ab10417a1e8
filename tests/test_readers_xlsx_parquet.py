"""Reading workbooks and Parquet: dates, numbers, row numbers, zip bombs and odd column types."""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from pathlib import Path

import fastexcel
import polars as pl
import pytest
import xlsxwriter

from pipelines import readers
from pipelines.readers import UnreadableFile, read_table

HEADER = ["indicator_id", "area_code", "period", "value", "note"]


def workbook(path: Path, rows: list[list], *, start_row: int = 0, title: str | None = None) -> Path:
    """Writes rows to the first sheet (header first) from ``start_row``; dates as Excel dates."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Data")
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    if title:
        sheet.write(0, 0, title)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if isinstance(cell, dt.datetime):
                sheet.write_datetime(start_row + r, c, cell, date_format)
            elif isinstance(cell, str) and cell.startswith("="):
                sheet.write_formula(start_row + r, c, cell, None, "click")
            elif cell is not None:
                sheet.write(start_row + r, c, cell)
    book.add_worksheet("Other").write(0, 0, "not read")
    book.close()
    return path


def test_a_workbook_reads_as_text_with_spreadsheet_row_numbers(tmp_path):
    path = workbook(
        tmp_path / "values.xlsx",
        [
            HEADER,
            ["NI 116", "E06000001", "2008/09", 29.5, None],
            ["NI 116", "E06000002", "2008/09", 33, "x"],
        ],
    )
    table = read_table(path)
    assert table.columns == ["_row", *HEADER]
    assert table["_row"].to_list() == [2, 3]
    assert table["value"].to_list() == ["29.5", "33"]  # a whole number without '.0'


def test_an_excel_date_in_the_period_column_becomes_its_iso_date(tmp_path):
    path = workbook(
        tmp_path / "dates.xlsx",
        [HEADER, ["NI 116", "E06000001", dt.datetime(2008, 4, 1), 29.5, None]],
    )
    # Which period a date means is for validation to say; the reader keeps the date.
    assert read_table(path)["period"].to_list() == ["2008-04-01"]


def test_numeric_ids_keep_no_decimal_point(tmp_path):
    path = workbook(tmp_path / "ids.xlsx", [["Indicator ID", "Area Code"], [90630, "E06000001"]])
    assert read_table(path)["Indicator ID"].to_list() == ["90630"]


def test_a_formula_is_read_as_the_value_excel_saved_never_evaluated(tmp_path):
    path = workbook(
        tmp_path / "formula.xlsx",
        [HEADER, ["NI 116", "E06000001", "2008/09", 29.5, '=HYPERLINK("http://x","click")']],
    )
    assert read_table(path)["note"].to_list() == ["click"]


def test_a_title_above_the_header_is_skipped_and_rows_keep_their_sheet_numbers(tmp_path):
    path = workbook(
        tmp_path / "titled.xlsx",
        [
            HEADER,
            ["NI 116", "E06000001", "2008/09", 29.5, None],
            [None] * 5,
            ["NI 116", "E06000002", "2008/09", 1, None],
        ],
        start_row=2,
        title="Children in poverty, 2008/09",
    )
    table = read_table(path)
    assert table.columns == ["_row", *HEADER]
    assert table["_row"].to_list() == [4, 6]


def test_an_empty_first_sheet_is_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Empty")
    book.add_worksheet("Data").write(0, 0, "indicator_id")
    book.close()
    with pytest.raises(UnreadableFile, match="the first sheet is empty"):
        read_table(path)


def zip_bomb(path: Path, unpacked_mb: int = 40, declared_size: int | None = None) -> Path:
    """Writes a workbook whose sheet XML is ``unpacked_mb`` MB of empty rows (it packs about
    1000 to 1); ``declared_size`` overwrites the size its central directory declares."""
    workbook(path, [HEADER])
    with zipfile.ZipFile(path) as original:
        parts = {info.filename: original.read(info) for info in original.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                bomb.writestr(name, data)
                continue
            with bomb.open(name, "w") as sheet:
                sheet.write(b'<?xml version="1.0"?><worksheet><sheetData>')
                rows = b"<row/>" * (1 << 17)
                for _ in range(unpacked_mb * (1 << 20) // len(rows)):
                    sheet.write(rows)
                sheet.write(b"</sheetData></worksheet>")
    if declared_size is not None:
        data = bytearray(path.read_bytes())
        name = b"xl/worksheets/sheet1.xml"
        entry = data.find(b"PK\x01\x02")
        while entry >= 0:
            (name_length,) = struct.unpack_from("<H", data, entry + 28)
            if data[entry + 46 : entry + 46 + name_length] == name:
                struct.pack_into("<I", data, entry + 24, declared_size)
                break
            entry = data.find(b"PK\x01\x02", entry + 4)
        path.write_bytes(bytes(data))
    return path


def test_a_zip_bomb_is_refused_before_the_workbook_is_opened(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(fastexcel, "read_excel", lambda *a, **k: opened.append(a))
    path = zip_bomb(tmp_path / "bomb.xlsx")
    with pytest.raises(UnreadableFile) as raised:
        read_table(path)
    assert opened == []
    message = str(raised.value)
    assert "bomb.xlsx" in message and "zip bomb" in message and "not opened" in message


def test_a_zip_bomb_that_understates_its_size_is_caught_by_unpacking_it(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr(fastexcel, "read_excel", lambda *a, **k: opened.append(a))
    path = zip_bomb(tmp_path / "liar.xlsx", declared_size=4096)
    with zipfile.ZipFile(path) as container:
        assert container.getinfo("xl/worksheets/sheet1.xml").file_size == 4096
    with pytest.raises(UnreadableFile, match="zip bomb"):
        read_table(path)
    assert opened == []


def test_a_workbook_over_the_unpacked_limit_is_refused(tmp_path):
    path = workbook(tmp_path / "big.xlsx", [HEADER, ["NI 116", "E06000001", "2008/09", 1, None]])
    with pytest.raises(UnreadableFile, match="would unpack to more than"):
        read_table(path, max_unpacked_bytes=1000)


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"PK\x03\x04 not really a zip", "zip container is damaged"),
        (None, "is a zip file but not an Excel workbook"),
    ],
)
def test_zip_files_that_are_not_workbooks_are_refused(tmp_path, content, says):
    path = tmp_path / "upload.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as container:
            container.writestr("word/document.xml", "<document/>")
    else:
        path.write_bytes(content)
    with pytest.raises(UnreadableFile, match=says):
        read_table(path)


def test_parquet_columns_of_any_simple_type_become_text(tmp_path):
    path = tmp_path / "typed.parquet"
    pl.DataFrame(
        {
            "indicator_id": ["NI 116", "NI 116"],
            "area_code": ["E06000001", "E06000002"],
            "period": [dt.date(2008, 4, 1), dt.date(2009, 4, 1)],
            "value": [29.5, 33.0],
            "count": [5230, None],
            "flag": [True, False],
        }
    ).write_parquet(path)
    table = read_table(path)
    assert table["_row"].to_list() == [2, 3]
    assert table["period"].to_list() == ["2008-04-01", "2009-04-01"]
    assert table["value"].to_list() == ["29.5", "33"]
    assert table["count"].to_list() == ["5230", None]
    assert table["flag"].to_list() == ["true", "false"]


def test_parquet_with_list_columns_is_refused_naming_the_column(tmp_path):
    path = tmp_path / "nested.parquet"
    pl.DataFrame({"indicator_id": ["NI 116"], "value": [[1.0, 2.0]]}).write_parquet(path)
    with pytest.raises(UnreadableFile, match=r"column\(s\) value \(List"):
        read_table(path)


def test_damaged_parquet_is_refused(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(UnreadableFile, match="could not be read as Parquet"):
        read_table(path)


def test_parquet_over_the_unpacked_limit_is_refused(tmp_path):
    path = tmp_path / "big.parquet"
    pl.DataFrame({"note": ["x" * 1000] * 100}).write_parquet(path)
    with pytest.raises(UnreadableFile, match="would unpack to"):
        read_table(path, max_unpacked_bytes=1000)


def test_the_reader_does_not_touch_a_file_refused_by_size(tmp_path, monkeypatch):
    path = zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=1)
    called = []
    monkeypatch.setattr(readers, "check_zip_container", lambda *a: called.append(a))
    with pytest.raises(UnreadableFile, match="larger than"):
        read_table(path, max_bytes=100)
    assert called == []
