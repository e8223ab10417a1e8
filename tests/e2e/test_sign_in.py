"""Sign-in through a real OpenID Connect provider, as users with different roles and regions.

The provider is npm's ``oidc-provider`` on loopback (``tests/e2e/oidc``); the app runs with
``OUTCOMES_AUTH_MODE=oidc`` on a private copy of the demo warehouse. Each user signs in in a
fresh browser context, and the test checks what they can see and do, then reads the audit log
from the warehouse to check that every refused attempt was recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.oidc import SignedInApp, new_context, sign_in, start_signed_in_app
from tests.e2e.support import FINISHED_RUN, RENDER_TIMEOUT_MS, VIEWPORT, screenshot
from warehouse.analytics.series import indicator_series
from warehouse.audit import audit_entries
from warehouse.batches import list_batches
from warehouse.connection import connect
from warehouse.settings import Settings

pytestmark = pytest.mark.e2e

NORTH_EAST, LONDON = "E12000001", "E12000007"
USERS = {
    "ana": {
        "email": "ana@example.test",
        "name": "Ana Analyst",
        "roles": ["analyst"],
        "regions": [NORTH_EAST],
    },
    "min": {
        "email": "min@example.test",
        "name": "Min Minister",
        "roles": ["minister"],
        "regions": [LONDON],
    },
    "nor": {"email": "nor@example.test", "name": "Nor Norole", "roles": [], "regions": []},
}
# NI 116 (children in poverty) for Gateshead (North East), in a period the demo lacks.
INDICATOR, GATESHEAD, NEW_PERIOD = "NI 116", "E08000037", "2011/12"


@pytest.fixture(scope="module")
def app(
    e2e_tools, _demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignedInApp]:
    """The app in ``oidc`` mode on a private demo warehouse, with its provider running."""
    signed_in = start_signed_in_app(tmp_path_factory.mktemp("sign-in"), _demo_dir, USERS)
    yield signed_in
    signed_in.stop()


@pytest.fixture
def browser_page(browser: Browser) -> Iterator[Page]:
    context = new_context(browser, VIEWPORT)
    yield context.new_page()
    context.close()


def _settled(page: Page) -> None:
    page.locator(FINISHED_RUN).wait_for(timeout=RENDER_TIMEOUT_MS)


def _warehouse(app: SignedInApp):
    """A connection of the test's own to the app's warehouse (the app keeps serving)."""
    return connect(Settings(data_dir=app.data_dir, warehouse="", write_retries=30))


def _audit(app: SignedInApp, actor: str) -> pl.DataFrame:
    with _warehouse(app) as con:
        return audit_entries(con).filter(pl.col("actor") == actor)


def _batches(app: SignedInApp) -> pl.DataFrame:
    with _warehouse(app) as con:
        return list_batches(con)


def test_analyst_signs_in_and_uploads_for_their_region(
    app: SignedInApp, browser_page: Page, tmp_path: Path
):
    page = browser_page
    sign_in(page, app.url, "ana")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Ana Analyst")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(sidebar.get_by_role("button", name="Sign out")).to_be_visible()
    _settled(page)
    screenshot(page, "sign-in-analyst-overview")

    sidebar.get_by_role("link", name="Upload data").click()
    upload = tmp_path / "gateshead.csv"
    # The area's latest value again, a year on: a new row that raises no warning.
    with _warehouse(app) as con:
        latest = indicator_series(con, INDICATOR, [GATESHEAD])["value"].drop_nulls()[-1]
    pl.DataFrame(
        {"indicator_id": [INDICATOR], "area_code": [GATESHEAD], "period": [NEW_PERIOD]}
    ).with_columns(value=pl.lit(latest)).write_csv(upload)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(upload)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("New rows")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(main.get_by_text("I have read the")).to_have_count(0)
    main.get_by_role("button", name="Load this file").click()
    expect(main.get_by_text("Loaded gateshead.csv as batch")).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    screenshot(page, "sign-in-analyst-uploaded")

    batches = _batches(app)
    mine = batches.filter(pl.col("file_name") == "gateshead.csv")
    assert mine["operator"].to_list() == ["ana@example.test"]
    uploads = _audit(app, "ana@example.test").filter(pl.col("action") == "upload")
    assert uploads["outcome"].to_list() == ["succeeded"]


def test_minister_sees_own_region_and_is_refused_upload(app: SignedInApp, browser_page: Page):
    page = browser_page
    sign_in(page, app.url, "min")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("Min Minister")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    _settled(page)
    expect(sidebar.get_by_role("link", name="Upload data")).to_have_count(0)
    expect(page.locator('[data-testid="stMain"]').get_by_text("London").first).to_be_visible()

    # A link to another region's overview still shows London only.
    page.goto(f"{app.url}/?region={NORTH_EAST}")
    _settled(page)
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("London").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    expect(main.get_by_text("North East")).to_have_count(0)

    # Typing the upload page's address is refused, and the refusal is audited.
    page.goto(f"{app.url}/upload")
    _settled(page)
    expect(page.get_by_text("You do not have access").first).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    expect(page.get_by_text("Choose a file")).to_have_count(0)
    screenshot(page, "sign-in-minister-refused-upload")
    refused = _audit(app, "min@example.test").filter(pl.col("outcome") == "refused")
    assert refused.height >= 1


def test_user_without_a_role_sees_only_no_access(app: SignedInApp, browser_page: Page):
    page = browser_page
    sign_in(page, app.url, "nor")
    expect(page.get_by_text("No access").first).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    _settled(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_role("link", name="Region overview")).to_have_count(0)
    screenshot(page, "sign-in-no-role")
    refused = _audit(app, "nor@example.test").filter(pl.col("outcome") == "refused")
    assert refused.height >= 1
