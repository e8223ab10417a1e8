"""Load figures: our validated load against DuckDB alone and against pandas + pydantic + SQLite.

Runs are interleaved (ours, DuckDB, pandas, then again), so that a busy moment on a shared
machine falls on every contender alike; each run is a fresh child process writing into a
fresh folder: ours into a copy of a reference-only warehouse (``shutil.copytree``; the
DuckLake data path is set at attach, so a copy works), DuckDB and SQLite into new files.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from benchmarks.figures import Figure, at_least, at_most
from benchmarks.processes import run_child

#: Quality bars: ours at most 1.5 times DuckDB alone, at least 20 times faster than pandas.
DUCKDB_RATIO = 1.5
PANDAS_RATIO = 20.0
LABELS = {
    "ours": "our validated load (pipelines.load.load_file into DuckLake)",
    "duckdb": "DuckDB alone (CREATE TABLE t AS SELECT * FROM read_csv, file database)",
    "pandas": "pandas read_csv + pydantic per row + sqlite3 executemany",
}


def build_reference_warehouse(data_dir: Path) -> Path:
    """Builds an empty warehouse (schema and reference data only) in ``data_dir``, afresh."""
    from benchmarks.settings import warehouse_settings
    from warehouse import open_warehouse

    if data_dir.exists():
        shutil.rmtree(data_dir)
    open_warehouse(warehouse_settings(data_dir)).close()
    return data_dir


def load_figures(
    csv: Path,
    rows: int,
    reference_dir: Path,
    scratch: Path,
    runs: int,
    command: str,
    with_pandas: bool,
    keep: Path | None = None,
) -> list[Figure]:
    """Returns wall time, rows per second and peak memory of each contender, and the ratios.

    With ``keep``, the warehouse of our last run is moved there (a warehouse holding the
    file, for the figures that follow) rather than deleted.
    """
    contenders = ["ours", "duckdb", *(["pandas"] if with_pandas else [])]
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    peaks: dict[str, list[float]] = {name: [] for name in contenders}
    opens: list[float] = []
    baseline: dict[str, list[float]] = {name: [] for name in contenders}
    scratch.mkdir(parents=True, exist_ok=True)
    for run in range(runs):
        for name in contenders:
            workdir = Path(tempfile.mkdtemp(prefix=f"load-{name}-", dir=scratch))
            try:
                if name == "ours":
                    shutil.copytree(reference_dir, workdir, dirs_exist_ok=True)
                child = run_child(["load", name, str(csv), str(workdir)])
                if keep is not None and name == "ours" and run == runs - 1:
                    _keep(workdir, keep)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
            if child.result["rows"] != rows:
                raise RuntimeError(f"{name} loaded {child.result['rows']} rows, not {rows}")
            seconds[name].append(child.result["seconds"])
            peaks[name].append(child.peak_mb)
            _progress(run, runs, name, child.result["seconds"], child.peak_mb)
            baseline[name].append(child.result["rss_before_mb"])
            if name == "ours":
                opens.append(child.result["open_seconds"])

    figures = []
    for name in contenders:
        label = LABELS[name]
        extra = ""
        if name == "ours":
            extra = f"; opening the warehouse first took {_median(opens):.2f} s (not counted)"
        figures += [
            Figure(
                "load",
                f"{label}: wall time",
                rows,
                "s",
                seconds[name],
                command=command,
                note="the load only: not the interpreter's start or imports" + extra,
            ),
            Figure(
                "load",
                f"{label}: rows per second",
                rows,
                "rows/s",
                [rows / s for s in seconds[name]],
                command=command,
            ),
            Figure(
                "load",
                f"{label}: peak memory",
                rows,
                "MB",
                peaks[name],
                command=command,
                note="VmHWM of the child process; of which interpreter and imports "
                f"{_median(baseline[name]):,.0f} MB (resident just before the load)",
            ),
        ]
    figures.append(
        Figure(
            "load",
            "ratio: ours ÷ DuckDB alone (wall time)",
            rows,
            "×",
            [o / d for o, d in zip(seconds["ours"], seconds["duckdb"], strict=True)],
            target=f"≤ {DUCKDB_RATIO:g}×",
            check=at_most(DUCKDB_RATIO),
            command=command,
            note="per-run ratios of interleaved runs",
        )
    )
    if with_pandas:
        figures.append(
            Figure(
                "load",
                "ratio: pandas + pydantic + SQLite ÷ ours (wall time)",
                rows,
                "×",
                [p / o for p, o in zip(seconds["pandas"], seconds["ours"], strict=True)],
                target=f"≥ {PANDAS_RATIO:g}×",
                check=at_least(PANDAS_RATIO),
                command=command,
                note="per-run ratios of interleaved runs, as measured at this size",
            )
        )
    return figures


def _keep(workdir: Path, keep: Path) -> None:
    """Moves the warehouse a run wrote in ``workdir`` to ``keep`` (replacing what is there)."""
    if keep.exists():
        shutil.rmtree(keep)
    keep.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(workdir, keep)


def _progress(run: int, runs: int, name: str, seconds: float, peak_mb: float) -> None:
    print(f"      run {run + 1}/{runs}: {name}: {seconds:.2f} s, {peak_mb:,.0f} MB", flush=True)


def _median(values: list[float]) -> float:
    import statistics

    return statistics.median(values) if values else float("nan")


def revision_load_figures(
    revisions: Path,
    rows: int,
    warehouse_rows: int,
    base_dir: Path,
    scratch: Path,
    runs: int,
    command: str,
    keep: Path | None = None,
) -> list[Figure]:
    """Returns our load of a revisions file into a warehouse already holding the original rows.

    This is the load an analyst repeats with every release; unlike the first load it has to
    compare each row with the value current for its key in a warehouse that is already full.
    With ``keep``, the warehouse of the last run is moved there rather than deleted.
    """
    seconds, peaks = [], []
    scratch.mkdir(parents=True, exist_ok=True)
    for run in range(runs):
        workdir = Path(tempfile.mkdtemp(prefix="load-revisions-", dir=scratch))
        try:
            shutil.copytree(base_dir, workdir, dirs_exist_ok=True)
            child = run_child(["load", "ours-revisions", str(revisions), str(workdir)])
            if keep is not None and run == runs - 1:
                _keep(workdir, keep)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        if child.result["rows_revised"] != rows:
            raise RuntimeError(f"{child.result['rows_revised']} rows revised, not {rows}")
        seconds.append(child.result["seconds"])
        peaks.append(child.peak_mb)
        _progress(run, runs, "ours, revisions", child.result["seconds"], child.peak_mb)
    label = "our validated load of a revisions file into the warehouse holding the file"
    note = (
        f"{rows:,} revised rows, confirmed, into a warehouse of {warehouse_rows:,} rows "
        "(a second release)"
    )
    return [
        Figure(
            "load", f"{label}: wall time", warehouse_rows, "s", seconds, command=command, note=note
        ),
        Figure(
            "load",
            f"{label}: rows per second",
            warehouse_rows,
            "rows/s",
            [rows / s for s in seconds],
            command=command,
            note=f"revised rows ({rows:,}) per second",
        ),
        Figure(
            "load",
            f"{label}: peak memory",
            warehouse_rows,
            "MB",
            peaks,
            command=command,
            note="VmHWM of the child process",
        ),
    ]
