"""Sampling profiles of the app servers while a round of sessions runs (py-spy).

py-spy attaches to a running process from outside, so the servers run exactly as in the
deployment: nothing is imported into them. Each server's profile is a file of folded stacks
(``--format raw``: one line per distinct stack, ``frame;frame;frame count``), which any
flame-graph tool reads; :func:`summarise` turns it into the shares a reader needs to say
which part of a page run dominates.
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

#: Where a sample's time goes, tried from the innermost frame outwards: the first rule whose
#: text appears in a frame names the sample's part. Order matters (DuckDB before our warehouse
#: code that calls it, Plotly before the page that builds the chart).
PARTS: tuple[tuple[str, str], ...] = (
    ("duckdb", "DuckDB queries (catalog and Parquet reads)"),
    ("psycopg", "PostgreSQL client"),
    ("plotly", "Plotly figures (build and JSON)"),
    ("json", "JSON encoding"),
    ("pyarrow", "Arrow conversion"),
    ("polars", "Polars frames"),
    ("pandas", "pandas (Streamlit's dataframe path)"),
    ("google/protobuf", "protobuf messages"),
    ("tornado", "Tornado web server and websockets"),
    ("asyncio", "event loop"),
    ("streamlit/runtime/caching", "Streamlit cache (hashing, pickling)"),
    ("streamlit/watcher/local_sources", "Streamlit's source watcher (one per session)"),
    ("ScriptRunner._on_script_finished", "garbage collection after each run (gc.collect)"),
    ("streamlit", "Streamlit script runner and elements"),
    ("warehouse/", "our warehouse reads (mostly waiting on DuckDB)"),
    ("dashboard/", "dashboard (our pages)"),
)

#: Innermost frames of a thread that is blocked, not working: py-spy's idle test misses some
#: of them (a thread pool worker waiting for work, the poller of Streamlit's config watcher
#: between polls), so they are named here and counted apart.
WAITING_LEAVES = (
    "Condition.wait ",
    "Queue.get ",
    "EpollSelector.select ",
    "_worker (concurrent/futures/thread.py",
    "PollingPathWatcher._schedule.<locals>.task ",
)
WAITING = "waiting (blocked threads: pools, selectors, the config poller)"

#: A py-spy frame ``name (path:line)`` in one of our packages.
OWN_FRAME = re.compile(
    r"(?P<name>\S+) \(.*?(?P<module>(?:dashboard|warehouse|pipelines)/[\w/]+\.py)"
)


@dataclass
class Profile:
    """What one server's samples say."""

    samples: int
    parts: list[tuple[str, int]]
    own_functions: list[tuple[str, int]]

    def lines(self, name: str) -> list[str]:
        """Returns the profile as lines for a person: parts, then our hottest functions."""
        out = [f"server {name}: {self.samples:,} samples"]
        for part, count in self.parts:
            out.append(f"  {100 * count / self.samples:5.1f}%  {part}")
        out.append("  our functions on the stack most often (inclusive):")
        for function, count in self.own_functions:
            out.append(f"  {100 * count / self.samples:5.1f}%  {function}")
        return out


def start(pids: dict[str, int], out_dir: Path) -> list[subprocess.Popen]:
    """Returns py-spy recorders attached to each named pid, writing to ``out_dir``."""
    py_spy = shutil.which("py-spy")
    if py_spy is None:
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    out_dir.mkdir(parents=True, exist_ok=True)
    recorders = []
    for name, pid in pids.items():
        command = [py_spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "50"]
        command += ["--nonblocking", "--output", str(out_dir / f"server-{name}.folded")]
        recorders.append(
            subprocess.Popen(
                command,
                stdout=subprocess.DEVNULL,
                stderr=(out_dir / f"py-spy-{name}.log").open("w"),
            )
        )
    return recorders


def stop(recorders: list[subprocess.Popen]) -> None:
    """Stops the recorders the way py-spy expects (SIGINT), so each writes its file."""
    for recorder in recorders:
        recorder.send_signal(signal.SIGINT)
    for recorder in recorders:
        try:
            recorder.wait(timeout=60)
        except subprocess.TimeoutExpired:
            recorder.kill()


def _part(frames: list[str]) -> str:
    if any(frames[-1].startswith(leaf) for leaf in WAITING_LEAVES):
        return WAITING
    for frame in reversed(frames):
        for needle, part in PARTS:
            if needle in frame:
                return part
    return "other (Python runtime, threads)"


def _own_function(frame: str) -> str | None:
    """Returns ``name (package/module.py)`` for a frame of our code, else None."""
    match = OWN_FRAME.match(frame)
    return f"{match['name']} ({match['module']})" if match else None


def summarise(folded: Path, top: int = 12) -> Profile:
    """Returns the shares of samples by part of the run, and our hottest functions."""
    parts: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        parts[_part(frames)] += count
        for function in {_own_function(frame) for frame in frames} - {None}:
            own[function] += count
    return Profile(total, parts.most_common(), own.most_common(top))
