"""``python -m pipelines actions``: list a region's agreed actions, or export them for the
minutes (CSV or XLSX, formula-safe), from the command line (issue 15)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from warehouse.commentary import actions_export
from warehouse.reference_queries import regions
from warehouse.scope import authorise_export


def add_parser(commands) -> None:
    """Adds the ``actions`` command to the command line's subparsers."""
    actions = commands.add_parser(
        "actions", help="list a region's agreed actions, or export them (CSV or XLSX)"
    )
    actions.add_argument("--region", required=True, help="region code, e.g. E12000001")
    actions.add_argument(
        "--output", type=Path, help="write the actions to this .csv or .xlsx file instead"
    )
    actions.add_argument("--operator", help="who is exporting (default: OUTCOMES_OPERATOR)")


def run(con: duckdb.DuckDBPyConnection, args: argparse.Namespace, print_table) -> int:
    """Returns the exit code after listing or exporting the region's current actions."""
    if args.region not in regions(con)["region_code"].to_list():
        print(
            f"Unknown region {args.region!r}; use an ONS region code from E12000001 to E12000009.",
            file=sys.stderr,
        )
        return 2
    table = actions_export(con, args.region)
    if args.output is None:
        print_table(table)
        return 0
    suffix = args.output.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        print(f"Write the actions to a .csv or .xlsx file, not {args.output}.", file=sys.stderr)
        return 2
    authorise_export(
        con,
        args.operator_name,
        str(args.output),
        region_code=args.region,
        detail=f"{table.height} actions",
    )
    if suffix == ".xlsx":
        table.write_excel(args.output, worksheet="actions")
    else:
        table.write_csv(args.output)
    print(f"Wrote {table.height} actions to {args.output}.")
    return 0
