"""Fixtures for the browser tests: a demo-data server, Debian's chromium and a page per test.

Fixtures
--------
``e2e_tools``      session: skips (fails when ``CI=true``) without chromium or axe-core.
``e2e_data_dir``   session: a copy of the demo warehouse that the shared server reads.
``start_server``   function: ``start_server(data_dir, script=APP_SCRIPT) -> StreamlitServer``;
                   every server it started is stopped after the test.
``base_url``       session: the shared server on ``e2e_data_dir``, already warmed up.
``private_server`` function: a server on a private copy of the demo data, for tests that write.
``browser``        session: chromium launched by Playwright.
``page``           function: a fresh context (1366×768) and page; screenshot saved on failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.server import (
    APP_SCRIPT,
    ServerDidNotStart,
    StreamlitServer,
    start_streamlit,
)
from tests.e2e.support import AXE_JS, VIEWPORT, screenshot, settle

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keeps each phase's report on the test so ``page`` can tell that the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def e2e_tools() -> None:
    """Skips the browser tests without chromium or axe-core; in CI (``CI=true``) fails instead."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS} (cd .ci && npm install --prefix . axe-core@4)")
    if not missing:
        return
    reason = "browser tests need " + " and ".join(missing) + "; .ci/run installs both"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def e2e_data_dir(_demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's demo warehouse (seed 2009) for the shared server to read."""
    target = tmp_path_factory.mktemp("e2e") / "data"
    shutil.copytree(_demo_dir, target)
    return target


def _starter(log_dir: Path) -> tuple[Callable[..., StreamlitServer], list[StreamlitServer]]:
    started: list[StreamlitServer] = []

    def start(data_dir: Path, script: Path = APP_SCRIPT) -> StreamlitServer:
        log_path = log_dir / f"streamlit-{len(started) + 1}-{Path(script).stem}.log"
        try:
            server = start_streamlit(Path(data_dir), log_path, script=Path(script))
        except ServerDidNotStart as error:
            pytest.fail(str(error), pytrace=False)
        started.append(server)
        return server

    return start, started


@pytest.fixture
def start_server(e2e_tools, tmp_path: Path) -> Iterator[Callable[..., StreamlitServer]]:
    """Returns ``start(data_dir, script=APP_SCRIPT)``, which starts a server and returns it.

    The servers are stopped (by PID) when the test ends; each one's log is in ``tmp_path``.
    """
    start, started = _starter(tmp_path / "logs")
    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def _session_server(
    e2e_tools, e2e_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[StreamlitServer]:
    start, _ = _starter(tmp_path_factory.mktemp("e2e-logs"))
    server = start(e2e_data_dir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def base_url(_session_server: StreamlitServer, browser: Browser) -> str:
    """The shared server's root URL (``http://127.0.0.1:PORT``), warmed up.

    Warm-up opens the root once, so the first test does not pay for the cold start (empty
    query caches: about 25 s here) and time out. ``test_deep_link.py`` checks a cold
    server's first visitor on a fresh server of its own.
    """
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(_session_server.base_url)
        settle(page)
    finally:
        context.close()
    return _session_server.base_url


@pytest.fixture
def private_server(start_server, _demo_dir: Path, tmp_path: Path) -> StreamlitServer:
    """A server on a private copy of the demo warehouse, for a test that writes to it."""
    data_dir = tmp_path / "data"
    shutil.copytree(_demo_dir, data_dir)
    return start_server(data_dir)


@pytest.fixture(scope="session")
def browser(e2e_tools) -> Iterator[Browser]:
    """Debian's chromium, headless, driven by Playwright (never ``playwright install``)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page in a fresh browser context (no shared cookies or storage), 1366×768."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            saved = screenshot(page, f"FAILED-{request.node.name}")
            print(f"screenshot of the failed page: {saved}")
        except Exception as error:  # a failed page may be closed or crashed already
            print(f"could not save a screenshot of the failed page: {error}")
    context.close()
