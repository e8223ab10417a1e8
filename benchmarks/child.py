"""Work the runner does in a child process, so its memory and imports are its own.

``python -m benchmarks.child load CONTENDER CSV WORKDIR`` runs one load contender and prints
what it measured as one line of JSON; ``python -m benchmarks.child warehouse DATA_DIR CSV
[REVISIONS_CSV]`` loads the files into the (copied) warehouse in DATA_DIR.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    command, *args = argv
    if command == "load":
        from benchmarks.contenders import CONTENDERS

        name, csv, workdir = args
        result = CONTENDERS[name](Path(csv), Path(workdir))
    elif command == "warehouse":
        from benchmarks.queries import load_into_warehouse

        data_dir, csv, *revisions = args
        result = load_into_warehouse(
            Path(data_dir), Path(csv), Path(revisions[0]) if revisions else None
        )
    else:
        print(f"unknown command {command!r}", file=sys.stderr)
        return 2
    result["peak_mb"] = peak_memory_mb()
    print(json.dumps(result), flush=True)
    return 0


def peak_memory_mb() -> float:
    """Returns this process's own peak resident memory (VmHWM), in MB (10^6 bytes).

    Not ``ru_maxrss``: Linux carries the parent's peak into a child's ``ru_maxrss`` when the
    child execs (a 10 MB child of an 800 MB parent reports 800 MB), whereas VmHWM belongs to
    the process's own address space, which starts afresh at exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return float("nan")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
