"""What a result was measured on: machine, load at the time, and library versions."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("duckdb", "polars", "streamlit", "pandas", "pydantic", "pyarrow", "numpy")


def cpu_model() -> str:
    """Returns the CPU model name from /proc/cpuinfo (or what the platform says)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float | None:
    """Returns the machine's total memory in GiB, from /proc/meminfo."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def git_commit() -> str:
    """Returns the checked-out commit and whether the tree has local changes (read-only git)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{commit}{' with local changes' if dirty else ''}"


def describe() -> dict[str, str]:
    """Returns the facts printed at the top of RESULTS.md."""
    memory = memory_gib()
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": (
            f"{os.cpu_count()} CPU(s) (nproc {len(os.sched_getaffinity(0))}), "
            f"{memory:.1f} GiB memory, {cpu_model()}"
            if memory
            else f"{os.cpu_count()} CPU(s), {cpu_model()}"
        ),
        "load average at start (1, 5, 15 min)": load_average(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "versions": ", ".join(f"{name} {version(name)}" for name in LIBRARIES),
        "commit": git_commit(),
    }
