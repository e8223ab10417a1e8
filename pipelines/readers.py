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
import struct
import zipfile
import zlib
from pathlib import Path

import polars as pl


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
DEFAULT_MAX_UNPACKED_BYTES = 2 * 1024**3
"""Largest total size a workbook's zip container or a Parquet file may unpack to (2 GiB)."""
MAX_COMPRESSION_RATIO = 100
"""Worksheets compress about 5 to 30 times; a container packed tighter than this is refused."""
RATIO_CHECK_FROM_BYTES = 16 * 1024**2
"""Below this unpacked size a high compression ratio is harmless and is not checked."""
MAX_ZIP_ENTRIES = 10_000

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
        Workbooks and Parquet files that would unpack to more than this are refused
        (``DEFAULT_MAX_UNPACKED_BYTES`` when None).

    Raises
    ------
    UnreadableFile
        With a sentence naming the file, where the problem is and what to do.
    """
    max_bytes = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    if max_unpacked_bytes is None:
        max_unpacked_bytes = DEFAULT_MAX_UNPACKED_BYTES
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
        frame = _read_xlsx(path, max_unpacked_bytes)
    elif file_format == "parquet":
        frame = _read_parquet(path, max_unpacked_bytes)
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
    """Returns the header's names trimmed; refuses repeated names."""
    names = [(h or "").strip() for h in header]
    seen: set[str] = set()
    repeated = sorted({h for h in names if h and (h in seen or seen.add(h))})
    if repeated:
        raise UnreadableFile(
            f"{name}: the header ({where}) repeats the column name(s) "
            f"{', '.join(map(repr, repeated))}. Give every column a different name."
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
    return _name_columns(frame, names, path.name, where)


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


def check_zip_container(path: Path, max_unpacked_bytes: int | None = None) -> None:
    """Refuses a workbook whose zip container is damaged, is not a workbook, or would unpack
    to more than ``max_unpacked_bytes`` or at a suspicious compression ratio (a zip bomb).

    The declared sizes are checked first; then every member is inflated into nothing, counting
    the bytes, because a crafted container can declare sizes smaller than it unpacks to.
    """
    name = path.name
    if max_unpacked_bytes is None:
        max_unpacked_bytes = DEFAULT_MAX_UNPACKED_BYTES
    try:
        with zipfile.ZipFile(path) as container:
            members = container.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnreadableFile(
            f"{name} is not a readable Excel workbook: its zip container is damaged ({error}). "
            "Open it in Excel, save it again as .xlsx, and upload that."
        ) from error
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
    _check_unpacked(name, declared, packed, max_unpacked_bytes)
    unpacked = 0
    with path.open("rb") as handle:
        for member in members:
            unpacked += _inflated_size(handle, member, name, max_unpacked_bytes - unpacked)
            _check_unpacked(name, unpacked, packed, max_unpacked_bytes)


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


def _inflated_size(handle, member: zipfile.ZipInfo, name: str, allowance: int) -> int:
    """Returns the bytes a member really inflates to, stopping once past ``allowance``."""
    handle.seek(member.header_offset)
    local = handle.read(30)
    if len(local) < 30 or local[:4] != b"PK\x03\x04":
        raise UnreadableFile(
            f"{name} is not a readable Excel workbook: its zip container is damaged. "
            "Open it in Excel, save it again as .xlsx, and upload that."
        )
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    handle.seek(name_length + extra_length, 1)
    remaining = member.compress_size
    if member.compress_type == zipfile.ZIP_STORED:
        return remaining
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableFile(
            f"{name} uses a kind of compression Excel does not write. Open it in Excel, save it "
            "again as .xlsx, and upload that."
        )
    inflater = zlib.decompressobj(-15)
    size = 0
    try:
        while remaining > 0 or inflater.unconsumed_tail:
            chunk = inflater.unconsumed_tail
            if not chunk:
                chunk = handle.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                remaining -= len(chunk)
            size += len(inflater.decompress(chunk, 1 << 22))
            if size > allowance:
                return size
            if inflater.eof:
                break
    except zlib.error as error:
        raise UnreadableFile(
            f"{name} is not a readable Excel workbook: part {member.filename} is damaged. "
            "Open it in Excel, save it again as .xlsx, and upload that."
        ) from error
    return size


def _read_xlsx(path: Path, max_unpacked_bytes: int) -> pl.DataFrame:
    import fastexcel

    check_zip_container(path, max_unpacked_bytes)
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


def _read_parquet(path: Path, max_unpacked_bytes: int) -> pl.DataFrame:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_metadata(path)
        unpacked = sum(
            metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups)
        )
    except Exception as error:  # noqa: BLE001 - any reader failure becomes a message
        raise UnreadableFile(
            f"{path.name} could not be read as Parquet ({str(error).splitlines()[0]}). "
            "Write it again (for example with Polars' write_parquet) or upload CSV."
        ) from error
    if unpacked > max_unpacked_bytes:
        raise UnreadableFile(
            f"{path.name} would unpack to {_describe_size(unpacked)}, more than the "
            f"{_describe_size(max_unpacked_bytes)} this service accepts. Split it into smaller files."
        )
    try:
        frame = pl.read_parquet(path)
    except Exception as error:  # noqa: BLE001 - any reader failure becomes a message
        raise UnreadableFile(
            f"{path.name} could not be read as Parquet ({str(error).splitlines()[0]}). "
            "Write it again (for example with Polars' write_parquet) or upload CSV."
        ) from error
    nested = [f"{c} ({t})" for c, t in frame.schema.items() if t.is_nested() or t == pl.Binary]
    if nested:
        raise UnreadableFile(
            f"{path.name}: column(s) {', '.join(nested)} hold lists, structures or bytes, not "
            "single values. Write one number or piece of text per cell."
        )
    names = _check_header(frame.columns, path.name, "the column names")
    frame = pl.DataFrame([_as_text(column, path.name) for column in frame.get_columns()])
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    return _name_columns(frame, names, path.name, "the column names")


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
