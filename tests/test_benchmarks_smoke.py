"""The benchmark harness at a tiny scale, so that it cannot rot between real runs.

Not a measurement: 5,000 rows and one run. It checks that a generated file is accepted by
the command-line load, and that the runner produces a results file with every figure's row.
"""

from pathlib import Path

import polars as pl
import pytest

from benchmarks.__main__ import main as benchmarks_main
from benchmarks.load import LABELS
from benchmarks.queries import REFERENCES
from benchmarks.runner import RunConfig, run
from benchmarks.template import COLUMNS
from dashboard.navigation import PAGES
from pipelines.cli import main as pipelines_main

ROWS = 5_000
DATA_FUNCTIONS = [
    "region_overview(",
    "priority_goals(",
    "needs_attention(",
    "learn_from(",
    "latest_indicator_batch(",
    "changes_since_previous_batch(",
    "region overview page data",
    "outcome_department_profile(",
    "area_breakdown(",
    "explorer(ExplorerFilters(",
    "explorer_options(",
    "area_profile(",
]


@pytest.mark.slow
def test_generated_file_loads_and_every_figure_has_a_row(tmp_path: Path, empty_lake, capsys):
    csv = tmp_path / "values.csv"
    assert benchmarks_main(["generate", "--rows", str(ROWS), "--output", str(csv)]) == 0
    again = tmp_path / "again.csv"
    assert benchmarks_main(["generate", "--rows", str(ROWS), "--output", str(again)]) == 0
    assert csv.read_bytes() == again.read_bytes(), "the generator must be deterministic"
    frame = pl.read_csv(csv, infer_schema=False)
    assert frame.columns == COLUMNS
    assert frame.height == ROWS
    assert frame.select("indicator_id", "area_code", "period").is_unique().all()

    assert pipelines_main(["load", str(csv), "--kind", "indicators"], settings=empty_lake) == 0
    assert f"{ROWS} new" in capsys.readouterr().out

    results = tmp_path / "RESULTS.md"
    figures = run(
        RunConfig(
            sizes=[ROWS],
            runs=1,
            warmups=0,
            output_dir=tmp_path / "output",
            results=results,
            command="pytest tests/test_benchmarks_smoke.py",
        )
    )
    text = results.read_text(encoding="utf-8")
    expected = [
        *(f"{label}: {what}" for label in LABELS.values() for what in ("wall time", "peak memory")),
        "ratio: ours ÷ DuckDB alone",
        "ratio: pandas + pydantic + SQLite ÷ ours",
        "our validated load of a revisions file into the warehouse holding the file",
        *DATA_FUNCTIONS,
        *(f"reference SQL: {name}, on plain DuckDB tables" for name in REFERENCES),
        *(f"reference SQL: {name}, on warehouse (DuckLake)" for name in REFERENCES),
        "app first start",
        *(f"page render: {page.title} ({page.script})" for page in PAGES),
        "streamlit server peak memory (VmHWM)",
        *(f"page shown in the browser: {page.title}" for page in PAGES),
        "growth of every figure",
    ]
    missing = [name for name in expected if f"| {name}" not in text]
    assert missing == [], f"RESULTS.md lacks rows for {missing}"
    assert results.with_suffix(".json").exists()

    # The load figures are the harness's own: they must be measured, not just listed.
    assert all(f.measured for f in figures if f.section == "load")
    # Anything else unmeasured says why (a data function still being written, no browser).
    unexplained = [
        f.name
        for f in figures
        if not f.measured
        and not any(word in f.note for word in ("not measured", "failed", "not available"))
    ]
    assert unexplained == []
