"""A separate process for the concurrency tests: writes files, or watches for partial batches.

Usage: python -m tests.concurrency_worker write FILE [FILE …]
       python -m tests.concurrency_worker read SECONDS
Settings come from OUTCOMES_* environment variables.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipelines.load import load_file
from warehouse import open_warehouse
from warehouse.frames import query
from warehouse.settings import Settings

PARTIAL = """
SELECT
    (SELECT count(*) FROM (
        SELECT b.batch_id FROM batches b LEFT JOIN observations o USING (batch_id)
        WHERE b.kind = 'indicators' GROUP BY b.batch_id, b.rows_loaded
        HAVING count(o.batch_id) <> b.rows_loaded)) AS short_batches,
    (SELECT count(*) FROM observations o
        WHERE NOT EXISTS (SELECT 1 FROM batches b WHERE b.batch_id = o.batch_id)) AS orphan_rows,
    (SELECT count(*) FROM batches WHERE kind = 'indicators') AS batches
"""


def write(paths: list[str]) -> int:
    settings = Settings()
    con = open_warehouse(settings)
    for path in paths:
        outcome = load_file(
            con, Path(path), kind="indicators", operator="writer", settings=settings
        )
        print(f"{outcome.status} {outcome.batch_id}", flush=True)
    return 0


def read(seconds: float) -> int:
    con = open_warehouse(Settings())
    deadline = time.monotonic() + seconds
    reads = violations = 0
    while time.monotonic() < deadline:
        row = query(con, PARTIAL).row(0, named=True)
        reads += 1
        violations += row["short_batches"] + row["orphan_rows"]
    print(f"reads {reads} violations {violations}", flush=True)
    return 0


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    sys.exit(write(rest) if mode == "write" else read(float(rest[0])))
