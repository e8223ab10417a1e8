"""Readers: turn an uploaded file into a frame of text cells, one per format.

Every cell is read as text so that a bad value becomes a validation problem with its row
and column, never a crash. A ``_row`` column carries each row's number as a spreadsheet
shows it (the header is row 1).
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl


class UnreadableFile(ValueError):
    """The file cannot be read at all; the message says why and what to do."""


SUPPRESSED = ("*", "..", "x", "c", "-", ":")


def detect_format(path: Path) -> str:
    """Returns 'csv', 'xlsx' or 'parquet' from the file's first bytes (its name as a fallback)."""
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"PAR1"):
        return "parquet"
    return "csv"


def read_table(path: Path, file_format: str | None = None) -> pl.DataFrame:
    """Returns the file's cells as text with a ``_row`` column (header is row 1)."""
    file_format = file_format or detect_format(path)
    if path.stat().st_size == 0:
        raise UnreadableFile(
            f"{path.name} is empty. Upload a file with a header row and data rows."
        )
    if file_format == "csv":
        frame = _read_csv(path)
    elif file_format == "xlsx":
        frame = _read_xlsx(path)
    elif file_format == "parquet":
        frame = _read_parquet(path)
    else:
        raise UnreadableFile(
            f"{path.name}: unknown format {file_format!r}; use csv, xlsx or parquet."
        )
    frame = frame.rename({c: c.strip() for c in frame.columns})
    if frame.height == 0:
        raise UnreadableFile(f"{path.name} has a header row but no data rows.")
    return frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))


def _sniff_header(text: str, name: str) -> tuple[str, list[str]]:
    first = text.split("\n", 1)[0].rstrip("\r")
    counts = {d: first.count(d) for d in (",", ";", "\t", "|")}
    delimiter = max(counts, key=counts.get)
    if counts[delimiter] == 0:
        delimiter = ","
    header = next(csv.reader([first], delimiter=delimiter))
    header = [h.strip() for h in header]
    seen: set[str] = set()
    duplicated = sorted({h for h in header if h in seen or seen.add(h)})
    if duplicated:
        raise UnreadableFile(
            f"{name}: the header repeats the column name(s) {', '.join(map(repr, duplicated))}. "
            "Give every column a different name."
        )
    if any(h == "" for h in header):
        raise UnreadableFile(f"{name}: the header has an empty column name. Name every column.")
    return delimiter, header


def _read_csv(path: Path) -> pl.DataFrame:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise UnreadableFile(
            f"{path.name} is empty. Upload a file with a header row and data rows."
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        # Excel on Windows saves "CSV" as Windows-1252; anything else is refused.
        try:
            raw = raw.decode("cp1252").encode("utf-8")
        except UnicodeDecodeError:
            raise UnreadableFile(
                f"{path.name} is not valid UTF-8 or Windows-1252 text (byte {error.start}). "
                "Save it as CSV UTF-8 and upload it again."
            ) from error
    delimiter, _ = _sniff_header(raw[:65536].decode("utf-8", errors="replace"), path.name)
    try:
        return pl.read_csv(
            raw,
            separator=delimiter,
            infer_schema=False,
            truncate_ragged_lines=False,
            missing_utf8_is_empty_string=False,
        )
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as error:
        raise UnreadableFile(
            f"{path.name} could not be read as a table ({str(error).splitlines()[0]}). "
            "Check that every row has the same number of columns as the header."
        ) from error


def _read_xlsx(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_excel(path, infer_schema_length=0)
    except Exception as error:  # fastexcel raises its own error types
        raise UnreadableFile(
            f"{path.name} could not be read as an Excel workbook ({str(error).splitlines()[0]}). "
            "Save it again as .xlsx, with the data on the first sheet."
        ) from error
    return frame.with_columns(pl.all().cast(pl.String))


def _read_parquet(path: Path) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as error:  # noqa: BLE001 - any reader failure becomes a message
        raise UnreadableFile(
            f"{path.name} could not be read as Parquet ({str(error).splitlines()[0]})."
        ) from error
    return frame.with_columns(pl.all().cast(pl.String))
