"""The benchmark run: for each size, files, load, a warehouse, queries, pages and memory.

Everything a size needs is made under the output folder: the generated files (kept: the
generator is deterministic, so they are reused), a reference-only warehouse copied for each
load, and a query warehouse (the file and its revisions loaded; rebuilt every run, so it
always matches the code being measured).
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from benchmarks import environment, generate, report
from benchmarks.figures import Figure, at_most
from benchmarks.load import (
    LABELS,
    build_reference_warehouse,
    load_figures,
    revision_load_figures,
)
from benchmarks.pages import memory_figures, render_figures
from benchmarks.processes import ROOT, shell_command
from benchmarks.queries import query_figures

DEFAULT_OUTPUT = ROOT / "benchmarks" / "output"
DEFAULT_RESULTS = ROOT / "benchmarks" / "RESULTS.md"
DEFAULT_SIZES = (1_000_000, 10_000_000)
QUICK_SIZES = (20_000, 100_000)
RUN_SECTIONS = ("load", "queries", "pages", "memory")
GENERATOR_VERSION = 1
#: Growth of a region query is "far less than" the growth of the data when its median grows
#: by at most this share of the size ratio (3× for ten times the rows).
GROWTH_SHARE = 0.3


@dataclass
class RunConfig:
    """What one run measures and where it writes."""

    sizes: list[int] = field(default_factory=lambda: list(DEFAULT_SIZES))
    runs: int = 5
    #: Untimed calls before the timed ones (queries) and untimed passes (page renders).
    warmups: int = 1
    sections: tuple[str, ...] = RUN_SECTIONS
    output_dir: Path = DEFAULT_OUTPUT
    results: Path = DEFAULT_RESULTS
    seed: int = 2009
    region: str | None = None
    revision_fraction: float = 0.1
    pandas_max_rows: int = 1_000_000
    quick: bool = False
    append: bool = False
    command: str = "python -m benchmarks"


def default_region() -> tuple[str, str]:
    """Returns (code, name) of the region with most upper-tier authorities (most data)."""
    from warehouse.reference_data import AREA_TYPES

    areas = pl.read_csv(generate.REFERENCE_DIR / "areas.csv", infer_schema=False)
    regions = pl.read_csv(generate.REFERENCE_DIR / "regions.csv", infer_schema=False)
    upper = [t for t, tier in AREA_TYPES.items() if tier in ("county", "unitary")]
    counts = (
        areas.filter(pl.col("area_type").is_in(upper))
        .group_by("region_code")
        .len()
        .sort(["len", "region_code"], descending=[True, False])
    )
    code = counts["region_code"][0]
    return code, regions.filter(pl.col("region_code") == code)["name"][0]


def region_name(code: str) -> str:
    regions = pl.read_csv(generate.REFERENCE_DIR / "regions.csv", infer_schema=False)
    found = regions.filter(pl.col("region_code") == code)
    if found.is_empty():
        raise SystemExit(f"There is no region {code}; use a code from E12000001 to E12000009.")
    return found["name"][0]


def figure_command(config: RunConfig, sizes: list[int], sections: str) -> str:
    """Returns the command that reproduces a figure (same sizes, runs, seed and options)."""
    args = ["python", "-m", "benchmarks", "--sizes", ",".join(str(s) for s in sizes)]
    args += ["--runs", str(config.runs), "--only", sections]
    if config.seed != RunConfig.seed:
        args += ["--seed", str(config.seed)]
    if config.region:
        args += ["--region", config.region]
    if config.revision_fraction != RunConfig.revision_fraction:
        args += ["--revision-fraction", str(config.revision_fraction)]
    if config.pandas_max_rows != RunConfig.pandas_max_rows:
        args += ["--pandas-max-rows", str(config.pandas_max_rows)]
    return shell_command(args)


def _generate(args: list[str]) -> float:
    """Runs ``python -m benchmarks generate ARGS`` in a child process; returns its seconds."""
    import subprocess

    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "benchmarks", "generate", *args], cwd=ROOT, check=True)
    return time.perf_counter() - started


def observations_file(config: RunConfig, rows: int) -> tuple[Path, str]:
    """Returns the generated file of ``rows`` rows (made when missing) and how it was made."""
    path = config.output_dir / f"observations-{rows}-seed{config.seed}-v{GENERATOR_VERSION}.csv"
    if path.exists():
        return path, f"reused {path.name}"
    args = ["--rows", str(rows), "--output", _shown(path), "--seed", str(config.seed)]
    seconds = _generate(args)
    return path, f"generated in {seconds:.1f} s (`python -m benchmarks generate {' '.join(args)}`)"


def revisions_file(config: RunConfig, original: Path) -> tuple[Path, str]:
    """Returns the revisions of a share of ``original``'s rows (made when missing)."""
    fraction = config.revision_fraction
    path = original.with_name(original.stem + f"-revisions-{fraction:g}.csv")
    if path.exists():
        return path, f"reused {path.name}"
    args = ["--revision-of", _shown(original), "--fraction", f"{fraction:g}"]
    args += ["--output", _shown(path), "--seed", str(config.seed)]
    seconds = _generate(args)
    return path, f"generated in {seconds:.1f} s (`python -m benchmarks generate {' '.join(args)}`)"


def warehouses_folder(config: RunConfig, csv: Path) -> Path:
    """Returns the folder of the warehouses built from ``csv`` (``base`` and ``query``)."""
    return config.output_dir / "warehouses" / csv.stem


def _observation_rows(data_dir: Path) -> int:
    """Returns how many observation rows the warehouse in ``data_dir`` holds."""
    from benchmarks.settings import warehouse_settings
    from warehouse import open_warehouse

    con = open_warehouse(warehouse_settings(data_dir))
    try:
        return con.execute("SELECT count(*) FROM observations").fetchone()[0]
    finally:
        con.close()


def warehouses(
    config: RunConfig, reference_dir: Path, csv: Path, revisions: Path
) -> tuple[Path, Path, str]:
    """Builds (base, query) warehouses: the file loaded; then a copy with its revisions too.

    The base warehouse is what the revision load figure starts from; the query warehouse is
    what the queries and pages read. Both are rebuilt every run.
    """
    from benchmarks.processes import run_child

    folder = warehouses_folder(config, csv)
    if folder.exists():
        shutil.rmtree(folder)
    base_dir, data_dir = folder / "base" / "data", folder / "query" / "data"
    shutil.copytree(reference_dir, base_dir)
    base = run_child(["warehouse", str(base_dir), str(csv)])
    shutil.copytree(base_dir, data_dir)
    revised = run_child(["load", "ours-revisions", str(revisions), str(data_dir)])
    total = base.result["rows_loaded"] + revised.result["rows"]
    return (
        base_dir,
        data_dir,
        f"{total:,} observation rows in 2 batches (the file, loaded in {base.seconds:.1f} s, "
        f"then its revisions)",
    )


def _shown(path: Path) -> str:
    """Returns a path relative to the project folder when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def growth_figures(figures: list[Figure], sizes: list[int], config: RunConfig) -> list[Figure]:
    """Returns, for every figure measured at the smallest and largest size, large ÷ small."""
    sizes = sorted(set(sizes))
    if len(sizes) < 2:
        return [
            Figure(
                "growth",
                "growth of every figure with the number of rows",
                None,
                "×",
                note="not measured: needs two sizes or more (--sizes A,B)",
            )
        ]
    small, large = sizes[0], sizes[-1]
    size_ratio = large / small
    limit = GROWTH_SHARE * size_ratio
    command = figure_command(config, [small, large], ",".join(config.sections))
    by_key = {(f.section, f.name, f.rows): f for f in figures if f.measured}
    growth = []
    for (section, name, rows), at_small in by_key.items():
        if rows != small or section not in ("load", "queries", "pages", "memory"):
            continue
        at_large = by_key.get((section, name, large))
        if at_large is None or at_large.unit in ("×", "rows/s"):
            continue
        region = name.startswith(("region_overview(", "region overview page data"))
        growth.append(
            Figure(
                "growth",
                f"{section}: {name}",
                None,
                "×",
                [b / a for a, b in zip(at_small.samples, at_large.samples, strict=False)],
                target=f"≤ {limit:.1f}× (far less than {size_ratio:g}×)" if region else "",
                check=at_most(limit) if region else None,
                command=command,
                note=f"{large:,} rows ÷ {small:,} rows ({size_ratio:g}× the rows); per-run ratios",
            )
        )
    return growth


def run(config: RunConfig) -> list[Figure]:
    """Returns every figure of the run, after printing them and writing RESULTS.md."""
    begun = time.perf_counter()
    facts = environment.describe()
    region, name = (
        (config.region, region_name(config.region)) if config.region else default_region()
    )
    config.output_dir.mkdir(parents=True, exist_ok=True)
    reference_dir = build_reference_warehouse(config.output_dir / "reference-warehouse")
    figures: list[Figure] = []
    data_notes = []
    started = time.perf_counter()

    def step(text: str) -> None:
        print(f"   [{time.perf_counter() - started:6.1f} s] {text} …", flush=True)

    for rows in sorted(config.sizes):
        print(f"\n== {generate.describe(rows)}", flush=True)
        csv, made = observations_file(config, rows)
        data_notes.append(f"{generate.describe(rows)}; {made}")
        revisions, revisions_made = revisions_file(config, csv)
        note = ""
        if "load" in config.sections:
            # The load runs leave the warehouses the queries and pages read: the last run
            # of our load (the file) and the last run of the revisions load (file and
            # revisions), so no third load builds them again.
            folder = warehouses_folder(config, csv)
            base_dir, data_dir = folder / "base" / "data", folder / "query" / "data"
            step("load")
            with_pandas = rows <= config.pandas_max_rows
            figures += load_figures(
                csv,
                rows,
                reference_dir,
                config.output_dir / "scratch",
                config.runs,
                figure_command(config, [rows], "load"),
                with_pandas,
                keep=base_dir,
            )
            if not with_pandas:
                figures.append(
                    Figure(
                        "load",
                        f"{LABELS['pandas']}: wall time",
                        rows,
                        "s",
                        note=f"not measured above {config.pandas_max_rows:,} rows "
                        "(see its ratio at the smaller size)",
                    )
                )
            step("load of revisions")
            figures += revision_load_figures(
                revisions,
                round(config.revision_fraction * rows),
                rows,
                base_dir,
                config.output_dir / "scratch",
                config.runs,
                figure_command(config, [rows], "load"),
                keep=data_dir,
            )
            built = (
                f"{_observation_rows(data_dir):,} observation rows in 2 batches (the file, "
                "then its revisions: the warehouse of the last run of each load above)"
            )
        elif {"queries", "pages", "memory"} & set(config.sections):
            step("warehouses")
            base_dir, data_dir, built = warehouses(config, reference_dir, csv, revisions)
        else:
            built = ""
        if built:
            data_notes.append(
                f"warehouse at {rows:,}: the file plus revisions of "
                f"{config.revision_fraction:.0%} of its rows ({revisions_made}): {built}"
            )
            note = f"warehouse: {built}"
        if "queries" in config.sections:
            step("queries")
            figures += query_figures(
                data_dir,
                region,
                config.runs,
                rows,
                figure_command(config, [rows], "queries"),
                note,
                config.warmups,
            )
        if "pages" in config.sections:
            step("pages")
            figures += render_figures(
                data_dir,
                region,
                config.runs,
                rows,
                figure_command(config, [rows], "pages"),
                config.warmups,
            )
        if "memory" in config.sections:
            step("memory")
            figures += memory_figures(
                data_dir, region, config.runs, rows, figure_command(config, [rows], "memory")
            )
    step("done")
    figures += growth_figures(figures, config.sizes, config)

    facts = {
        "command": f"`{config.command}`",
        **facts,
        "mode": (
            f"quick (for development: {config.runs} run(s) per figure, tiny sizes; "
            "not a measurement)"
            if config.quick
            else f"{config.runs} run(s) per figure, after {config.warmups} untimed warm-up(s) "
            "for queries and page renders"
        ),
        "sections": ", ".join(config.sections),
        "region": f"{region} {name}",
        "data": "<br>".join(data_notes),
        "run time": f"{(time.perf_counter() - begun) / 60:.1f} min (the whole run: files, "
        "warehouses, every section and size)",
    }
    title = "Benchmark results" + (" (quick mode)" if config.quick else "")
    report.write_results(figures, facts, config.results, title, config.append)
    print()
    report.print_table(figures)
    print(f"\nWrote {config.results}")
    return figures
