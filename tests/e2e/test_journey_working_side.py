"""The working side in a real browser, as three signed-in users (issue 15): an official records
an agreed action on an off-track indicator in an area, an analyst uploads programmes working in
that area, and the minister's overview then shows the action and the new overlap.

Everyone is of the North East. Middlesbrough starts as a gap on children and young people in
the demo (off track on a priority goal, no programme working on it); the analyst's file puts
two programmes there, so it becomes an overlap and stops being a gap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.journeys import MAIN, grid_rows, main_text
from tests.e2e.oidc import SignedInApp, new_context, sign_in, start_signed_in_app
from tests.e2e.support import FINISHED_RUN, RENDER_TIMEOUT_MS, VIEWPORT, screenshot
from warehouse.commentary import actions_for
from warehouse.connection import connect
from warehouse.programmes import area_coverage, off_track_priority_goals
from warehouse.settings import Settings

pytestmark = pytest.mark.e2e

NORTH_EAST, MIDDLESBROUGH = "E12000001", "E06000002"
USERS = {
    login: {
        "email": f"{login}@example.test",
        "name": name,
        "roles": [role],
        "regions": [NORTH_EAST],
    }
    for login, name, role in (
        ("off", "Olu Official", "official"),
        ("ana", "Ana Analyst", "analyst"),
        ("min", "Mo Minister", "minister"),
    )
}
ACTION = "Agree one plan for Middlesbrough's children across the programmes now arriving"


@pytest.fixture(scope="module")
def app(
    e2e_tools, _demo_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SignedInApp]:
    signed_in = start_signed_in_app(tmp_path_factory.mktemp("working-side"), _demo_dir, USERS)
    yield signed_in
    signed_in.stop()


@pytest.fixture
def as_user(browser: Browser, app: SignedInApp) -> Iterator:
    contexts = []

    def open_as(login: str) -> Page:
        context = new_context(browser, VIEWPORT)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, app.url, login)
        expect(page.get_by_text(USERS[login]["name"])).to_be_visible(timeout=RENDER_TIMEOUT_MS)
        return page

    yield open_as
    for context in contexts:
        context.close()


def _warehouse(app: SignedInApp):
    return connect(Settings(data_dir=app.data_dir, warehouse="", write_retries=30))


def _settle(page: Page) -> None:
    page.locator(FINISHED_RUN).wait_for(timeout=RENDER_TIMEOUT_MS)


def _children(con) -> str:
    return con.execute(
        "SELECT outcome_department_id FROM current_outcome_departments "
        "WHERE region_code = ? AND outcome_department_key = 'children_young_people'",
        [NORTH_EAST],
    ).fetchone()[0]


def test_official_analyst_and_minister_work_on_one_gap(app, as_user, tmp_path):
    with _warehouse(app) as con:
        department = _children(con)
        before = area_coverage(con, department).filter(pl.col("area_code") == MIDDLESBROUGH)
        off_track = off_track_priority_goals(con, NORTH_EAST).filter(
            (pl.col("area_code") == MIDDLESBROUGH) & (pl.col("outcome_department_id") == department)
        )
        overlaps = area_coverage(con, department)["finding"].str.starts_with("Overlap").sum()
        gaps = area_coverage(con, department)["finding"].str.starts_with("Gap").sum()
    assert before["finding"].to_list() == ["Gap: off track with no programme"]
    indicator = off_track["indicator_id"][0]

    # 1. The official records an agreed action on the off-track indicator in Middlesbrough.
    page = as_user("off")
    page.goto(
        f"{app.url}/area-profile?region={NORTH_EAST}&area={MIDDLESBROUGH}&department={department}"
    )
    _settle(page)
    form = page.locator('[data-testid="stForm"]').filter(has_text="Agreed action")
    form.scroll_into_view_if_needed()
    form.get_by_role("combobox").first.click()
    page.keyboard.type(indicator)
    page.locator('[role="option"]').filter(has_text=f"{indicator}:").first.click()
    form.get_by_label("Agreed action").fill(ACTION)
    form.get_by_label("Owner (a person or a department)").fill("DCSF")
    form.get_by_role("button", name="Save action").click()
    actions = (
        page.locator(MAIN).locator('[data-testid="stDataFrame"]').filter(has_text="What was agreed")
    )
    expect(actions.first).to_contain_text(ACTION[:30], timeout=RENDER_TIMEOUT_MS)
    screenshot(page, "journey-working-side-1-official-action")
    with _warehouse(app) as con:
        saved = actions_for(con, NORTH_EAST).filter(pl.col("what") == ACTION)
    assert saved.select("indicator_id", "area_code", "author").rows() == [
        (indicator, MIDDLESBROUGH, "off@example.test")
    ]

    # 2. The analyst uploads two programmes working in Middlesbrough.
    page = as_user("ana")
    upload = tmp_path / "middlesbrough-programmes.csv"
    upload.write_text(
        "programme_id,area_code,role,contact_name,contact_email,from_date,to_date\n"
        f"FIP,{MIDDLESBROUGH},funded project,FIP team,fip-mbro@example.gov.uk,2009-04-01,\n"
        f"THINKFAM,{MIDDLESBROUGH},adviser,Sam Adviser,sam@example.gov.uk,2009-04-01,\n"
    )
    page.goto(f"{app.url}/upload")
    _settle(page)
    page.get_by_text("Programmes in areas").click()
    # The file chooser is the chosen kind's: wait until the page has been redrawn for it.
    expect(
        page.get_by_role("button", name="Download the blank programmes in areas template (CSV)")
    ).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    _settle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(upload)
    main = page.locator(MAIN)
    expect(main.get_by_text("New rows")).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    main.get_by_role("button", name="Load this file").click()
    expect(main.get_by_text(f"Loaded {upload.name} as batch")).to_be_visible(
        timeout=RENDER_TIMEOUT_MS
    )
    screenshot(page, "journey-working-side-2-analyst-upload")

    # 3. The minister's overview: the action, and Middlesbrough an overlap rather than a gap.
    page = as_user("min")
    page.goto(f"{app.url}/?region={NORTH_EAST}")
    _settle(page)
    heading = page.get_by_role("heading", name="Who is working on what")
    heading.scroll_into_view_if_needed()
    text = main_text(page)
    found = re.search(
        r"Children and young people: \d+ programmes? active; (\d+) areas? where several "
        r"overlap; (\d+) areas? off track",
        text,
    )
    assert found, text
    assert (int(found[1]), int(found[2])) == (overlaps + 1, gaps - 1)
    table = (
        page.locator(MAIN).locator('[data-testid="stDataFrame"]').filter(has_text="What was agreed")
    )
    rows = grid_rows(table.last)
    assert any(r["What was agreed"] == ACTION and r["Area"] == "Middlesbrough" for r in rows)
    assert all(
        datetime.strptime(r["Due"], "%d %b %Y").date() >= date.today()
        for r in rows
        if r["What was agreed"] == ACTION
    )
    screenshot(page, "journey-working-side-3-minister-overview")
