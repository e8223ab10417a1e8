"""Concurrent sessions: two app servers behind nginx, N browsers doing the minister's journey.

``python -m benchmarks sessions [--sessions 1,10,25,50] [--postgres CONNINFO] [--profile DIR]``

The deployment of docs/deploy.md, on loopback: the demo warehouse on a PostgreSQL DuckLake
catalog (a database made for the run and dropped after it), two ``streamlit run`` servers on
the shared lake path, nginx with ``docs/nginx.conf`` in front. Both servers are warmed first
(one visit to each page), so the figures are a busy steady state, not a cold start.

For each N, N headless chromium contexts start at once, each through nginx (so the sticky
cookie spreads them over both servers), and each opens the minister's three pages in turn
(region overview, outcome department, area profile) for one of the nine regions. A page's
time runs from ``goto`` until its landmark is visible and the script has finished. A page
that fails or takes longer than ``PAGE_TIMEOUT_S`` is an error. Memory is each server's
resident set after the round and its peak (VmHWM) so far.

The browsers run on the same two cores as the servers, so at large N the figures include
the browsers' own rendering: this is what one machine can show, not what a server alone holds.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import server_profile
from benchmarks.figures import percentile

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE_TIMEOUT_S = 120
REGIONS = [f"E1200000{n}" for n in range(1, 10)]
MARKERS = ("<!-- sessions:start -->", "<!-- sessions:end -->")


@dataclass
class Round:
    """What N concurrent sessions measured."""

    sessions: int
    page_seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    rss_mb: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    def row(self) -> str:
        """Returns the round as a row of the results table."""
        times = self.page_seconds
        median = f"{statistics.median(times):.2f}" if times else "—"
        p95 = f"{percentile(times, 95):.2f}" if times else "—"
        first_line = self.errors[0].splitlines()[0][:80] if self.errors else ""
        first_error = f" (first: {first_line.replace('|', '/')})" if self.errors else ""
        memory = " / ".join(f"{rss:,.0f}" for rss in self.rss_mb)
        peak = " / ".join(f"{mb:,.0f}" for mb in self.peak_mb)
        return (
            f"| {self.sessions} | {len(times)} | {median} | {p95} | "
            f"{len(self.errors)}{first_error} | {self.wall_seconds:.1f} | {memory} | {peak} |"
        )


def journey() -> list:
    """Returns the minister's pages: overview, outcome department, area profile."""
    from dashboard.navigation import PAGES

    wanted = ("views/overview.py", "views/outcome_department.py", "views/area_profile.py")
    return [spec for spec in PAGES if spec.script in wanted]


async def _one_session(browser, base_url: str, region: str, specs: list, rnd: Round) -> None:
    context = await browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = await context.new_page()
        page.set_default_navigation_timeout(PAGE_TIMEOUT_S * 1000)
        for spec in specs:
            started = time.perf_counter()
            try:
                await page.goto(f"{base_url}/{spec.url_path}?region={region}")
                await page.get_by_text(spec.landmark).first.wait_for(timeout=PAGE_TIMEOUT_S * 1000)
                await page.wait_for_selector(
                    '[data-testid="stApp"][data-test-script-state="notRunning"]',
                    timeout=PAGE_TIMEOUT_S * 1000,
                )
                if await page.locator('[data-testid="stException"]').count():
                    raise RuntimeError(f"{spec.title}: the page shows an exception")
            except Exception as error:  # a failed page is a counted error, not a crash
                rnd.errors.append(f"{spec.title}: {type(error).__name__}: {error}".strip())
                continue
            rnd.page_seconds.append(time.perf_counter() - started)
    finally:
        await context.close()


async def _round(base_url: str, sessions: int, specs: list) -> Round:
    from playwright.async_api import async_playwright

    rnd = Round(sessions)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _one_session(browser, base_url, REGIONS[i % len(REGIONS)], specs, rnd)
                for i in range(sessions)
            )
        )
        rnd.wall_seconds = time.perf_counter() - started
        await browser.close()
    return rnd


def _memory_mb(pid: int) -> tuple[float, float]:
    """Returns a process's (resident, peak resident) memory in MB (10^6 bytes)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024 / 1e6
    return fields["VmRSS"], fields["VmHWM"]


def _cpu_seconds(pid: int) -> float:
    """Returns the CPU time (user + system) a process has used so far, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _build_warehouse(admin: str, work: Path):
    """Returns (settings of a demo warehouse on a new PostgreSQL database, its name)."""
    from pipelines.demo import build_demo_warehouse
    from tests.postgres import PostgresServer
    from warehouse import open_warehouse
    from warehouse.settings import Settings

    server = PostgresServer(admin)
    name = server.new_name("sessions")
    server.create(name)
    settings = Settings(
        data_dir=work / "shared", warehouse=server.catalog_url(name), demo_on_first_start=False
    )
    con = open_warehouse(settings)
    build_demo_warehouse(con, seed=2009)
    con.close()
    return settings, server


def run_sessions(
    counts: list[int], admin: str, results: Path, command: str, profile_dir: Path | None = None
) -> list[Round]:
    """Measures each N of ``counts`` on a fresh two-server deployment; writes ``results``.

    With ``profile_dir``, both servers are sampled by py-spy during the largest round.
    """
    from tests.e2e.server import start_nginx, start_streamlit

    work = Path(tempfile.mkdtemp(prefix="benchmark-sessions-"))
    started_build = time.perf_counter()
    settings, server = _build_warehouse(admin, work)
    print(f"demo warehouse on PostgreSQL built in {time.perf_counter() - started_build:.0f} s")
    env = {
        "OUTCOMES_WAREHOUSE": settings.warehouse,
        "OUTCOMES_LAKE_DATA_PATH": str(settings.lake_path()),
    }
    processes = []
    rounds: list[Round] = []
    try:
        for name in ("a", "b"):
            processes.append(start_streamlit(work / name, work / f"{name}.log", env=env))
        proxy = start_nginx(work / "nginx", [p.base_url for p in processes])
        processes.append(proxy)
        specs = journey()
        for app in processes[:2]:  # warm both servers' caches for every region
            asyncio.run(_round(app.base_url, len(REGIONS), specs))
        for count in counts:
            profiled = profile_dir is not None and count == max(counts)
            recorders = server_profile.start(_pids(processes), profile_dir) if profiled else []
            cpu_before = [_cpu_seconds(app.process.pid) for app in processes[:2]]
            rnd = asyncio.run(_round(proxy.base_url, count, specs))
            used = [
                _cpu_seconds(a.process.pid) - b
                for a, b in zip(processes[:2], cpu_before, strict=True)
            ]
            server_profile.stop(recorders)
            print(
                f"{count} sessions: servers used {used[0]:.0f} s + {used[1]:.0f} s of CPU in a "
                f"{rnd.wall_seconds:.0f} s round ({os.cpu_count()} cores: "
                f"{os.cpu_count() * rnd.wall_seconds:.0f} CPU s in all)"
            )
            for app in processes[:2]:
                rss, peak = _memory_mb(app.process.pid)
                rnd.rss_mb.append(rss)
                rnd.peak_mb.append(peak)
            print(rnd.row())
            rounds.append(rnd)
    finally:
        for process in reversed(processes):
            process.stop()
        server.drop_all()
    write_results(rounds, results, command)
    if profile_dir is not None:
        _report_profiles(profile_dir)
    return rounds


def _pids(processes: list) -> dict[str, int]:
    return {name: app.process.pid for name, app in zip("ab", processes[:2], strict=True)}


def _report_profiles(profile_dir: Path) -> None:
    lines = []
    for name in "ab":
        folded = profile_dir / f"server-{name}.folded"
        if folded.exists():
            lines += server_profile.summarise(folded).lines(name)
    text = "\n".join(lines)
    (profile_dir / "summary.txt").write_text(text + "\n")
    print(text)


def write_results(rounds: list[Round], results: Path, command: str) -> None:
    """Puts the rounds in ``results`` between the sessions markers (replacing a previous run)."""
    cores = os.cpu_count()
    table = "\n".join(
        [
            MARKERS[0],
            "## Concurrent sessions: two servers behind nginx, the minister's journey",
            "",
            f"Command: `{command}` on {cores} cores, "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Each session opens the "
            "region overview, the outcome department and the area profile through nginx; page "
            f"time is from `goto` until the script has finished (errors: a page that failed or "
            f"took over {PAGE_TIMEOUT_S} s). The browsers share the machine's cores with the "
            "servers. Memory: resident set of server A / server B after the round, and their "
            "peak so far (MB).",
            "",
            "| sessions | pages shown | median page (s) | p95 page (s) | errors | round (s) "
            "| memory A / B (MB) | peak A / B (MB) |",
            "|---|---|---|---|---|---|---|---|",
            *(rnd.row() for rnd in rounds),
            MARKERS[1],
        ]
    )
    text = results.read_text() if results.exists() else ""
    if MARKERS[0] in text and MARKERS[1] in text:
        before, rest = text.split(MARKERS[0], 1)
        after = rest.split(MARKERS[1], 1)[1]
        text = before + table + after
    else:
        text = (text.rstrip() + "\n\n" if text.strip() else "") + table + "\n"
    results.write_text(text)
