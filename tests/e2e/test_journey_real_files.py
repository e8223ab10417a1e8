"""An analyst's journey with real files, in a real browser, on a private server (issue 12):
upload a Fingertips export and complete its new indicators in the preview; upload the ONS
tidy file, add its metadata file where the page asks for it and set a polarity in the
preview; upload the IMD file and give its Score column a period and an indicator. Each
lands, and shows in the explorer.

The ONS and IMD files are public data kept in ../shared/samples (the test skips without
them); the Fingertips export is the project's own small test file.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import polars as pl
import pytest
from playwright.sync_api import Locator, Page, expect

from dashboard.url_state import filters_to_params
from tests.conftest import lake_settings, shared_file
from tests.e2e.journeys import MAIN, dataframe, grid_rows, main_text, number, wait_for_heading
from tests.e2e.support import RENDER_TIMEOUT_MS, open_page, screenshot, settle
from warehouse import analytics, open_warehouse

pytestmark = pytest.mark.e2e

FINGERTIPS = Path(__file__).resolve().parents[1] / "files" / "fingertips_export.csv"
ONS_DATA = "samples/ons_subnational_indicators_machine_readable.csv"
ONS_METADATA = "samples/ons_subnational_indicators_metadata.csv"
IMD = "samples/imd2010_lad21_england.csv"
NORTH_EAST, LONDON = "E12000001", "E12000007"
HARTLEPOOL = "E06000001"
ROW_HEIGHT = 35  # Streamlit's grid: the header and each row are 35 px high

# The review table's columns, left to right (pipelines.new_indicators.REVIEW_COLUMNS).
POLARITY, UNIT, VALUE_TYPE, MULTIPLIER = 1, 2, 3, 4
# The column table of a wide file: Column, Period, Indicator.
PERIOD, INDICATOR = 1, 2
# The choice (select box) columns of each editable table.
CHOICE_COLUMNS = {"review": (POLARITY, VALUE_TYPE), "columns": ()}


def upload(page: Page, label: str, path: Path) -> None:
    """Chooses ``path`` in the file uploader labelled ``label``, as a user does."""
    chooser = page.locator('[data-testid="stFileUploader"]').filter(has_text=label)
    with page.expect_file_chooser() as chosen:
        chooser.get_by_role("button").filter(has_text=re.compile("Browse|Upload")).first.click()
    chosen.value.set_files(path)


def start_upload(page: Page, base_url: str, path: Path) -> None:
    """Opens the upload page afresh and uploads ``path`` as indicator values."""
    open_page(page, base_url, "upload")
    wait_for_heading(page, "Upload data")
    upload(page, "Choose a file", path)


def edit_cell(
    page: Page, grid: Locator, row: int, column: int, text: str, grid_kind: str = "review"
) -> None:
    """Types ``text`` into a cell of an editable table, by keyboard as a user can: select the
    first cell, move to the cell with the arrow keys, Enter to edit, type, Enter to keep it
    (in a choice column, typing narrows the list and Enter takes the first match).

    The text goes in once the cell's editor shows it: keys pressed while the editor is still
    opening can be lost.
    """
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 10, box["y"] + ROW_HEIGHT * 1.5)
    for _ in range(row):
        page.keyboard.press("ArrowDown")
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator("#portal").locator("textarea, input").first
    expect(editor).to_be_focused(timeout=RENDER_TIMEOUT_MS)
    editor.fill(text)
    expect(editor).to_have_value(text)
    if column in CHOICE_COLUMNS.get(grid_kind, ()):
        # The list narrows after the typing: Enter before that takes whatever was first.
        expect(page.locator('#portal [id*="-option-"]')).to_have_count(1, timeout=RENDER_TIMEOUT_MS)
    # Keeping an edit reruns the script; the next edit must wait for that run, or the page
    # redrawn by it forgets the edit. A run that starts and ends between two checks would
    # be missed by polling, so the page itself counts the runs that start.
    page.evaluate(_COUNT_RUNS)
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.__scriptRuns > 0", timeout=RENDER_TIMEOUT_MS)
    settle(page)


_COUNT_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__scriptRuns = 0;
  if (window.__runWatcher) window.__runWatcher.disconnect();
  window.__runWatcher = new MutationObserver(() => {
    if (app.getAttribute('data-test-script-state') === 'running') window.__scriptRuns += 1;
  });
  window.__runWatcher.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


def tick(page: Page, name) -> None:
    """Ticks the checkbox named ``name`` by clicking its label."""
    box = page.get_by_role("checkbox", name=name)
    page.locator("label").filter(has=box).click()
    expect(box).to_be_checked()
    settle(page)


def load(page: Page, file_name: str) -> str:
    """Accepts warnings if the page asks, loads the file and returns the batch's success text."""
    warnings = page.get_by_role("checkbox", name=re.compile(r"^I have read the .*warnings"))
    if warnings.count():
        tick(page, re.compile(r"^I have read the .*warnings"))
    button = page.get_by_role("button", name="Load this file")
    expect(button).to_be_enabled()
    button.click()
    loaded = page.locator(f'{MAIN} [data-testid="stAlertContentSuccess"]')
    expect(loaded).to_contain_text(f"Loaded {file_name} as batch", timeout=RENDER_TIMEOUT_MS)
    return loaded.inner_text()


def explorer_rows(page: Page, base_url: str, region: str, indicator: str) -> list[dict]:
    """Opens the explorer on one indicator in one region and returns its table's rows."""
    filters = analytics.ExplorerFilters(region_code=region, indicator_ids=(indicator,))
    open_page(page, base_url, "explorer", urlencode(filters_to_params(filters)))
    wait_for_heading(page, "Indicator explorer")
    assert " 0 rows" not in main_text(page)
    return grid_rows(dataframe(page, index=0))


def polarity_of(data_dir: Path, indicator_id: str) -> str:
    con = open_warehouse(lake_settings(data_dir))
    try:
        return con.execute(
            "SELECT polarity FROM indicators WHERE indicator_id = ?", [indicator_id]
        ).fetchone()[0]
    finally:
        con.close()


def test_analyst_loads_fingertips_ons_and_imd_files_through_the_page(
    page, private_server, tmp_path
):
    ons_data, ons_metadata, imd = shared_file(ONS_DATA), shared_file(ONS_METADATA), shared_file(IMD)
    base_url, data_dir = private_server.base_url, tmp_path / "data"

    # 1. A Fingertips export: three indicators we do not have, which the export describes
    #    only by name. The page asks for unit, value type and polarity before creating them.
    start_upload(page, base_url, FINGERTIPS)
    wait_for_heading(page, "3 new indicators will be created", level=2)
    grid = dataframe(page, "3 new indicators will be created")
    assert "9 problem(s) with the new indicators" in main_text(page)
    for row, (unit, value_type, polarity) in enumerate(
        [("%", "proportion", "lower"), ("years", "mean", "higher"), ("years", "mean", "higher")]
    ):
        edit_cell(page, grid, row, UNIT, unit)
        edit_cell(page, grid, row, VALUE_TYPE, value_type)
        edit_cell(page, grid, row, POLARITY, polarity)
    edit_cell(page, grid, 0, MULTIPLIER, "100")
    assert "problem(s) with the new indicators" not in main_text(page)
    reviewed = grid_rows(grid, rows=3)
    assert [(r["Indicator"], r["Unit"], r["Value type"], r["Polarity"]) for r in reviewed] == [
        ("FT 10101", "%", "proportion", "lower"),
        ("FT 90366 (Male)", "years", "mean", "higher"),
        ("FT 90366 (Female)", "years", "mean", "higher"),
    ]
    screenshot(page, "journey-real-files-1-fingertips-indicators")
    expect(page.get_by_role("button", name="Load this file")).to_be_disabled()
    tick(page, re.compile(r"^I have checked the 3 new indicators"))
    assert "3 new indicator(s) created" in load(page, FINGERTIPS.name)
    assert polarity_of(data_dir, "FT 10101") == "lower"
    shown = explorer_rows(page, base_url, NORTH_EAST, "FT 10101")
    hartlepool = [r for r in shown if r["Area code"] == HARTLEPOOL]
    # The export's latest headline value for Hartlepool: 2009, 30.6.
    assert [(r["Period"], number(r["Value"])) for r in hartlepool] == [("2009", 30.6)]

    # 2. The ONS file: the page recognises it and asks for its metadata file on the page.
    start_upload(page, base_url, ons_data)
    wait_for_heading(page, "Add its metadata file", level=2)
    metadata_box = page.locator('[data-testid="stFileUploader"]').filter(
        has_text="Companion metadata file"
    )
    expect(metadata_box).to_be_visible()
    upload(page, "Companion metadata file", ons_metadata)
    wait_for_heading(page, "33 new indicators will be created", level=2)
    grid = dataframe(page, "33 new indicators will be created")
    proposed = grid_rows(grid, rows=33)
    row = next(i for i, r in enumerate(proposed) if r["Polarity"] == "none")
    chosen = proposed[row]["Indicator"]
    edit_cell(page, grid, row, POLARITY, "higher")
    assert grid_rows(grid, rows=33)[row]["Polarity"] == "higher"
    screenshot(page, "journey-real-files-2-ons-polarity")
    tick(page, re.compile(r"^I have checked the 33 new indicators"))
    assert "33 new indicator(s) created" in load(page, ons_data.name)
    assert polarity_of(data_dir, chosen) == "higher"
    shown = explorer_rows(page, base_url, LONDON, chosen)
    assert shown and {r["Indicator"] for r in shown} == {chosen}
    screenshot(page, "journey-real-files-3-ons-in-explorer")

    # 3. The IMD file: one Score column per district, with no period in its name.
    start_upload(page, base_url, imd)
    wait_for_heading(page, "Match the columns", level=2)
    columns = dataframe(page, "Match the columns")
    assert [r["Column"] for r in grid_rows(columns, rows=3)] == ["Score", "Proportion", "Extent"]
    edit_cell(page, columns, 0, PERIOD, "2010", grid_kind="columns")
    edit_cell(page, columns, 0, INDICATOR, "IMD SCORE", grid_kind="columns")
    wait_for_heading(page, "1 new indicator will be created", level=2)
    grid = dataframe(page, "1 new indicator will be created")
    edit_cell(page, grid, 0, UNIT, "score")
    edit_cell(page, grid, 0, VALUE_TYPE, "score")
    edit_cell(page, grid, 0, POLARITY, "lower")
    screenshot(page, "journey-real-files-4-imd-mapped")
    tick(page, re.compile(r"^I have checked the 1 new indicator "))
    load(page, imd.name)
    score = (
        pl.read_csv(imd, schema_overrides={"ltla21_code": pl.String, "Score": pl.Float64})
        .filter(pl.col("ltla21_code") == HARTLEPOOL)["Score"]
        .item()
    )
    shown = explorer_rows(page, base_url, NORTH_EAST, "IMD SCORE")
    hartlepool = [r for r in shown if r["Area code"] == HARTLEPOOL]
    assert [(r["Period"], number(r["Value"])) for r in hartlepool] == [
        ("2010", pytest.approx(score, abs=1e-6))
    ]
    screenshot(page, "journey-real-files-5-imd-in-explorer")
