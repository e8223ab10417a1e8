"""The command line: a thin skin over the pipeline and warehouse functions.

``python -m pipelines demo|load|batches|rollback|status|export``; every command prints
sentences a person can act on and exits non-zero when it did not do what was asked.

The command line is a trusted local operator (an administrator in every region): whoever can
run it can reach the warehouse files anyway. It still says who it acts for (``--operator`` or
``OUTCOMES_OPERATOR``), and that name is recorded on every batch and audit entry it writes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

from pipelines import actions_cli, problems
from pipelines.load import KINDS, load_file
from pipelines.new_indicators import for_review
from pipelines.readers import read_table
from warehouse import open_warehouse
from warehouse.batches import UnknownBatch, list_batches, withdraw_batch
from warehouse.connection import WarehouseBusy
from warehouse.reference_queries import table_counts
from warehouse.scope import authorise_export
from warehouse.settings import Settings, get_settings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="build the synthetic demonstration warehouse")
    demo.add_argument("--seed", type=int, default=2009, help="random seed (same seed, same data)")
    demo.add_argument(
        "--force", action="store_true", help="add the demo batches even if data exists"
    )
    demo.add_argument("--operator", help="who is building it (default: OUTCOMES_OPERATOR)")

    load = commands.add_parser("load", help="validate a file and load it as one batch")
    load.add_argument("file", type=Path)
    load.add_argument("--kind", choices=KINDS, default="indicators", help="what the file holds")
    load.add_argument(
        "--format",
        dest="file_format",
        choices=("csv", "xlsx", "parquet"),
        help="override the detected file format",
    )
    load.add_argument(
        "--confirm-revisions", action="store_true", help="accept rows that revise existing values"
    )
    load.add_argument("--dry-run", action="store_true", help="validate and preview; write nothing")
    load.add_argument(
        "--accept-warnings",
        action="store_true",
        help="load although the report has warnings (small counts, jumps, implausible values)",
    )
    load.add_argument(
        "--layout",
        choices=("native", "fingertips", "ons_tidy", "wide"),
        help="how the indicator values are laid out (default: detected from the header)",
    )
    load.add_argument(
        "--metadata", type=Path, help="an ONS tidy file's metadata file (ids, polarity, units)"
    )
    load.add_argument(
        "--indicator-map",
        type=Path,
        help="CSV of source_id,indicator_id: our id for each Fingertips indicator id",
    )
    load.add_argument(
        "--column-period",
        action="append",
        default=[],
        metavar="COLUMN=PERIOD",
        help="a wide table's value column and the period of its values, e.g. 'Score=2010' "
        "(repeat for each column; the columns named are the ones loaded)",
    )
    load.add_argument(
        "--column-indicator",
        action="append",
        default=[],
        metavar="COLUMN=INDICATOR",
        help="a wide table's value column and the indicator it holds, e.g. 'Score=IMD SCORE' "
        "(repeat for each column)",
    )
    load.add_argument(
        "--confirm-new-indicators",
        action="store_true",
        help="create the indicators the file names that the catalogue lacks",
    )
    load.add_argument(
        "--new-indicators",
        type=Path,
        metavar="FILE",
        help="CSV of indicator_id and any of name, unit, value_type, multiplier, polarity: "
        "the new indicators as they are to be created (instead of as proposed)",
    )
    load.add_argument("--operator", help="who is loading (default: OUTCOMES_OPERATOR)")

    commands.add_parser("batches", help="list batches, newest first")

    rollback = commands.add_parser(
        "rollback", help="withdraw a batch; earlier values become current"
    )
    rollback.add_argument("batch_id")
    rollback.add_argument("--reason", help="why the batch is withdrawn")
    rollback.add_argument("--operator", help="who is withdrawing (default: OUTCOMES_OPERATOR)")

    commands.add_parser("status", help="print row counts per table")

    export = commands.add_parser(
        "export", help="write the explorer's table for a region to CSV or XLSX"
    )
    export.add_argument("--region", required=True, help="region code, e.g. E12000001")
    export.add_argument("--indicator", help="one indicator id, e.g. 'NI 116'")
    export.add_argument("--outcome-department", help="an outcome department's name (or id)")
    export.add_argument("--format", dest="export_format", choices=("csv", "xlsx"), default="csv")
    export.add_argument(
        "--output", type=Path, help="file to write (default: standard output for CSV)"
    )
    export.add_argument("--operator", help="who is exporting (default: OUTCOMES_OPERATOR)")
    actions_cli.add_parser(commands)
    return parser


def _pairs(values: list[str], option: str, example: str) -> dict[str, str]:
    """Returns {column: value} from options written COLUMN=VALUE (split at the last '=')."""
    pairs = {}
    for text in values:
        column, sign, value = text.rpartition("=")
        if not sign or not column.strip() or not value.strip():
            raise ValueError(
                f"{option} {text!r}: write the column, '=' and its value, e.g. {option} "
                f"'{example}'."
            )
        pairs[column.strip()] = value.strip()
    return pairs


def _print_table(frame: pl.DataFrame) -> None:
    with pl.Config(
        tbl_rows=-1,
        tbl_cols=-1,
        tbl_width_chars=10_000,
        fmt_str_lengths=80,
        tbl_formatting="ASCII_MARKDOWN",
        tbl_hide_dataframe_shape=True,
        tbl_hide_column_data_types=True,
    ):
        print(frame)


def _export(con, args) -> int:
    from pipelines.normalise import indicator_id
    from warehouse.analytics import export_table, safe_for_spreadsheet
    from warehouse.outcome_queries import outcome_departments
    from warehouse.reference_queries import regions

    if args.region not in regions(con)["region_code"].to_list():
        print(
            f"Unknown region {args.region!r}; use an ONS region code from E12000001 to E12000009.",
            file=sys.stderr,
        )
        return 2
    department_id = None
    if args.outcome_department:
        departments = outcome_departments(con, args.region)
        wanted = args.outcome_department.strip().lower()
        match = departments.filter(
            (pl.col("name").str.to_lowercase() == wanted)
            | (pl.col("outcome_department_id").str.to_lowercase() == wanted)
            | (pl.col("outcome_department_key") == wanted)
        )
        if match.is_empty():
            names = ", ".join(departments["name"].to_list())
            print(
                f"No outcome department {args.outcome_department!r} in {args.region}; choose one of: {names}.",
                file=sys.stderr,
            )
            return 2
        department_id = match["outcome_department_id"][0]
    indicator = (
        pl.select(pl.lit(args.indicator).alias("i")).select(indicator_id("i")).item()
        if args.indicator
        else None
    )
    table = safe_for_spreadsheet(export_table(con, args.region, indicator, department_id))
    if args.export_format == "xlsx":
        if not args.output:
            print("XLSX needs --output FILE.", file=sys.stderr)
            return 2
        table.write_excel(args.output, worksheet="export")
    elif args.output:
        table.write_csv(args.output)
    else:
        sys.stdout.write(table.write_csv())
    if args.output:
        print(f"Wrote {table.height} rows to {args.output}.")
    authorise_export(
        con,
        args.operator_name,
        str(args.output or "standard output"),
        region_code=args.region,
        detail=f"{table.height} rows ({args.export_format})",
    )
    return 0


def main(argv: list[str] | None = None, settings: Settings | None = None) -> int:
    """Returns the process exit code after running one command."""
    args = _parser().parse_args(argv)
    settings = settings or get_settings()
    try:
        con = open_warehouse(settings)
    except WarehouseBusy as error:
        print(error, file=sys.stderr)
        return 3
    operator = getattr(args, "operator", None) or settings.operator
    args.operator_name = operator

    if args.command == "demo":
        from pipelines.demo import build_demo_warehouse

        batch_ids = build_demo_warehouse(con, seed=args.seed, force=args.force, operator=operator)
        if not batch_ids:
            print(
                "The warehouse already holds data; nothing was added (use --force to add the demo batches)."
            )
        for batch_id in batch_ids:
            print(f"batch: {batch_id}")
        return 0

    if args.command == "load":
        if not args.file.is_file():
            print(f"There is no file {args.file}.", file=sys.stderr)
            return 2
        try:
            column_periods = _pairs(args.column_period, "--column-period", "Score=2010")
            column_indicators = _pairs(
                args.column_indicator, "--column-indicator", "Score=IMD SCORE"
            )
        except ValueError as error:
            print(error, file=sys.stderr)
            return 2
        new_indicators = None
        if args.new_indicators:
            if not args.new_indicators.is_file():
                print(f"There is no file {args.new_indicators}.", file=sys.stderr)
                return 2
            new_indicators = read_table(args.new_indicators).drop("_row")
        indicator_ids = None
        if args.indicator_map:
            pairs = read_table(args.indicator_map)
            indicator_ids = dict(zip(pairs["source_id"], pairs["indicator_id"], strict=True))
        outcome = load_file(
            con,
            args.file,
            kind=args.kind,
            operator=operator,
            settings=settings,
            file_format=args.file_format,
            confirm_revisions=args.confirm_revisions,
            dry_run=args.dry_run,
            accept_warnings=args.accept_warnings,
            layout=args.layout,
            metadata_path=args.metadata,
            indicator_ids=indicator_ids,
            column_periods=column_periods,
            column_indicators=column_indicators,
            new_indicators=new_indicators,
            confirm_new_indicators=args.confirm_new_indicators,
        )
        for note in outcome.notes:
            print(note)
        if outcome.proposed_indicators is not None and outcome.proposed_indicators.height:
            print("New indicators (created with --confirm-new-indicators):")
            _print_table(for_review(outcome.proposed_indicators))
        if outcome.skipped is not None and outcome.skipped.height:
            print(f"{outcome.skipped.height} row(s) of {args.file.name} were left out:")
            _print_table(outcome.skipped.head(20))
        for line in problems.describe(outcome.report, args.file.name, limit=200):
            print(line, file=sys.stderr if line.startswith("Error") else sys.stdout)
        if outcome.changes is not None and outcome.changes.height:
            print("Revisions (old → new):")
            _print_table(outcome.changes.head(50))
        if outcome.status_changes is not None and outcome.status_changes.height:
            print("What the revisions do to the comparison with England:")
            for sentence in outcome.status_changes["sentence"].head(50):
                print(sentence)
        elif outcome.preview is not None and outcome.rows_revised:
            print("Revisions (old → new):")
            _print_table(
                outcome.revisions()
                .select(
                    "indicator_id",
                    "area_code",
                    pl.col("period" if args.kind == "indicators" else "target_period"),
                    "previous_value",
                    pl.col("value" if args.kind == "indicators" else "target_value").alias(
                        "new_value"
                    ),
                )
                .head(50)
            )
        print(outcome.message, file=sys.stdout if outcome.ok else sys.stderr)
        if outcome.batch_id:
            print(f"batch: {outcome.batch_id}")
        return 0 if outcome.ok else 1

    if args.command == "batches":
        _print_table(list_batches(con).drop("sha256", "note"))
        return 0

    if args.command == "rollback":
        try:
            withdraw_batch(con, args.batch_id, operator, args.reason, settings.write_retries)
        except (UnknownBatch, ValueError, WarehouseBusy) as error:
            print(error, file=sys.stderr)
            return 1
        print(f"Batch {args.batch_id} withdrawn; the values it replaced are current again.")
        return 0

    if args.command == "export":
        return _export(con, args)

    if args.command == "actions":
        return actions_cli.run(con, args, _print_table)

    if args.command == "status":
        _print_table(table_counts(con))
        return 0
    return 2
