"""Issue 12 item 8: a revision's preview shows every field it changes, including those it
empties, and says what becomes of the comparison with England, before anything is written.

The hand-made case: Hartlepool's NI 116 (children in poverty, a percentage, lower is better)
for 2008/09 is 50 with a 95% interval of 45 to 55, count 50 of 100; England is 52. England's
value lies inside Hartlepool's interval, so Hartlepool is "Similar". A revision that gives
only the value 51 empties the interval, count and denominator: with nothing to compare,
Hartlepool becomes "Not compared".
"""

import subprocess
import sys
from pathlib import Path

from pipelines.load import load_file
from warehouse import open_warehouse
from warehouse.connection import latest_snapshot

HEADER = "indicator_id,area_code,period,value,lower_ci_95,upper_ci_95,count,denominator\n"
FIRST = HEADER + (
    "NI 116,E06000001,2008/09,50,45,55,50,100\nNI 116,E92000001,2008/09,52,51.9,52.1,,\n"
)
VALUE_ONLY = "indicator_id,area_code,period,value\nNI 116,E06000001,2008/09,51\n"


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def loaded(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    first = load_file(
        con, write(tmp_path, FIRST, "first.csv"), kind="indicators", operator="ana",
        settings=empty_lake,
    )  # fmt: skip
    assert first.status == "committed", first.message
    return con


def test_a_value_only_revision_lists_the_fields_it_empties_and_writes_nothing(empty_lake, tmp_path):
    con = loaded(empty_lake, tmp_path)
    before = latest_snapshot(con)
    outcome = load_file(
        con, write(tmp_path, VALUE_ONLY, "revised.csv"), kind="indicators", operator="ana",
        settings=empty_lake,
    )  # fmt: skip
    assert outcome.status == "needs-confirmation"
    assert latest_snapshot(con) == before
    assert outcome.changes.select("field", "old", "new").rows() == [
        ("value", "50", "51"),
        ("lower 95% limit", "45", "(none)"),
        ("upper 95% limit", "55", "(none)"),
        ("count", "50", "(none)"),
        ("denominator", "100", "(none)"),
    ]
    assert set(outcome.changes.select("indicator_id", "area_code", "period").rows()) == {
        ("NI 116", "E06000001", "2008/09")
    }


def test_a_value_only_revision_says_the_comparison_goes_from_similar_to_not_compared(
    empty_lake, tmp_path
):
    con = loaded(empty_lake, tmp_path)
    outcome = load_file(
        con, write(tmp_path, VALUE_ONLY, "revised.csv"), kind="indicators", operator="ana",
        settings=empty_lake,
    )  # fmt: skip
    status = outcome.status_changes.row(0, named=True)
    assert (status["status_now"], status["status_after"]) == ("Similar", "Not compared")
    assert status["sentence"] == (
        "NI 116, E06000001, 2008/09: compared with England, this goes from Similar to Not "
        "compared, because the revision leaves no 95% confidence interval, and no count and "
        "denominator to work one out."
    )


def test_a_revision_with_count_and_denominator_keeps_a_worked_out_comparison(empty_lake, tmp_path):
    # 51 of 100: the Wilson 95% interval is 41.3% to 60.6% (worked by hand: centre
    # (0.51 + 1.96²/200) / (1 + 1.96²/100) = 0.5096, half-width 0.0961), which holds
    # England's 52: still "Similar". The interval fields still change, to (none).
    con = loaded(empty_lake, tmp_path)
    text = "indicator_id,area_code,period,value,count,denominator\nNI 116,E06000001,2008/09,51,51,100\n"
    outcome = load_file(
        con, write(tmp_path, text, "revised.csv"), kind="indicators", operator="ana",
        settings=empty_lake,
    )  # fmt: skip
    assert outcome.changes.select("field", "old", "new").rows() == [
        ("value", "50", "51"),
        ("lower 95% limit", "45", "(none)"),
        ("upper 95% limit", "55", "(none)"),
        ("count", "50", "51"),
    ]
    status = outcome.status_changes.row(0, named=True)
    assert (status["status_now"], status["status_after"]) == ("Similar", "Similar")
    assert "this stays Similar." in status["sentence"]


def test_a_revised_england_value_in_the_same_file_is_the_benchmark_after(empty_lake, tmp_path):
    # England revised to 60, outside Hartlepool's unchanged interval 45-55 and above it:
    # Hartlepool is significantly lower, which for "lower is better" is "Better".
    con = loaded(empty_lake, tmp_path)
    text = (
        HEADER
        + "NI 116,E06000001,2008/09,50.5,45,55,50,100\nNI 116,E92000001,2008/09,60,59.9,60.1,,\n"
    )
    outcome = load_file(
        con, write(tmp_path, text, "revised.csv"), kind="indicators", operator="ana",
        settings=empty_lake,
    )  # fmt: skip
    statuses = {r["area_code"]: r for r in outcome.status_changes.iter_rows(named=True)}
    assert (statuses["E06000001"]["status_now"], statuses["E06000001"]["status_after"]) == (
        "Similar",
        "Better",
    )
    assert "England is the benchmark" in statuses["E92000001"]["sentence"]


def run_cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {
        "OUTCOMES_DATA_DIR": str(settings.data_dir),
        "OUTCOMES_WRITE_RETRIES": "30",
        "OUTCOMES_WAREHOUSE": settings.warehouse,
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_command_line_prints_every_changed_field_and_the_status_sentence(empty_lake, tmp_path):
    loaded(empty_lake, tmp_path).close()
    run = run_cli(empty_lake, "load", str(write(tmp_path, VALUE_ONLY, "revised.csv")), "--dry-run")
    assert run.returncode == 0, run.stderr
    rows = [
        [cell.strip() for cell in line.strip("|").split("|")]
        for line in run.stdout.splitlines()
        if line.startswith("| NI 116")
    ]
    assert [row[3:] for row in rows] == [
        ["value", "50", "51"],
        ["lower 95% limit", "45", "(none)"],
        ["upper 95% limit", "55", "(none)"],
        ["count", "50", "(none)"],
        ["denominator", "100", "(none)"],
    ]
    assert "this goes from Similar to Not compared" in run.stdout


def test_an_unchanged_reload_lists_no_changes(empty_lake, tmp_path):
    con = loaded(empty_lake, tmp_path)
    text = HEADER + "NI 116,E06000001,2008/09,50,45,55,50,100\n"
    outcome = load_file(
        con, write(tmp_path, text, "same.csv"), kind="indicators", operator="ana",
        settings=empty_lake,
    )  # fmt: skip
    assert outcome.status == "committed" and outcome.rows_unchanged == 1
    assert outcome.changes is None or outcome.changes.is_empty()
