"""Where our load spends its time: pyinstrument over ``load_file``, beside DuckDB alone.

pyinstrument is a development tool, not a project dependency: ``pip install pyinstrument``.
The text and HTML profiles are written under the output folder.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path


def profile_load(rows: int, seed: int, output_dir: Path) -> Path:
    """Profiles one load of a generated file of ``rows`` rows; returns the text profile's path."""
    try:
        from pyinstrument import Profiler
    except ImportError as error:
        raise SystemExit(
            "pyinstrument is not installed: pip install pyinstrument (it is not a project "
            "dependency)."
        ) from error

    from benchmarks.contenders import duckdb_alone
    from benchmarks.load import build_reference_warehouse
    from benchmarks.runner import RunConfig, observations_file
    from benchmarks.settings import warehouse_settings
    from pipelines.load import load_file
    from warehouse import open_warehouse

    output_dir.mkdir(parents=True, exist_ok=True)
    csv, made = observations_file(RunConfig(output_dir=output_dir, seed=seed), rows)
    print(f"{csv.name}: {made}")
    reference = build_reference_warehouse(output_dir / "reference-warehouse")
    workdir = Path(tempfile.mkdtemp(prefix="profile-", dir=output_dir))
    try:
        shutil.copytree(reference, workdir / "ours")
        settings = warehouse_settings(workdir / "ours")
        con = open_warehouse(settings)
        profiler = Profiler(interval=0.001)
        started = time.perf_counter()
        profiler.start()
        outcome = load_file(
            con, csv, kind="indicators", operator="profile", settings=settings, accept_warnings=True
        )
        con.close()
        profiler.stop()
        ours = time.perf_counter() - started
        if outcome.status != "committed":
            raise SystemExit(f"the load did not commit: {outcome.message}")
        (workdir / "duckdb").mkdir()
        alone = duckdb_alone(csv, workdir / "duckdb")["seconds"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    stem = output_dir / f"profile-load-{rows}"
    stem.with_suffix(".txt").write_text(text, encoding="utf-8")
    stem.with_suffix(".html").write_text(profiler.output_html(), encoding="utf-8")
    print(text)
    print(
        f"Our load: {ours:.2f} s under the profiler; DuckDB alone: {alone:.2f} s "
        f"({ours / alone:.1f}×). Profiles: {stem}.txt and {stem}.html"
    )
    return stem.with_suffix(".txt")
