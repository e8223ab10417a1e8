"""Pages: render time through Streamlit's AppTest, and a real server's peak memory in a browser.

Render time: for every page of ``dashboard.navigation.PAGES``, with the warehouse connection
already open (as on a running server) but the data cache empty (as after a batch lands),
``AppTest.switch_page(page).run()``. A first, untimed pass pays for imports. The app's
first start (opening the warehouse and rendering the default page) is shown alongside.

Memory: ``streamlit run dashboard/app.py`` against the warehouse; headless chromium opens
every page once and waits until the script has finished; then the server's peak resident
memory (VmHWM in /proc/PID/status) is read. A fresh server per run.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.figures import Figure, at_most, below

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE_SECONDS = 1.5
MEMORY_MB = 1000.0  # 1 GB


def pages() -> list:
    from dashboard.navigation import PAGES

    return list(PAGES)


@contextmanager
def app_environment(data_dir: Path) -> Iterator[dict[str, str]]:
    """Points the app at ``data_dir`` for the duration, with no demo data built at start."""
    wanted = {"OUTCOMES_DATA_DIR": str(data_dir), "OUTCOMES_DEMO_ON_FIRST_START": "false"}
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield wanted
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _quiet_bare_mode_warnings() -> None:
    """Drops the warnings Streamlit logs when its caches are cleared outside a server."""
    noise = ("No runtime found", "missing ScriptRunContext")
    for name in (
        "streamlit.runtime.caching.cache_data_api",
        "streamlit.runtime.scriptrunner_utils.script_run_context",
    ):
        logging.getLogger(name).addFilter(
            lambda record: not any(text in record.getMessage() for text in noise)
        )


def _clear_caches() -> None:
    import streamlit as st

    from warehouse.settings import get_settings

    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


def render_figures(
    data_dir: Path, region: str, runs: int, rows: int, command: str, warmups: int = 1
) -> list[Figure]:
    """Returns the AppTest render time of every page, and of the app's first start."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    _quiet_bare_mode_warnings()
    specs = pages()
    first_start: list[float] = []
    renders: dict[str, list[float]] = {spec.script: [] for spec in specs}
    problems: dict[str, str] = {}
    with app_environment(data_dir):
        for run in range(warmups + runs):  # warm-up passes pay for imports; not counted
            _clear_caches()
            app = AppTest.from_file(str(APP), default_timeout=600)
            app.query_params["region"] = region
            started = time.perf_counter()
            app.run()
            counted = run >= warmups
            if counted:
                first_start.append(time.perf_counter() - started)
            if app.exception:
                problems["first start"] = str(app.exception[0].value)[:200]
            for spec in specs:
                st.cache_data.clear()
                app.query_params["region"] = region
                started = time.perf_counter()
                app.switch_page(spec.script).run()
                if counted:
                    renders[spec.script].append(time.perf_counter() - started)
                if app.exception:
                    problems[spec.script] = str(app.exception[0].value)[:200]
        _clear_caches()
    figures = [
        Figure(
            section="pages",
            name="app first start (opens the warehouse, renders the default page)",
            rows=rows,
            unit="s",
            samples=first_start,
            command=command,
            note=_problem_note(problems.get("first start"), "AppTest, empty caches"),
        )
    ]
    for spec in specs:
        failed = problems.get(spec.script)
        figures.append(
            Figure(
                section="pages",
                name=f"page render: {spec.title} ({spec.script})",
                rows=rows,
                unit="s",
                samples=[] if failed else renders[spec.script],
                target=f"≤ {PAGE_SECONDS:g} s",
                check=at_most(PAGE_SECONDS),
                command=command,
                note=_problem_note(failed, "AppTest switch_page().run(), data cache empty"),
                met=False if failed else None,
            )
        )
    return figures


def _problem_note(problem: str | None, note: str) -> str:
    return f"{note}; failed: {problem}" if problem else note


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_health(port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"streamlit did not answer on port {port} within {timeout:.0f} s")


def peak_memory_mb(pid: int) -> float:
    """Returns a process's peak resident memory so far (VmHWM), in MB (10^6 bytes)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmHWM for process {pid}")


def browser_unavailable() -> str | None:
    """Returns why the browser measurement cannot run here, or None when it can."""
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} not found (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def memory_figures(data_dir: Path, region: str, runs: int, rows: int, command: str) -> list[Figure]:
    """Returns the server's peak memory after every page, and each page's time in the browser."""
    specs = pages()
    reason = browser_unavailable()
    peaks: list[float] = []
    shown: dict[str, list[float]] = {spec.script: [] for spec in specs}
    if reason is None:
        try:
            for _ in range(runs):
                peak, times = _one_server_run(data_dir, region, specs)
                peaks.append(peak)
                for script, seconds in times.items():
                    shown[script].append(seconds)
        except Exception as error:  # a page that never renders must not lose the other figures
            reason = f"failed: {type(error).__name__}: {error}"[:300]
            peaks = []
    note = "streamlit run dashboard/app.py, every page opened once in headless chromium"
    figures = [
        Figure(
            section="memory",
            name="streamlit server peak memory (VmHWM) after every page once",
            rows=rows,
            unit="MB",
            samples=peaks,
            target=f"< {MEMORY_MB:g} MB (1 GB)",
            check=below(MEMORY_MB),
            command=command,
            note=f"{note}; not measured: {reason}" if reason else note,
        )
    ]
    for spec in specs:
        figures.append(
            Figure(
                section="memory",
                name=f"page shown in the browser: {spec.title}",
                rows=rows,
                unit="s",
                samples=shown[spec.script] if not reason else [],
                command=command,
                note="from goto until the landmark is visible and the script has finished; "
                "first visit on a fresh server" + (f"; not measured: {reason}" if reason else ""),
            )
        )
    return figures


def _one_server_run(data_dir: Path, region: str, specs: list) -> tuple[float, dict[str, float]]:
    from playwright.sync_api import sync_playwright

    port = _free_port()
    env = {
        **os.environ,
        "OUTCOMES_DATA_DIR": str(data_dir),
        "OUTCOMES_DEMO_ON_FIRST_START": "false",
    }
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP.relative_to(ROOT)),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
    ]
    log_dir = Path(tempfile.mkdtemp(prefix="benchmark-streamlit-"))
    with (log_dir / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            _wait_for_health(port, server, timeout=180)
            times = {}
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page = browser.new_page()
                for spec in specs:
                    started = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/{spec.url_path}?region={region}")
                    page.get_by_text(spec.landmark).first.wait_for(timeout=300_000)
                    page.wait_for_selector(
                        '[data-testid="stApp"][data-test-script-state="notRunning"]',
                        timeout=300_000,
                    )
                    times[spec.script] = time.perf_counter() - started
                peak = peak_memory_mb(server.pid)
                browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    shutil.rmtree(log_dir, ignore_errors=True)
    return peak, times
