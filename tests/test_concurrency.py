"""Two writing processes and a reading process on one DuckLake warehouse at the same time."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from warehouse import open_warehouse
from warehouse.batches import list_batches

ROOT = Path(__file__).resolve().parents[1]
AREAS = ["E06000001", "E06000002", "E06000003", "E06000004", "E06000005", "E08000021", "E08000037"]


def values_file(folder: Path, indicator: str, year: int) -> Path:
    path = folder / f"{indicator.replace(' ', '')}-{year}.csv"
    rows = [
        f"{indicator},{area},{year}/{(year + 1) % 100:02d},{10 + i + year % 10}"
        for i, area in enumerate(AREAS)
    ]
    path.write_text(
        "indicator_id,area_code,period,value\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


def start(settings, *args):
    env = {
        **os.environ,
        "OUTCOMES_DATA_DIR": str(settings.data_dir),
        "OUTCOMES_WRITE_RETRIES": "40",
        "OUTCOMES_WAREHOUSE": settings.warehouse,
        "OUTCOMES_LAKE_DATA_PATH": "",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.concurrency_worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
@pytest.mark.both_catalogs
def test_two_writers_and_a_reader_never_see_a_partial_batch(empty_lake, tmp_path):
    files_a = [str(values_file(tmp_path, "NI 116", year)) for year in range(2004, 2010)]
    files_b = [str(values_file(tmp_path, "NI 117", year)) for year in range(2004, 2010)]
    reader = start(empty_lake, "read", "25")
    writers = [start(empty_lake, "write", *files_a), start(empty_lake, "write", *files_b)]
    results = [w.communicate(timeout=240) for w in writers]
    reader_out, reader_err = reader.communicate(timeout=240)

    acknowledged = []
    for (out, err), writer in zip(results, writers, strict=True):
        assert writer.returncode == 0, err
        lines = out.split("\n")
        statuses = [line.split()[0] for line in lines if line]
        # Each upload either lands or is refused with the retry message; none is half-written.
        assert set(statuses) <= {"committed", "busy"}, out
        acknowledged += [line.split()[1] for line in lines if line.startswith("committed")]
    assert len(acknowledged) >= 10, "nearly every upload should land after retrying"

    batches = list_batches(open_warehouse(empty_lake))
    assert set(acknowledged) <= set(batches["batch_id"].to_list())
    assert reader.returncode == 0, reader_err
    reads, violations = (int(reader_out.split()[i]) for i in (1, 3))
    assert reads > 5
    assert violations == 0


@pytest.mark.both_catalogs
def test_a_session_reading_does_not_block_a_write_from_another_session_in_the_same_process(
    empty_lake, tmp_path
):
    # The app: one DuckDB instance per process, a cursor per session. A cursor that has read
    # must not hold the catalog so that another session's (or the first-start demo's) write fails.
    from pipelines.load import load_file
    from warehouse.connection import session_cursor

    con = open_warehouse(empty_lake.model_copy(update={"write_retries": 0}))
    reader, writer = session_cursor(con), session_cursor(con)
    assert reader.execute("SELECT count(*) FROM batches").fetchone()[0] == 1
    outcome = load_file(
        writer,
        values_file(tmp_path, "NI 116", 2008),
        kind="indicators",
        operator="ana",
        settings=empty_lake.model_copy(update={"write_retries": 0}),
    )
    assert outcome.status == "committed", outcome.message
    assert reader.execute("SELECT count(*) FROM current_observations").fetchone()[0] == len(AREAS)
