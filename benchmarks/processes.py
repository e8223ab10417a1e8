"""Child processes with their own peak memory, and the commands that reproduce a figure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class ChildFailed(RuntimeError):
    """A child process exited non-zero; the message carries the end of its stderr."""


@dataclass
class ChildResult:
    """What a child printed (its last line, as JSON) and its own peak resident memory."""

    result: dict
    peak_mb: float
    seconds: float


def run_child(args: list[str], env: dict[str, str] | None = None) -> ChildResult:
    """Returns the result of ``python -m benchmarks.child ARGS`` with the child's own peak memory.

    The peak is the VmHWM the child reads from /proc/self/status as it finishes. Neither
    ``RUSAGE_CHILDREN`` (the largest of all children so far) nor this child's own
    ``ru_maxrss`` from ``os.wait4`` would do: Linux counts the parent's peak into a child's
    ``ru_maxrss`` when the child execs, so every child of a large runner looks large. The
    ``ru_maxrss`` is kept as a fallback for a child that does not report (KiB on Linux).
    """
    import time

    command = [sys.executable, "-m", "benchmarks.child", *args]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=errors,
            env={**os.environ, **(env or {})},
        )
        assert process.stdout is not None
        output = process.stdout.read()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            errors.seek(0)
            tail = errors.read().decode("utf-8", "replace")[-3000:]
            raise ChildFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    lines = [line for line in output.decode().splitlines() if line.strip()]
    result = json.loads(lines[-1])
    peak = result.get("peak_mb", usage.ru_maxrss * 1024 / 1e6)
    return ChildResult(result, peak, elapsed)


def shell_command(args: list[str]) -> str:
    """Returns a command line a person can paste (relative to the project folder)."""
    import shlex

    return " ".join(shlex.quote(a) for a in args)
