"""Readers: turn an uploaded file into a frame of text cells, one per format.

Every cell is read as text so that a bad value becomes a validation problem with its row
and column, never a crash. A ``_row`` column carries each row's number as a spreadsheet
shows it: the header is row 1 unless lines of preamble come before it (the ONS publishes
files with a sentence and a blank line above the header; their first data row is row 4).

What is refused here, before validation, raises ``UnreadableFile`` with a sentence naming
the file, where the problem is and what to do:

- files larger than ``max_bytes`` (checked from the file system before anything is read);
- text that is neither UTF-8 (with or without a byte-order mark), UTF-16 with a byte-order
  mark, nor Windows-1252 (what Excel on Windows saves as "CSV");
- CSV whose header and data rows use different delimiters, or rows with more or fewer
  cells than the header (the message names the rows);
- workbooks whose zip container would unpack to more than ``max_unpacked_bytes`` or
  compresses suspiciously well (a "zip bomb"), checked before the workbook is opened;
- Parquet whose columns are lists or structs, or that would unpack too large.

Excel date cells become ISO date text (``2008-04-01``); how a date maps to a period label
is left to validation, which says what label to use instead. Formula cells are read as the
value Excel saved with them: nothing in a file is ever evaluated.
"""

from __future__ import annotations

import csv
import re
import zipfile
import zlib
from pathlib import Path

import numpy as np
import polars as pl

# A header or a note may be longer than csv's default field limit (131,072 characters); the
# file-size limit bounds what a field can hold, so the csv module's own limit is lifted.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message says why and what to do.

    ``row`` and ``column`` say where, when the problem is in one place (a byte that is not
    text, the first row with too many cells); both are None for the file as a whole.
    """

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.row = row
        self.column = column


SUPPRESSED = ("*", "..", "x", "c", "-", ":")

DEFAULT_MAX_BYTES = 1024**3
"""Largest file read at all (1 GiB); the app's upload limit is lower (``server.maxUploadSize``)."""
DEFAULT_MAX_UNPACKED_BYTES = 1024**3
"""Largest total size a workbook's zip container or a Parquet file may unpack to, and the most
text either may hold once read (1 GiB; reading holds two or three copies of it at once)."""
MAX_COMPRESSION_RATIO = 100
"""Worksheets compress about 5 to 30 times; a container packed tighter than this is refused."""
RATIO_CHECK_FROM_BYTES = 16 * 1024**2
"""Below this unpacked size a high compression ratio is harmless and is not checked."""
MAX_ZIP_ENTRIES = 10_000
DEFAULT_MAX_CELLS = 100_000_000
"""Most cells (rows times columns) a workbook or Parquet file may hold once read."""
MAX_COLUMNS = 16_384
"""Excel's own limit on columns; no layout we read needs more."""
MAX_HEADER_LINE_BYTES = 1024**2
"""A header line longer than this (with no line break) is not the header of a table."""
_PARQUET_BATCH_ROWS = 65_536

DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
_MAX_PREAMBLE_LINES = 10
_HEAD_LINES = 1000
"""Lines looked at for the header (and the preamble above it) before reading the rest."""
_MAX_ROWS_NAMED = 5
_EXCEL_MIDNIGHT = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$"
_NUMBER = re.compile(r"^[+-]?(\d+(,\d{3})*(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
_YEAR = re.compile(r"^(19|20)\d\d$")


def detect_format(path: Path) -> str:
    """Returns 'csv', 'xlsx' or 'parquet' from the file's first bytes (text is taken as CSV)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def read_table(
    path: Path,
    file_format: str | None = None,
    *,
    max_bytes: int | None = None,
    max_unpacked_bytes: int | None = None,
    max_cells: int | None = None,
) -> pl.DataFrame:
    """Returns the file's cells as text with a ``_row`` column (the row number a spreadsheet shows).

    Parameters
    ----------
    path
        The uploaded file.
    file_format
        'csv', 'xlsx' or 'parquet'; detected from the file's first bytes when None.
    max_bytes
        Files larger than this are refused before a byte of them is read
        (``DEFAULT_MAX_BYTES`` when None).
    max_unpacked_bytes
        Workbooks and Parquet files that would unpack to more than this, or hold more text
        than this once read (counted as they are read, never taken from sizes the file
        declares), are refused (``DEFAULT_MAX_UNPACKED_BYTES`` when None).
    max_cells
        Workbooks and Parquet files whose rows times columns come to more than this are
        refused before they are read (``DEFAULT_MAX_CELLS`` when None).

    Raises
    ------
    UnreadableFile
        With a sentence naming the file, where the problem is and what to do.
    """
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if max_unpacked_bytes is None:
        max_unpacked_bytes = DEFAULT_MAX_UNPACKED_BYTES
    max_cells = DEFAULT_MAX_CELLS if max_cells is None else max_cells
    size = path.stat().st_size
    if size > max_bytes:
        raise UnreadableFile(
            f"{path.name} is {_describe_size(size)}, larger than the {_describe_size(max_bytes)} "
            "this service accepts. Split it into smaller files (for example one per indicator "
            "or per year) and upload each, or save it as Parquet, which is much smaller."
        )
    if size == 0:
        raise UnreadableFile(
            f"{path.name} is empty. Upload a file with a header row and data rows."
        )
    file_format = file_format or detect_format(path)
    if file_format == "csv":
        frame = _read_csv(path)
    elif file_format == "xlsx":
        frame = _read_xlsx(path, max_unpacked_bytes, max_cells)
    elif file_format == "parquet":
        frame = _read_parquet(path, max_unpacked_bytes, max_cells)
    elif file_format == "xls":
        raise UnreadableFile(
            f"{path.name} is an old-style Excel workbook (.xls). Open it in Excel, save it as "
            "an Excel Workbook (.xlsx) or as CSV UTF-8, and upload that."
        )
    else:
        raise UnreadableFile(
            f"{path.name}: unknown format {file_format!r}; use csv, xlsx or parquet."
        )
    frame = _drop_blank_rows(frame)
    if frame.height == 0:
        raise UnreadableFile(
            f"{path.name} has a header row but no data rows. Add the data below the header."
        )
    # One chunk per column: Polars 2.1 can panic in pl.format over columns chunked unevenly
    # (the row number is one chunk, text read in parallel is several).
    return frame.rechunk()


def _describe_size(size: int) -> str:
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def _drop_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Drops rows whose every cell is empty or spaces (their row numbers stay with the others)."""
    cells = [c for c in frame.columns if c != "_row"]
    if not cells:
        return frame

    def empty(column: str) -> pl.Expr:
        return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")

    # Only rows whose first cell is empty or starts with a space can be blank: look at the
    # rest for those alone (cheap tests first; most files have none).
    first = pl.col(cells[0])
    candidates = frame.filter(
        first.is_null()
        | (first.str.len_bytes() == 0)
        | first.str.starts_with(" ")
        | first.str.starts_with("\t")
    )
    if candidates.height == 0:
        return frame
    blank_rows = candidates.filter(pl.all_horizontal(empty(c) for c in cells))["_row"]
    return frame.filter(~pl.col("_row").is_in(blank_rows.implode())) if blank_rows.len() else frame


def _check_header(header: list[str | None], name: str, where: str) -> list[str]:
    """Returns the header's names trimmed; refuses repeated names (whatever their case, as
    every layout matches names so) and more columns than Excel allows."""
    if len(header) > MAX_COLUMNS:
        raise UnreadableFile(
            f"{name}: the header ({where}) has {len(header):,} columns, more than the "
            f"{MAX_COLUMNS:,} a spreadsheet can hold. Upload the data with one row per "
            "indicator, area and period (see the template), not one column per value."
        )
    names = [(h or "").strip() for h in header]
    spellings: dict[str, list[str]] = {}
    for h in names:
        if h:
            spellings.setdefault(h.casefold(), []).append(h)
    repeated = [
        " / ".join(map(repr, dict.fromkeys(same))) for same in spellings.values() if len(same) > 1
    ]
    if repeated:
        case = (
            " (names are matched whatever their case)"
            if any(len(set(same)) > 1 for same in spellings.values())
            else ""
        )
        raise UnreadableFile(
            f"{name}: the header ({where}) repeats the column name(s) "
            f"{', '.join(repeated)}{case}. Give every column a different name."
        )
    return names


def _name_columns(frame: pl.DataFrame, names: list[str], name: str, where: str) -> pl.DataFrame:
    """Renames the frame's columns to the header's names. A column with no name is dropped
    when it is empty throughout (a trailing delimiter, a formatted column) and refused otherwise."""
    keep = []
    cells = [c for c in frame.columns if c != "_row"]
    for index, (column, header) in enumerate(zip(cells, names, strict=True)):
        if header:
            keep.append(pl.col(column).alias(header))
            continue
        has_data = frame.select(
            (pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")).any()
        ).item()
        if has_data:
            raise UnreadableFile(
                f"{name}: column {index + 1} has data but no name in the header ({where}). "
                "Name every column, using the template's header."
            )
    return frame.select(pl.col("_row"), *keep)


def _looks_like_header(cells: list[str]) -> bool:
    """True when every cell is filled, no two are the same and none is a number (a year may be)."""
    cells = [c.strip() for c in cells]
    if not cells or any(c == "" for c in cells) or len(set(cells)) < len(cells):
        return False
    return not any(_NUMBER.match(c) and not _YEAR.match(c) for c in cells)


# ----------------------------------------------------------------------------- CSV


def _utf8_bytes(raw: bytes, name: str) -> bytes:
    """Returns the file's bytes as UTF-8 without a byte-order mark; refuses bytes that no
    expected encoding can read, and binary files."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode Text" is UTF-16 with a byte-order mark.
        try:
            raw = raw.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as error:
            raise UnreadableFile(
                f"{name} starts like UTF-16 text but cannot be read as it (byte {error.start}). "
                "Save it as CSV UTF-8 and upload it again."
            ) from error
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if _looks_like_utf16(raw[:4096]):
        raise UnreadableFile(
            f'{name} looks like UTF-16 ("Unicode") text saved without a byte-order mark, '
            "which cannot be told apart from other encodings reliably. Open it in Excel and "
            "save it as CSV UTF-8, then upload that."
        )
    try:
        if not raw.isascii():  # ASCII is UTF-8, and much quicker to recognise than to decode
            raw.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        # Excel on Windows saves "CSV" as Windows-1252; anything else is refused.
        try:
            raw = raw.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError as cp1252_error:
            position = cp1252_error.start
            row, column = _position_in_text(raw, position)
            where = _describe_position(row, column)
            first_bad = _describe_position(*_position_in_text(raw, utf8_error.start))
            also = "" if first_bad == where else f" (and {first_bad} is not UTF-8)"
            raise UnreadableFile(
                f"{name} is not text we can read: {where} has the byte 0x{raw[position]:02X}, "
                f"which is neither UTF-8 nor Windows-1252{also}. If it is a spreadsheet, open "
                "it in Excel and save it as CSV UTF-8; otherwise check that it is the file you "
                "meant to upload.",
                row=row,
                column=column,
            ) from cp1252_error
    position = raw.find(b"\x00")
    if position >= 0:
        row, column = _position_in_text(raw, position)
        raise UnreadableFile(
            f"{name} has a NUL character in {_describe_position(row, column)}, so it is not a "
            "text (CSV) file. Upload the data as CSV, XLSX or Parquet.",
            row=row,
            column=column,
        )
    if b"\n" not in raw and b"\r" in raw:
        raw = raw.replace(b"\r", b"\n")  # classic Mac line endings
    return raw


def _looks_like_utf16(head: bytes) -> bool:
    """True when every other byte of the file's start is NUL (UTF-16 text of Latin letters)."""
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.9


def _describe_position(row: int, column: str | None) -> str:
    return f"row {row}, column {column}" if column else f"row {row}"


def _position_in_text(raw: bytes, position: int) -> tuple[int, str | None]:
    """Returns (row, column name from the header, or None) for a byte position."""
    row = raw.count(b"\n", 0, position) + 1
    header_end = raw.find(b"\n")
    header = raw[: header_end if header_end >= 0 else len(raw)]
    header = header.decode("utf-8", errors="replace").rstrip("\r")
    delimiter = max(DELIMITERS, key=header.count)
    names = _split(header, delimiter)
    line_start = raw.rfind(b"\n", 0, position) + 1
    before = raw[line_start:position].decode("utf-8", errors="replace")
    index = max(len(_split(before, delimiter)) - 1, 0)
    if row > 1 and index < len(names) and names[index].strip():
        return row, names[index].strip()
    return row, None


def _split(line: str, delimiter: str) -> list[str]:
    return next(csv.reader([line], delimiter=delimiter), [])


def _field_counts(line: str) -> dict[str, int]:
    return {d: len(_split(line, d)) for d in DELIMITERS}


def _find_header(lines: list[str], name: str) -> tuple[int, str]:
    """Returns (index of the header line, delimiter), skipping a short preamble above the header.

    The delimiter is the one that splits the header into most columns. A header of one column
    followed by rows that split into several, with no header-like row among them, means the
    header and the data use different delimiters, and is refused.
    """
    filled = [i for i, line in enumerate(lines) if line.strip()]
    first = filled[0]
    preamble_end = _end_of_preamble(lines, filled)
    if preamble_end is not None:
        return preamble_end
    counts = _field_counts(lines[first])
    widest = max(counts.values())
    if widest >= 2:
        delimiter = max(DELIMITERS, key=lambda d: counts[d])  # ties go to comma, then semicolon
        _check_data_delimiter(lines, filled[1:21], first, delimiter, counts[delimiter], name)
        return first, delimiter
    for index in filled[1 : 1 + _MAX_PREAMBLE_LINES]:
        counts = _field_counts(lines[index])
        delimiter = max(DELIMITERS, key=lambda d: counts[d])
        if counts[delimiter] >= 2:
            raise UnreadableFile(
                f"{name}: wrong delimiter. The header (row {first + 1}) is one column, but row "
                f"{index + 1} splits into {counts[delimiter]} columns at "
                f"{DELIMITERS[delimiter]}. Use the same delimiter (comma, semicolon or tab) in "
                "the header and in every row: in Excel, save the sheet as CSV UTF-8 "
                "(comma delimited).",
                row=index + 1,
            )
    return first, ","


def _end_of_preamble(lines: list[str], filled: list[int]) -> tuple[int, str] | None:
    """Returns (header line, delimiter) when a few lines of notes come before the header:
    a later line looks like a header, splits into more columns than the first line, and the
    line after it splits into as many. Returns None when the first line is the header."""
    first = filled[0]
    candidates = filled[1 : 1 + _MAX_PREAMBLE_LINES]
    for position, index in enumerate(candidates):
        counts = _field_counts(lines[index])
        delimiter = max(DELIMITERS, key=lambda d: counts[d])
        columns = counts[delimiter]
        if columns < 2 or len(_split(lines[first], delimiter)) >= columns:
            continue
        if not _looks_like_header(_split(lines[index], delimiter)):
            continue
        if any(
            other != delimiter
            and len(cells := _split(lines[first], other)) >= 2
            and _looks_like_header(cells)
            for other in DELIMITERS
        ):
            return None  # the first line is a header written with another delimiter
        following = filled[1 + position + 1] if 1 + position + 1 < len(filled) else None
        if following is not None and len(_split(lines[following], delimiter)) == columns:
            return index, delimiter
    return None


def _check_data_delimiter(
    lines: list[str], data: list[int], header: int, delimiter: str, columns: int, name: str
) -> None:
    """Refuses a file whose data rows split at a different delimiter from the header's."""
    for index in data:
        mine = len(_split(lines[index], delimiter))
        if mine != 1:
            continue
        for other in DELIMITERS:
            if other != delimiter and len(_split(lines[index], other)) >= 2:
                raise UnreadableFile(
                    f"{name}: wrong delimiter. The header (row {header + 1}) has {columns} "
                    f"columns separated by {DELIMITERS[delimiter]}, but row {index + 1} is "
                    f"separated by {DELIMITERS[other]}. Use one delimiter throughout: in Excel, "
                    "save the sheet as CSV UTF-8 (comma delimited).",
                    row=index + 1,
                )


def _lines(data: bytes) -> pl.Series:
    """Returns the file's physical lines (line endings removed), read in parallel by Polars."""
    if not data:
        return pl.Series("line", [], dtype=pl.String)
    # NUL never occurs (refused above), so each line is one cell; quotes are not interpreted.
    return pl.read_csv(
        data,
        has_header=False,
        separator="\x00",
        quote_char=None,
        new_columns=["line"],
        infer_schema=False,
        empty_string_is_null=False,
    )["line"].fill_null("")


def _end_of_lines(data: bytes, count: int, start: int = 0) -> int:
    """Returns the offset just after the ``count``-th line ending from ``start`` (or the end)."""
    position = start - 1
    for _ in range(count):
        position = data.find(b"\n", position + 1)
        if position < 0:
            return len(data)
    return position + 1


def _one_line_ending(data: bytes) -> bytes:
    """Returns the bytes with every line ending as ``\n``.

    A carriage return alone ends a line in files saved by old Mac spreadsheets, and one
    stray inside a line would otherwise stop the reader; either way the rows are then
    what a spreadsheet shows, and a row split by a stray one is named by its cell count.
    """
    if b"\r" not in data or data.count(b"\r") == data.count(b"\r\n"):
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _read_csv(path: Path) -> pl.DataFrame:
    data = _one_line_ending(_utf8_bytes(path.read_bytes(), path.name))
    first_break = data.find(b"\n", 0, MAX_HEADER_LINE_BYTES + 1)
    if first_break < 0 and len(data) > MAX_HEADER_LINE_BYTES:
        raise UnreadableFile(
            f"{path.name}: the first {_describe_size(MAX_HEADER_LINE_BYTES)} hold no line "
            "break, so the file is not a table with a header row. Check it is the file you "
            "meant, saved as CSV with one row per line.",
            row=1,
        )
    # The header is found among the first lines; the rest are split into lines only when
    # counting delimiters (below) is not enough to show every row has the header's cells.
    lines = _lines(data[: _end_of_lines(data, _HEAD_LINES + 3 * _MAX_PREAMBLE_LINES)])
    filled = lines.head(_HEAD_LINES).str.strip_chars() != ""
    if not filled.any():  # a thousand blank lines: look further
        lines = _lines(data)
        filled = lines.str.strip_chars() != ""
    if not filled.any():
        raise UnreadableFile(
            f"{path.name} is empty (it has only blank lines). "
            "Upload a file with a header row and data rows."
        )
    first = int(filled.arg_true()[0])
    sample = lines.slice(0, first + 3 * _MAX_PREAMBLE_LINES).to_list()
    header_index, delimiter = _find_header(sample, path.name)
    header_row = header_index + 1
    where = f"row {header_row}"
    names = _check_header(_split(sample[header_index], delimiter), path.name, where)

    def check_row_lengths() -> None:
        lines_from_header = _lines(data).slice(header_index)
        _check_row_lengths(lines_from_header, delimiter, len(names), header_row, path.name)

    counted = _delimiters_add_up(data, _end_of_lines(data, header_index), delimiter, len(names) - 1)
    if not counted:
        check_row_lengths()
    try:
        frame = pl.read_csv(
            data,
            skip_lines=header_index,
            separator=delimiter,
            has_header=True,
            new_columns=[f"column_{i}" for i in range(len(names))],
            infer_schema=False,
            truncate_ragged_lines=False,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        if counted:  # a row with too many cells, balanced by one with too few: name them
            check_row_lengths()
        raise UnreadableFile(
            f"{path.name} could not be read as a table ({str(error).splitlines()[0]}). "
            "Check that every row has the same number of columns as the header and that "
            'every quote (") is closed.'
        ) from error
    frame = frame.with_row_index("_row", offset=header_row + 1).with_columns(
        pl.col("_row").cast(pl.Int64)
    )
    frame = _name_columns(frame, names, path.name, where)
    if delimiter == ";":
        _refuse_decimal_commas(frame, path.name)
    return frame


_ONE_COMMA_NUMBER = r"^\s*[+-]?\d*,\d+\s*$"


def _refuse_decimal_commas(frame: pl.DataFrame, name: str) -> None:
    """Refuses a semicolon-separated file with a number holding one comma (``12,345``).

    Such files come from spreadsheets set up for Europe, where the comma is the decimal
    mark; read as a thousands separator it would turn 12,345 into 12345, so we ask instead.
    """
    cells = [c for c in frame.columns if c != "_row"]
    found = frame.select(
        pl.col("_row"),
        *(pl.col(c).str.contains(_ONE_COMMA_NUMBER).fill_null(False).alias(c) for c in cells),
    ).filter(pl.any_horizontal(cells))
    if found.height == 0:
        return
    row = int(found["_row"][0])
    column = next(c for c in cells if found[c][0])
    value = frame.filter(pl.col("_row") == row)[column][0].strip()
    raise UnreadableFile(
        f"{name} is separated by semicolons and row {row}, column {column} holds {value!r}: "
        "in such files the comma is usually the decimal mark, so we cannot tell whether it "
        f"means {value.replace(',', '.')} or {value.replace(',', '')}. Save the file with "
        "full stops as decimal marks and no thousands separators (in Excel: CSV UTF-8, comma "
        "delimited) and upload it again.",
        row=row,
        column=column,
    )


def _delimiters_add_up(data: bytes, header: int, delimiter: str, delimiters: int) -> bool:
    """True when the header (at offset ``header``) and the lines after it have no quotes, the
    lines after it hold ``delimiters`` delimiters each on average and the last one exactly.

    The reader refuses a line with more cells than the header, so once it has read the file
    none has more delimiters; as many as every line having exactly its share means none
    has fewer either. (It lets one trailing delimiter pass on a last line without a line
    ending, hence the look at the last line.) False means look line by line
    (``_check_row_lengths``), which also knows about quoted values and blank lines.
    """
    if data.find(b'"', header) >= 0:
        return False
    start = _end_of_lines(data, 1, header)
    lines = data.count(b"\n", start)
    last = data.rfind(b"\n", start) + 1 if lines else start
    if last < len(data):  # the last line has no line ending
        if data.count(delimiter.encode(), last) != delimiters:
            return False
        lines += 1
    return data.count(delimiter.encode(), start) == delimiters * lines


def _check_row_lengths(
    lines: pl.Series, delimiter: str, columns: int, header_row: int, name: str
) -> None:
    """Refuses rows with more or fewer cells than the header, naming them.

    ``lines`` starts at the header. Delimiters are counted on all lines at once, outside
    quoted values. When a quoted value spans lines (rare), Python's CSV reader counts records
    instead, the way a spreadsheet numbers rows.
    """
    frame = pl.DataFrame({"line": lines}).with_row_index("index")
    has_quote = pl.col("line").str.contains('"', literal=True)
    quoted = frame.filter(has_quote)
    if quoted.height:
        if (quoted["line"].str.count_matches('"', literal=True) % 2 == 1).any():
            _check_row_lengths_slowly(lines, delimiter, columns, header_row, name)
            return
        # Empty quoted values and doubled quotes first (cheap), then whatever is left quoted.
        quoted = quoted.with_columns(pl.col("line").str.replace_all('""', "", literal=True))
        still = quoted.filter(has_quote).with_columns(
            pl.col("line").str.replace_all(r'"[^"]*"', "")
        )
        frame = pl.concat([frame.filter(~has_quote), quoted.filter(~has_quote), still])
    cells = pl.col("line").str.count_matches(delimiter, literal=True) + 1
    wrong = (
        frame.filter(cells != columns)
        .filter((pl.col("index") > 0) & (pl.col("line").str.strip_chars() != ""))
        .select("index", cells.alias("cells"))
        .sort("index")
        .head(_MAX_ROWS_NAMED + 1)
    )
    if wrong.height:
        rows = [
            (int(i) + header_row, int(n))
            for i, n in zip(wrong["index"], wrong["cells"], strict=True)
        ]
        _refuse_row_lengths(rows, columns, name)


def _check_row_lengths_slowly(
    lines: pl.Series, delimiter: str, columns: int, header_row: int, name: str
) -> None:
    wrong = []
    record = 0
    reader = csv.reader(iter(lines.to_list()), delimiter=delimiter, strict=True)
    try:
        for record, cells in enumerate(reader):
            if record == 0 or not any(c.strip() for c in cells):
                continue
            if len(cells) != columns:
                wrong.append((record + header_row, len(cells)))
                if len(wrong) > _MAX_ROWS_NAMED:
                    break
    except csv.Error as error:
        raise UnreadableFile(
            f"{name}: row {record + header_row + 1} could not be read ({error}). Check that "
            'every quote (") that opens a value also closes it.',
            row=record + header_row + 1,
        ) from error
    if wrong:
        _refuse_row_lengths(wrong, columns, name)


def _refuse_row_lengths(rows: list[tuple[int, int]], columns: int, name: str) -> None:
    described = "; ".join(
        f"row {row} has {cells} cell{'s' if cells != 1 else ''}"
        for row, cells in rows[:_MAX_ROWS_NAMED]
    )
    more = " (and more rows)" if len(rows) > _MAX_ROWS_NAMED else ""
    raise UnreadableFile(
        f"{name}: the header has {columns} columns but {described}{more}. Check those rows "
        "for a delimiter inside a value that is not in quotes, or for a missing or extra cell.",
        row=rows[0][0],
    )


# ----------------------------------------------------------------------------- XLSX


def check_zip_container(
    path: Path, max_unpacked_bytes: int | None = None, max_cells: int | None = None
) -> None:
    """Refuses a workbook whose zip container is damaged, is not a workbook, would unpack to
    more than ``max_unpacked_bytes`` or at a suspicious compression ratio (a zip bomb), or
    whose sheets would hold more than ``max_cells`` cells or ``max_unpacked_bytes`` of text.

    The declared sizes are checked first; then every member is read through zipfile's own
    streaming reader, counting the bytes (a member that inflates past the size it declares
    fails zipfile's CRC check and is refused as damaged); then each sheet's cells and the
    shared strings they point to are counted (``_check_sheets``), so a small table of shared
    strings repeated down a million rows is refused before the workbook is opened.
    """
    name = path.name
    if max_unpacked_bytes is None:
        max_unpacked_bytes = DEFAULT_MAX_UNPACKED_BYTES
    max_cells = DEFAULT_MAX_CELLS if max_cells is None else max_cells
    try:
        with zipfile.ZipFile(path) as container:
            members = container.infolist()
            _check_members(container, members, name, max_unpacked_bytes)
            _check_sheets(container, name, max_unpacked_bytes, max_cells)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, OSError, ValueError) as error:
        if isinstance(error, UnreadableFile):
            raise
        raise UnreadableFile(
            f"{name} is not a readable Excel workbook: its zip container is damaged ({error}). "
            "Open it in Excel, save it again as .xlsx, and upload that."
        ) from error


def _check_members(
    container: zipfile.ZipFile, members: list[zipfile.ZipInfo], name: str, limit: int
) -> None:
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        raise UnreadableFile(
            f"{name} is a zip file but not an Excel workbook (.xlsx). Upload the workbook "
            "itself, or the data as CSV."
        )
    if len(members) > MAX_ZIP_ENTRIES:
        raise UnreadableFile(
            f"{name} holds {len(members)} parts, far more than a workbook has. Save the data "
            "as a new workbook or as CSV and upload that."
        )
    packed = sum(m.compress_size for m in members)
    declared = sum(m.file_size for m in members)
    _check_unpacked(name, declared, packed, limit)
    unpacked = 0
    for member in members:
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableFile(
                f"{name} uses a kind of compression Excel does not write. Open it in Excel, "
                "save it again as .xlsx, and upload that."
            )
        try:
            with container.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    unpacked += len(chunk)
                    _check_unpacked(name, unpacked, packed, limit)
        except zipfile.BadZipFile as error:
            # zipfile stops at the declared size; the checksum then fails.
            raise UnreadableFile(
                f"{name}: part {member.filename} does not unpack to the size it declares "
                "(it may unpack to far more), which is what a zip bomb does and a real "
                "workbook does not. It was not opened. Open it in Excel, save it again as "
                ".xlsx, and upload that."
            ) from error


def _check_unpacked(name: str, unpacked: int, packed: int, limit: int) -> None:
    if unpacked > limit:
        raise UnreadableFile(
            f"{name} would unpack to more than {_describe_size(limit)}, more than this service "
            "accepts. Split the data into smaller workbooks, or upload it as CSV or Parquet."
        )
    if unpacked >= RATIO_CHECK_FROM_BYTES and unpacked > MAX_COMPRESSION_RATIO * max(packed, 1):
        raise UnreadableFile(
            f"{name} unpacks to {_describe_size(unpacked)} from {_describe_size(packed)}, "
            f"over {MAX_COMPRESSION_RATIO} times its size, which is what a zip bomb does and a "
            "real workbook does not. It was not opened. If it is genuine, save the data as CSV "
            "and upload that."
        )


_SHARED_STRING = re.compile(rb"<si\b(?:[^>]*/>|.*?</si>)", re.S)
_SHARED_CELL = re.compile(rb'<c\b[^>]*?\bt="s"[^>]*>\s*<v>\s*(\d+)\s*</v>')
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})\d+"')


def _xml_pieces(container: zipfile.ZipFile, part: str, end: bytes):
    """Yields a part's bytes in pieces of about 4 MB, each cut just after an ``end`` tag."""
    tail = b""
    with container.open(part) as stream:
        while chunk := stream.read(1 << 22):
            buffer = tail + chunk
            ends, closes = buffer.rfind(end), buffer.rfind(b"/>")
            cut = max(ends + len(end) if ends >= 0 else 0, closes + 2 if closes >= 0 else 0)
            if cut == 0:
                tail = buffer
                continue
            yield buffer[:cut]
            tail = buffer[cut:]
    if tail:
        yield tail


def _shared_string_sizes(container: zipfile.ZipFile) -> np.ndarray:
    """Returns the size in bytes of each shared string (its XML, a slight overestimate)."""
    part = "xl/sharedStrings.xml"
    if part not in container.namelist():
        return np.zeros(0, dtype=np.int64)
    sizes: list[int] = []
    for piece in _xml_pieces(container, part, b"</si>"):
        sizes.extend(len(m) for m in _SHARED_STRING.findall(piece))
    return np.asarray(sizes, dtype=np.int64)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _check_sheets(container: zipfile.ZipFile, name: str, max_bytes: int, max_cells: int) -> None:
    """Refuses a workbook with a sheet whose grid (last row times last column) passes
    ``max_cells``, or whose cells and the shared strings they repeat pass ``max_bytes``.

    Every sheet is looked at (only the first is read, but telling which is first means
    trusting the workbook's own relationships; no real workbook minds).
    """
    sheets = [
        n for n in container.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")
    ]
    if not sheets:
        return
    sizes = _shared_string_sizes(container)
    for sheet in sheets:
        text = rows = last_row = last_column = cells = 0
        for piece in _xml_pieces(container, sheet, b"</c>"):
            cells += piece.count(b"<c ") + piece.count(b"<c>")
            rows += piece.count(b"<row")
            last_row = max([last_row, *map(int, _ROW_NUMBER.findall(piece))])
            columns = set(_CELL_COLUMN.findall(piece))
            if columns:
                last_column = max(last_column, *map(_column_number, columns))
            shared = np.asarray(_SHARED_CELL.findall(piece), dtype=np.int64)
            shared = shared[shared < sizes.size]
            text += len(piece) + int(sizes[shared].sum())
            grid = max(last_row, rows) * max(last_column, 1)
            if max(grid, cells) > max_cells:
                raise UnreadableFile(
                    f"{name}: a sheet spans more than {max_cells:,} cells (rows times columns), "
                    "more than this service reads from one file. Split the data into smaller "
                    "files, delete unused rows and columns far from the data, or upload CSV."
                )
            if text > max_bytes:
                raise UnreadableFile(
                    f"{name}: a sheet would hold more than {_describe_size(max_bytes)} of text "
                    "once read (its cells repeat long shared text), more than this service "
                    "reads from one file. Split the data into smaller files, or upload CSV."
                )


def _read_xlsx(path: Path, max_unpacked_bytes: int, max_cells: int) -> pl.DataFrame:
    import fastexcel

    check_zip_container(path, max_unpacked_bytes, max_cells)
    try:
        workbook = fastexcel.read_excel(path)
        # No header and no skipped rows: the sheet's rows keep their numbers from row 1.
        sheet = workbook.load_sheet(0, header_row=None, skip_rows=0, dtypes="string")
        grid = sheet.to_polars()
    except Exception as error:  # noqa: BLE001 - fastexcel raises its own error types
        raise UnreadableFile(
            f"{path.name} could not be read as an Excel workbook ({str(error).splitlines()[0]}). "
            "Save it again as .xlsx, with the data on the first sheet."
        ) from error
    if grid.width == 0 or grid.height == 0:
        raise UnreadableFile(
            f"{path.name}: the first sheet is empty. Put the data on the first sheet, with the "
            "header in the first row."
        )
    grid = grid.with_row_index("_row", offset=1).with_columns(pl.col("_row").cast(pl.Int64))
    cells = [c for c in grid.columns if c != "_row"]
    # Excel stores dates as numbers formatted as dates; a date cell reads as '2008-04-01 00:00:00'.
    grid = grid.with_columns(
        pl.col(c)
        .str.replace(_EXCEL_MIDNIGHT, "${1}")
        .str.replace(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})", "${1}T${2}")
        for c in cells
    )
    head = grid.head(2 + _MAX_PREAMBLE_LINES)
    rows = [list(row[1:]) for row in head.iter_rows()]
    header_at = _find_sheet_header(rows)
    header = rows[header_at]
    header_row = head["_row"][header_at]
    where = f"row {header_row}"
    names = _check_header(header, path.name, where)
    body = grid.filter(pl.col("_row") > header_row)
    return _name_columns(body, names, path.name, where)


def _find_sheet_header(rows: list[list[str | None]]) -> int:
    """Returns the index of the header row: the first row with two or more cells filled,
    unless the first filled row has one cell (a title) and a header-like row follows."""
    filled = [i for i, row in enumerate(rows) if any((v or "").strip() for v in row)]
    if not filled:
        return 0
    first = filled[0]

    def width(i: int) -> int:
        return sum(1 for v in rows[i] if (v or "").strip())

    if width(first) >= 2:
        return first
    for index in filled[1:]:
        if width(index) >= 2:
            cells = [v for v in rows[index] if (v or "").strip()]
            return index if _looks_like_header(cells) else first
    return first


# ----------------------------------------------------------------------------- Parquet


def _read_parquet(path: Path, max_unpacked_bytes: int, max_cells: int) -> pl.DataFrame:

    try:
        _check_parquet_size(path, max_unpacked_bytes, max_cells)
        frame = pl.read_parquet(path)
    except UnreadableFile:
        raise
    except Exception as error:  # noqa: BLE001 - any reader failure becomes a message
        raise UnreadableFile(
            f"{path.name} could not be read as Parquet ({str(error).splitlines()[0]}). "
            "Write it again (for example with Polars' write_parquet) or upload CSV."
        ) from error
    names = _check_header(frame.columns, path.name, "the column names")
    frame = pl.DataFrame([_as_text(column, path.name) for column in frame.get_columns()])
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    _refuse_nul(frame, path.name)
    return _name_columns(frame, names, path.name, "the column names")


def _refuse_nul(frame: pl.DataFrame, name: str) -> None:
    """Refuses text holding a NUL character, as a CSV file with one is refused."""
    cells = [c for c in frame.columns if c != "_row"]
    found = frame.select(
        pl.col("_row"),
        *(pl.col(c).str.contains("\x00", literal=True).fill_null(False).alias(c) for c in cells),
    ).filter(pl.any_horizontal(cells))
    if found.height:
        row = int(found["_row"][0])
        column = next(c for c in cells if found[c][0])
        raise UnreadableFile(
            f"{name} has a NUL character in row {row}, column {column}, which no text "
            "should hold. Remove it (write the file again from clean data) and upload it.",
            row=row,
            column=column,
        )


def _check_parquet_size(path: Path, max_bytes: int, max_cells: int) -> None:
    """Refuses a Parquet file with nested columns, more than ``max_cells`` cells, or more
    than ``max_bytes`` once read.

    The bytes are counted from the data, never from the sizes the file declares: text
    columns are streamed in batches kept dictionary-encoded, and each batch's text is
    measured as it would be once decoded (one 10 KB value repeated two million times is
    20 GB, though the file and its declared sizes are a few kilobytes).
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    name = path.name
    parquet = pq.ParquetFile(path)
    schema = parquet.schema_arrow
    polars_types = pl.read_parquet_schema(path)
    nested = [
        f"{column} ({dtype})"
        for column, dtype in polars_types.items()
        if dtype.is_nested() or dtype == pl.Binary
    ]
    if nested:
        raise UnreadableFile(
            f"{name}: column(s) {', '.join(nested)} hold lists, structures or bytes, not "
            "single values. Write one number or piece of text per cell."
        )
    metadata = parquet.metadata
    cells = metadata.num_rows * max(metadata.num_columns, 1)
    if cells > max_cells:
        raise UnreadableFile(
            f"{name} has {metadata.num_rows:,} rows of {metadata.num_columns:,} columns, more "
            f"than the {max_cells:,} cells this service reads from one file. Split it into "
            "smaller files."
        )
    declared = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    if declared > max_bytes:
        raise UnreadableFile(
            f"{name} would unpack to {_describe_size(declared)}, more than the "
            f"{_describe_size(max_bytes)} this service accepts. Split it into smaller files."
        )
    text = [
        f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    # Text columns stay dictionary-encoded as they are streamed, so a batch costs its indices.
    streamed = pq.ParquetFile(path, read_dictionary=text)
    total = 0
    for batch in streamed.iter_batches(batch_size=_PARQUET_BATCH_ROWS):
        for column in batch.columns:
            if pa.types.is_dictionary(column.type):
                lengths = pc.binary_length(column.dictionary)
                total += (pc.sum(pc.take(lengths, column.indices)).as_py() or 0) + 4 * len(column)
            else:
                total += column.nbytes
        if total > max_bytes:
            raise UnreadableFile(
                f"{name} would hold more than {_describe_size(max_bytes)} once read (its "
                "values repeat long text, which Parquet stores once), more than this service "
                "reads from one file. Split it into smaller files, or upload CSV."
            )


def _as_text(series: pl.Series, name: str) -> pl.Series:
    """Returns a column as text: whole floats without '.0', dates as ISO text."""
    dtype = series.dtype
    if dtype == pl.String:
        return series
    if dtype.is_float():
        whole = series.is_finite() & (series == series.round(0)) & (series.abs() < 1e15)
        text = pl.select(
            pl.when(whole)
            .then(series.cast(pl.Int64, strict=False).cast(pl.String))
            .otherwise(series.cast(pl.String))
        ).to_series()
        return text.alias(series.name)
    if dtype in (pl.Datetime, pl.Date):
        return series.dt.to_string("iso").str.replace(r"T00:00:00(?:\.0+)?$", "")
    try:
        return series.cast(pl.String)
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile(
            f"{name}: column {series.name} has the type {dtype}, which cannot be read as text. "
            "Write numbers, text or dates in it."
        ) from error
