"""``python -m benchmarks``: generate files, run the benchmarks, or profile our load.

python -m benchmarks generate --rows N --output FILE [--seed S]
python -m benchmarks generate --revision-of FILE --fraction 0.1 --output FILE [--seed S]
python -m benchmarks [--sizes 1000000,10000000] [--runs 5] [--quick] [--only load,queries]
python -m benchmarks profile --rows 1000000      # needs: pip install pyinstrument
python -m benchmarks sessions [--sessions 1,10,25,50] [--postgres CONNINFO]
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

from benchmarks import generate


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"sizes are row counts such as 1000000: {error}"
        ) from error
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("give at least one positive row count")
    return sizes


def _sections(text: str) -> tuple[str, ...]:
    from benchmarks.runner import RUN_SECTIONS

    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [s for s in chosen if s not in RUN_SECTIONS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(RUN_SECTIONS)}")
    return tuple(s for s in RUN_SECTIONS if s in chosen)


def generate_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks generate",
        description="Write a synthetic indicator file in the native template (deterministic).",
    )
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--rows", type=int, help="number of data rows")
    what.add_argument("--revision-of", type=Path, help="write revisions of this file's rows")
    parser.add_argument("--fraction", type=float, default=0.1, help="share of rows revised")
    parser.add_argument("--output", type=Path, required=True, help="CSV file to write")
    parser.add_argument("--seed", type=int, default=2009, help="random seed (same seed, same file)")
    args = parser.parse_args(argv)
    if args.rows is not None and args.rows < 1:
        parser.error("--rows must be at least 1")
    if not 0 < args.fraction <= 1:
        parser.error("--fraction must be above 0 and at most 1")
    started = time.perf_counter()
    if args.rows is not None:
        generate.write_observations(args.rows, args.output, args.seed)
        what_was_written = generate.describe(args.rows)
    else:
        if not args.revision_of.is_file():
            parser.error(f"there is no file {args.revision_of}")
        generate.write_revisions(args.revision_of, args.output, args.fraction, args.seed)
        what_was_written = f"revisions of {args.fraction:.0%} of the rows of {args.revision_of}"
    print(
        f"Wrote {args.output} ({args.output.stat().st_size / 1e6:,.1f} MB): {what_was_written}, "
        f"in {time.perf_counter() - started:.1f} s."
    )
    return 0


def profile_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks profile",
        description="Profile our validated load of a generated file with pyinstrument.",
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--output-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    from benchmarks.profile import profile_load
    from benchmarks.runner import DEFAULT_OUTPUT

    profile_load(args.rows, args.seed, args.output_dir or DEFAULT_OUTPUT)
    return 0


def sessions_main(argv: list[str]) -> int:
    import os

    from benchmarks.runner import DEFAULT_RESULTS
    from benchmarks.sessions import run_sessions

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks sessions",
        description="Two app servers behind nginx on a PostgreSQL catalog; N concurrent "
        "browser sessions doing the minister's journey (see docs/deploy.md).",
    )
    parser.add_argument("--sessions", type=_sizes, default=[1, 10, 25, 50])
    parser.add_argument(
        "--postgres",
        default=os.environ.get("OUTCOMES_TEST_POSTGRES", ""),
        help="libpq connection string of a server where the user may create databases "
        "(default: OUTCOMES_TEST_POSTGRES)",
    )
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument(
        "--profile",
        type=Path,
        help="sample both servers with py-spy during the largest round; folded stacks and a "
        "summary go to this folder",
    )
    args = parser.parse_args(argv)
    if not args.postgres:
        parser.error("give --postgres or set OUTCOMES_TEST_POSTGRES (see docs/deploy.md)")
    # The connection string may hold a password: the results show where it went, not what.
    shown = [
        "CONNINFO" if prev == "--postgres" else arg
        for prev, arg in zip(["", *argv], argv, strict=False)
    ]
    command = " ".join(["python -m benchmarks sessions", *map(shlex.quote, shown)])
    profile = args.profile.resolve() if args.profile else None
    rounds = run_sessions(args.sessions, args.postgres, args.results.resolve(), command, profile)
    return 0 if rounds else 1


def run_main(argv: list[str]) -> int:
    from benchmarks.runner import (
        DEFAULT_OUTPUT,
        DEFAULT_RESULTS,
        DEFAULT_SIZES,
        QUICK_SIZES,
        RUN_SECTIONS,
        RunConfig,
        run,
    )

    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure load, queries, pages, memory and growth; write RESULTS.md. "
        "Subcommands: generate, profile (see python -m benchmarks generate --help).",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        default=None,
        help=f"row counts, comma-separated (default {','.join(map(str, DEFAULT_SIZES))})",
    )
    parser.add_argument("--runs", type=int, default=None, help="runs per figure (default 5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"tiny sizes ({','.join(map(str, QUICK_SIZES))}) and 2 runs, for development",
    )
    parser.add_argument(
        "--only",
        type=_sections,
        default=RUN_SECTIONS,
        help=f"sections to run, comma-separated, from {','.join(RUN_SECTIONS)} (default all)",
    )
    parser.add_argument("--seed", type=int, default=2009)
    parser.add_argument("--region", help="region code (default: the one with most areas)")
    parser.add_argument("--revision-fraction", type=float, default=0.1)
    parser.add_argument(
        "--pandas-max-rows",
        type=int,
        default=1_000_000,
        help="largest size at which pandas + pydantic + SQLite is measured",
    )
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument(
        "--append", action="store_true", help="add this run below the results already there"
    )
    args = parser.parse_args(argv)
    runs = args.runs if args.runs is not None else (2 if args.quick else 5)
    if runs < 1:
        parser.error("--runs must be at least 1")
    sizes = args.sizes or list(QUICK_SIZES if args.quick else DEFAULT_SIZES)
    config = RunConfig(
        sizes=sizes,
        runs=runs,
        sections=args.only,
        output_dir=args.output_dir.resolve(),
        results=args.results.resolve(),
        seed=args.seed,
        region=args.region,
        revision_fraction=args.revision_fraction,
        pandas_max_rows=args.pandas_max_rows,
        quick=args.quick,
        append=args.append,
        command=" ".join(["python -m benchmarks", *map(shlex.quote, argv)]),
    )
    figures = run(config)
    return 0 if figures else 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["generate"]:
        return generate_main(argv[1:])
    if argv[:1] == ["profile"]:
        return profile_main(argv[1:])
    if argv[:1] == ["sessions"]:
        return sessions_main(argv[1:])
    return run_main(argv)


if __name__ == "__main__":
    sys.exit(main())
