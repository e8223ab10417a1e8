"""An analyst's journey, in a real browser, on a private server: upload a native CSV that
revises one value and adds one, read the validation report and the preview of the revision,
confirm and commit, see the new values in the explorer, roll the batch back on the batches page
and see the old value again."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import polars as pl
import pytest
from playwright.sync_api import Page, expect

from dashboard.url_state import filters_to_params
from tests.e2e.journeys import (
    MAIN,
    dataframe,
    grid_rows,
    main_text,
    number,
    upload_values,
    wait_for_heading,
)
from tests.e2e.support import RENDER_TIMEOUT_MS, open_page, screenshot, settle
from warehouse import analytics

pytestmark = pytest.mark.e2e

REGION = "E12000002"  # North West
AREA = "E08000009"  # Trafford
INDICATOR = "NI 116"
REVISED_PERIOD = "2008/09"
NEW_PERIOD = "2011/12"  # after the demo's last year, so it becomes the latest value
FILE_NAME = "trafford-revisions.csv"


def explorer_rows(page: Page, base_url: str, period: str | None) -> list[dict]:
    """Opens the explorer on Trafford's NI 116 (one period, or the latest) and returns its rows."""
    filters = analytics.ExplorerFilters(
        region_code=REGION, area_codes=(AREA,), indicator_ids=(INDICATOR,), period=period
    )
    open_page(page, base_url, "explorer", urlencode(filters_to_params(filters)))
    wait_for_heading(page, "Indicator explorer")
    if "0 rows" in main_text(page):
        return []
    return grid_rows(dataframe(page, index=0))


def shown_value(rows: list[dict]) -> tuple[str, float | None]:
    """Returns the (period, value) of the explorer's one row."""
    assert len(rows) == 1, rows
    assert (rows[0]["Indicator"], rows[0]["Area code"]) == (INDICATOR, AREA)
    return rows[0]["Period"], number(rows[0]["Value"])


def test_analyst_uploads_revisions_commits_and_rolls_back(page, private_server, demo_con, tmp_path):
    base_url = private_server.base_url
    before = analytics.explorer(
        demo_con,
        analytics.ExplorerFilters(
            region_code=REGION,
            area_codes=(AREA,),
            indicator_ids=(INDICATOR,),
            period=REVISED_PERIOD,
        ),
    )
    old_value = before["value"][0]
    latest_before = analytics.explorer(
        demo_con,
        analytics.ExplorerFilters(
            region_code=REGION, area_codes=(AREA,), indicator_ids=(INDICATOR,)
        ),
    ).row(0, named=True)
    assert latest_before["period"] != NEW_PERIOD
    new_value = round(old_value + 6.25, 3)
    added_value = 14.25

    # The analyst's file: one value revised, one added, and a column the template lacks (a
    # warning, so the validation report has something to say).
    upload = tmp_path / FILE_NAME
    pl.DataFrame(
        {
            "indicator_id": [INDICATOR, INDICATOR],
            "area_code": [AREA, AREA],
            "period": [REVISED_PERIOD, NEW_PERIOD],
            "value": [new_value, added_value],
            "comment": ["corrected by the local authority", "first release"],
        }
    ).write_csv(upload)

    # 1. Upload through the page's file input.
    upload_values(page, base_url, upload)

    # 2. The validation report: the one warning, about the extra column.
    wait_for_heading(page, "Validation report", level=2)
    assert "0 error(s) and 1 warning(s)." in main_text(page)
    report = grid_rows(dataframe(page, "Validation report"))
    assert len(report) == 1 and report[0]["Severity"] == "warning"
    assert "comment" in report[0]["Problem"] and "will be ignored" in report[0]["Problem"]

    # 3. The preview: one new row, one revision shown with its old and new value.
    metrics = page.locator(f'{MAIN} [data-testid="stMetric"]')
    expect(metrics.filter(has_text="New rows")).to_contain_text("1")
    expect(metrics.filter(has_text="Revised rows")).to_contain_text("1")
    revisions = grid_rows(dataframe(page, "What this file will change"))
    # The value first, then each field the file leaves empty (issue 12 item 8).
    assert revisions[0]["Field"] == "value", revisions
    assert all(r["New"] == "(none)" for r in revisions[1:]), revisions
    cells = list(revisions[0].values())
    assert INDICATOR in cells and AREA in cells and REVISED_PERIOD in cells, revisions
    numbers = [number(c) for c in cells if c and re.fullmatch(r"-?[\d.,]+", c)]
    assert pytest.approx(old_value) in numbers and pytest.approx(new_value) in numbers, revisions
    old_at = next(i for i, c in enumerate(cells) if number_or_none(c) == pytest.approx(old_value))
    new_at = next(i for i, c in enumerate(cells) if number_or_none(c) == pytest.approx(new_value))
    headers = list(revisions[0])
    assert "old" in headers[old_at].lower() and "new" in headers[new_at].lower(), headers
    screenshot(page, "journey-analyst-1-preview")

    # 4. Confirm the revision (and, where the page asks, that the warnings were read); commit.
    commit = page.get_by_role("button", name="Load this file")
    expect(commit).to_be_disabled()
    tick(page, re.compile(r"^I have checked the 1 revi"))
    warnings = page.get_by_role("checkbox", name=re.compile(r"^I have read the .*warnings"))
    if warnings.count():
        tick(page, re.compile(r"^I have read the .*warnings"))
    expect(commit).to_be_enabled()
    commit.click()
    loaded = page.locator(f'{MAIN} [data-testid="stAlertContentSuccess"]')
    expect(loaded).to_contain_text(f"Loaded {FILE_NAME} as batch", timeout=RENDER_TIMEOUT_MS)
    batch_id = re.search(r"as batch (\S+?):", loaded.inner_text()).group(1)

    # 5. The explorer shows the revised value and the added one (now the latest).
    assert shown_value(explorer_rows(page, base_url, REVISED_PERIOD)) == (
        REVISED_PERIOD,
        pytest.approx(new_value),
    )
    assert shown_value(explorer_rows(page, base_url, None)) == (
        NEW_PERIOD,
        pytest.approx(added_value),
    )

    # 6. Roll the batch back on the batches page.
    open_page(page, base_url, "batches")
    wait_for_heading(page, "Data batches")
    choose_batch(page, batch_id)
    page.get_by_label("Reason (recorded with the withdrawal)").fill("journey test: wrong file")
    tick(page, "I understand the values this batch replaced become current again")
    page.get_by_role("button", name="Roll back this batch").click()
    expect(page.locator(f'{MAIN} [data-testid="stAlertContentSuccess"]')).to_contain_text(
        f"Batch {batch_id} withdrawn", timeout=RENDER_TIMEOUT_MS
    )
    # The confirmation does not stay ticked for the next batch in the list.
    expect(page.get_by_role("checkbox", name=re.compile("^I understand"))).not_to_be_checked()
    expect(page.get_by_role("button", name="Roll back this batch")).to_be_disabled()
    screenshot(page, "journey-analyst-2-rolled-back")

    # 7. The old value is current again, and the added one is gone.
    assert shown_value(explorer_rows(page, base_url, REVISED_PERIOD)) == (
        REVISED_PERIOD,
        pytest.approx(old_value),
    )
    assert shown_value(explorer_rows(page, base_url, None)) == (
        latest_before["period"],
        pytest.approx(latest_before["value"]),
    )


def number_or_none(text: str | None) -> float | None:
    """Returns a cell's number, or None for text that is not one."""
    try:
        return number(text)
    except ValueError:
        return None


def choose_batch(page: Page, batch_id: str) -> None:
    """Chooses the batch ``batch_id`` to withdraw, typing its id to find it in the list."""
    box = page.locator(f'{MAIN} [data-testid="stSelectbox"]').filter(
        has=page.get_by_text("Batch to withdraw", exact=True)
    )
    box.click()
    box.locator("input").fill(batch_id)
    option = page.get_by_role("option").filter(has_text=batch_id)
    expect(option).to_have_count(1, timeout=RENDER_TIMEOUT_MS)
    assert option.inner_text().strip().startswith(f"{FILE_NAME} (indicators, ")
    option.click()
    expect(box.get_by_role("combobox")).to_have_value(re.compile(re.escape(batch_id)))
    settle(page)


def tick(page: Page, name) -> None:
    """Ticks the checkbox named ``name`` by clicking its label, as a user does."""
    box = page.get_by_role("checkbox", name=name)
    page.locator("label").filter(has=box).click()
    expect(box).to_be_checked()
    settle(page)
