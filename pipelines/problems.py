"""The validation report: every problem found in a file, as one frame, in plain sentences."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

SCHEMA = {
    "row": pl.Int64,
    "column": pl.String,
    "value": pl.String,
    "message": pl.String,
    "severity": pl.String,
}
ERROR = "error"
WARNING = "warning"


def empty() -> pl.DataFrame:
    """Returns a report with no problems."""
    return pl.DataFrame(schema=SCHEMA)


def file_problem(message: str, column: str | None = None, severity: str = ERROR) -> pl.DataFrame:
    """Returns a one-line report for a problem with the whole file (no row)."""
    return pl.DataFrame(
        {
            "row": [None],
            "column": [column],
            "value": [None],
            "message": [message],
            "severity": [severity],
        },
        schema=SCHEMA,
    )


def row_problems(
    frame: pl.DataFrame, failed: pl.Expr, column: str, message: pl.Expr | str, severity: str = ERROR
) -> pl.DataFrame:
    """Returns one problem per row of ``frame`` where ``failed`` holds.

    ``frame`` carries the original text of each cell and a ``_row`` column with the row's
    number as a spreadsheet shows it (the header is row 1).
    """
    message_expr = pl.lit(message) if isinstance(message, str) else message
    value = pl.col(column).cast(pl.String) if column in frame.columns else pl.lit(None, pl.String)
    # One chunk per column: Polars 2.1 can panic in pl.format over columns chunked unevenly
    # (a frame's own columns beside ones looked up or gathered); the failing rows are few.
    return (
        frame.filter(failed.fill_null(False))
        .rechunk()
        .select(
            row=pl.col("_row").cast(pl.Int64),
            column=pl.lit(column),
            value=value,
            message=message_expr.cast(pl.String),
            severity=pl.lit(severity),
        )
    )


@dataclass(frozen=True)
class RowCheck:
    """One rule for every row: where ``failed`` holds, the row has a problem in ``column``.

    ``failed`` must look at its own row alone (no windows or aggregations). ``suspect``, when
    given, is a cheaper test that holds wherever ``failed`` may hold (a blank cell is among
    those that did not parse as a number, say): only the rows it picks out are checked exactly.
    """

    failed: pl.Expr
    column: str
    message: pl.Expr | str
    severity: str = ERROR
    suspect: pl.Expr | None = None


def check_rows(frame: pl.DataFrame, checks: list[RowCheck]) -> list[pl.DataFrame]:
    """Returns one report per check, as ``row_problems`` would, in one pass over ``frame``.

    Nearly every row of a large file passes every check: one pass picks out the rows where
    any check may fail, and each check's report is built from those rows alone.
    """
    if not checks:
        return []
    may_fail = pl.any_horizontal(
        (check.failed if check.suspect is None else check.suspect).fill_null(False)
        for check in checks
    )
    suspects = frame.filter(may_fail)
    return [
        row_problems(suspects, check.failed, check.column, check.message, check.severity)
        for check in checks
    ]


def combine(reports: list[pl.DataFrame]) -> pl.DataFrame:
    """Returns all reports as one, ordered by row then column, file-level problems first."""
    if not reports:
        return empty()
    return pl.concat(reports, how="vertical").sort(["row", "column"], nulls_last=False)


def has_errors(report: pl.DataFrame) -> bool:
    """Returns True when any problem in the report blocks the load."""
    return report.filter(pl.col("severity") == ERROR).height > 0


def describe(report: pl.DataFrame, file_name: str, limit: int | None = None) -> list[str]:
    """Returns one sentence per problem, naming file, row and column."""
    lines = []
    for problem in (
        report.head(limit).iter_rows(named=True) if limit else report.iter_rows(named=True)
    ):
        where = [file_name]
        if problem["row"] is not None:
            where.append(f"row {problem['row']}")
        if problem["column"]:
            where.append(f"column {problem['column']}")
        lines.append(
            f"{problem['severity'].capitalize()}: {', '.join(where)}: {problem['message']}"
        )
    if limit and report.height > limit:
        lines.append(f"… and {report.height - limit} more problems (download the full report).")
    return lines
