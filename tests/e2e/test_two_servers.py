"""Two app servers on one warehouse (a DuckLake on PostgreSQL, one shared data path) behind
nginx, run with the configuration of docs/deploy.md (issue 18).

What a department running the dashboard for several regions relies on: nginx keeps each
browser on one server and passes the websocket on; a batch committed through server A, or the
command line, shows on server B within its cache window, and a rollback likewise; two analysts
committing at the same moment through different servers both land, or one is refused with a
sentence and nothing is half-written.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import polars as pl
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.url_state import filters_to_params
from tests.conftest import lake_settings
from tests.e2e.journeys import (
    MAIN,
    dataframe,
    grid_rows,
    main_text,
    number,
    upload_values,
    wait_for_heading,
)
from tests.e2e.server import (
    NGINX,
    REPO,
    ServedProcess,
    ServerDidNotStart,
    server_env,
    start_nginx,
    start_streamlit,
)
from tests.e2e.support import RENDER_TIMEOUT_MS, VIEWPORT, open_page, screenshot, settle
from warehouse import analytics, open_warehouse
from warehouse.batches import list_batches

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

REGION = "E12000002"  # North West
AREA = "E08000009"  # Trafford
INDICATOR = "NI 116"
# A batch shows on the other server once its data-version check (every 2 s) sees it.
CACHE_WINDOW_S = 2
SEEN_WITHIN_S = 30


@dataclass
class Deployment:
    """The two servers, nginx in front, and the settings of the warehouse they share."""

    a: ServedProcess
    b: ServedProcess
    proxy: ServedProcess
    env: dict[str, str]
    settings: object


def _get(url: str, cookie: str | None = None) -> tuple[str, str]:
    """Returns (the X-Outcomes-Server header, the route cookie nginx set) for one request."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as answer:
        answer.read()
        cookies = " ".join(answer.headers.get_all("Set-Cookie") or [])
        route = re.search(r"outcomes_route=([^;]+)", cookies)
        return answer.headers.get("X-Outcomes-Server", ""), route.group(1) if route else ""


@pytest.fixture
def deployment(request, e2e_tools, tmp_path: Path) -> Iterator[Deployment]:
    template = request.getfixturevalue("_postgres_empty")
    shared = template.copy(tmp_path / "shared", lake_settings)
    env = {
        "OUTCOMES_WAREHOUSE": shared.warehouse,
        "OUTCOMES_LAKE_DATA_PATH": str(shared.lake_path()),
    }
    started: list[ServedProcess] = []
    if not NGINX.exists():
        reason = f"{NGINX} is not installed (apt-get install nginx; .ci/run installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    try:
        # Each server has its own data directory (logs, staged uploads); the catalog and
        # the Parquet files are shared.
        for name in ("a", "b"):
            started.append(start_streamlit(tmp_path / name, tmp_path / f"{name}.log", env=env))
        started.append(start_nginx(tmp_path / "nginx", [started[0].base_url, started[1].base_url]))
    except ServerDidNotStart as error:
        for process in started:
            process.stop()
        pytest.fail(str(error), pytrace=False)
    try:
        yield Deployment(*started, env=env, settings=shared)
    finally:
        for process in reversed(started):
            process.stop()


def _values_file(path: Path, rows: dict[str, float]) -> Path:
    """Writes a native values file of NI 116 for Trafford, one row per period."""
    pl.DataFrame(
        {
            "indicator_id": [INDICATOR] * len(rows),
            "area_code": [AREA] * len(rows),
            "period": list(rows),
            "value": list(rows.values()),
        }
    ).write_csv(path)
    return path


def _ready_to_load(page: Page, base_url: str, upload: Path) -> None:
    """Uploads ``upload`` through the upload page and waits until it can be loaded."""
    upload_values(page, base_url, upload)
    expect(page.get_by_role("button", name="Load this file")).to_be_enabled()


def _load_result(page: Page) -> str:
    """Returns the sentence the upload page gives once the load has finished."""
    done = page.locator(
        f'{MAIN} [data-testid="stAlertContentSuccess"], {MAIN} [data-testid="stAlertContentError"]'
    ).filter(has_text=re.compile("Loaded|not loaded|busy|try again", re.IGNORECASE))
    done.first.wait_for(timeout=RENDER_TIMEOUT_MS)
    return done.first.inner_text()


def _shown(page: Page, base_url: str, period: str) -> float | None:
    """Returns Trafford's NI 116 value for ``period`` as the explorer shows it, or None."""
    filters = analytics.ExplorerFilters(
        region_code=REGION, area_codes=(AREA,), indicator_ids=(INDICATOR,), period=period
    )
    open_page(page, base_url, "explorer", urlencode(filters_to_params(filters)))
    wait_for_heading(page, "Indicator explorer")
    if re.search(r"\b0 rows\b", main_text(page)):
        return None
    rows = grid_rows(dataframe(page, index=0))
    assert len(rows) == 1, rows
    # A period the warehouse does not hold is not offered: the explorer shows the latest.
    return number(rows[0]["Value"]) if rows[0]["Period"] == period else None


def _seen(page: Page, base_url: str, expected: dict[str, float | None]) -> dict:
    """Returns the explorer's value per period once they equal ``expected`` (None: no value),
    or the last ones read after ``SEEN_WITHIN_S`` seconds."""
    deadline = time.monotonic() + SEEN_WITHIN_S
    shown = {period: _shown(page, base_url, period) for period in expected}
    while shown != expected and time.monotonic() < deadline:
        time.sleep(CACHE_WINDOW_S)
        shown = {period: _shown(page, base_url, period) for period in expected}
    return shown


def _roll_back(page: Page, base_url: str, batch_id: str) -> None:
    """Withdraws ``batch_id`` on the batches page and waits for the page to say so."""
    open_page(page, base_url, "batches")
    wait_for_heading(page, "Data batches")
    box = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(
        has=page.get_by_text("Batch to withdraw", exact=True)
    )
    box.click()
    box.locator("input").fill(batch_id)
    page.get_by_role("option").filter(has_text=batch_id).click()
    settle(page)
    page.get_by_label("Reason (recorded with the withdrawal)").fill("two-server test")
    page.get_by_text("I understand the values this batch replaced become current again").click()
    page.get_by_role("button", name="Roll back this batch").click()
    expect(page.locator(f'{MAIN} [data-testid="stAlertContentSuccess"]')).to_contain_text(
        f"Batch {batch_id} withdrawn", timeout=RENDER_TIMEOUT_MS
    )


def _new_page(browser: Browser) -> Page:
    return browser.new_context(viewport=VIEWPORT).new_page()


def test_nginx_keeps_a_browser_on_one_server_and_spreads_new_ones(deployment):
    seen = [_get(deployment.proxy.base_url + "/_stcore/health") for _ in range(20)]
    servers = {server for server, _ in seen}
    # 20 new visitors on two servers: all on one would happen with probability 2 ** -19.
    assert servers == {
        deployment.a.base_url.removeprefix("http://"),
        deployment.b.base_url.removeprefix("http://"),
    }
    server, route = seen[0]
    assert route, "nginx set no outcomes_route cookie"
    again = {_get(deployment.proxy.base_url + "/", f"outcomes_route={route}")[0] for _ in range(10)}
    assert again == {server}


def test_a_batch_through_one_server_shows_on_the_other_and_its_rollback_too(
    deployment, browser, tmp_path
):
    on_a, on_b, via_proxy = (_new_page(browser) for _ in range(3))
    # The app works through the proxy: the page renders, which needs the websocket.
    assert _shown(via_proxy, deployment.proxy.base_url, "2008/09") is None
    screenshot(via_proxy, "two-servers-0-through-nginx")

    _ready_to_load(on_a, deployment.a.base_url, _values_file(tmp_path / "a.csv", {"2008/09": 11.5}))
    on_a.get_by_role("button", name="Load this file").click()
    loaded = _load_result(on_a)
    assert "Loaded a.csv as batch" in loaded, loaded
    batch_id = re.search(r"as batch (\S+?):", loaded).group(1)
    first = {"2008/09": 11.5, "2009/10": None}
    assert _seen(on_b, deployment.b.base_url, first) == first
    screenshot(on_b, "two-servers-1-seen-on-b")

    # The command line is a third writer on the same warehouse.
    cli_file = _values_file(tmp_path / "cli.csv", {"2009/10": 12.25})
    subprocess.run(
        [sys.executable, "-m", "pipelines", "load", str(cli_file), "--kind", "indicators"],
        cwd=REPO,
        env=server_env(tmp_path / "cli", deployment.env),
        check=True,
        capture_output=True,
    )
    both = {"2008/09": 11.5, "2009/10": 12.25}
    assert _seen(on_a, deployment.a.base_url, both) == both
    assert _seen(on_b, deployment.b.base_url, both) == both
    # Through nginx, too, whichever server it chose.
    assert _seen(via_proxy, deployment.proxy.base_url, both) == both

    # Roll server A's batch back through server B: server A stops showing it.
    _roll_back(on_b, deployment.b.base_url, batch_id)
    after = {"2008/09": None, "2009/10": 12.25}
    assert _seen(on_a, deployment.a.base_url, after) == after
    assert _seen(on_b, deployment.b.base_url, after) == after


def test_two_analysts_commit_at_once_through_different_servers(deployment, browser, tmp_path):
    on_a, on_b = _new_page(browser), _new_page(browser)
    _ready_to_load(on_a, deployment.a.base_url, _values_file(tmp_path / "a.csv", {"2008/09": 20.0}))
    _ready_to_load(on_b, deployment.b.base_url, _values_file(tmp_path / "b.csv", {"2010/11": 30.0}))
    on_a.get_by_role("button", name="Load this file").click(no_wait_after=True)
    on_b.get_by_role("button", name="Load this file").click(no_wait_after=True)
    results = {"a.csv": _load_result(on_a), "b.csv": _load_result(on_b)}
    screenshot(on_b, "two-servers-2-concurrent-b")

    con = open_warehouse(deployment.settings)
    try:
        landed = set(list_batches(con).filter(pl.col("kind") == "indicators")["file_name"])
    finally:
        con.close()
    for name, sentence in results.items():
        if f"Loaded {name} as batch" in sentence:
            assert name in landed
        else:
            # Refused: a sentence that says to try again, and nothing of it written.
            assert re.search("try again", sentence, re.IGNORECASE), sentence
            assert name not in landed
    assert landed, results
    expected = {
        "2008/09": 20.0 if "a.csv" in landed else None,
        "2010/11": 30.0 if "b.csv" in landed else None,
    }
    assert _seen(on_a, deployment.a.base_url, expected) == expected
    assert _seen(on_b, deployment.b.base_url, expected) == expected
