"""An official's journey, in a real browser: set the explorer's filters with its widgets,
compare areas, download the view as CSV and XLSX, then open the page's link in a fresh browser
and find the same view. What the page shows and what the files hold is checked against
``warehouse.analytics.explorer`` for the same filters."""

from __future__ import annotations

import polars as pl
import pytest
from playwright.sync_api import Page, expect
from polars.testing import assert_frame_equal

from tests.e2e.journeys import (
    MAIN,
    SIDEBAR,
    add_to_multiselect,
    dataframe,
    grid_rows,
    number,
    select_option,
    wait_for_heading,
)
from tests.e2e.support import CHART, RENDER_TIMEOUT_MS, VIEWPORT, open_page, screenshot, settle
from warehouse import analytics, reference_queries

pytestmark = pytest.mark.e2e

REGION = "North West"
AREAS = ["Bolton", "Manchester", "Trafford"]
INDICATORS = ["NI 8", "NI 39", "NI 116"]
PERIOD = "2008/09"
STATUS = "Better"
CHARTED = "NI 39"


def chosen_filters(con) -> analytics.ExplorerFilters:
    """Returns the filters the official sets through the widgets, as the analytics take them."""
    region_code = reference_queries.regions(con).filter(pl.col("name") == REGION)["region_code"][0]
    areas = reference_queries.areas(con, region_code).filter(pl.col("name").is_in(AREAS))
    return analytics.ExplorerFilters(
        region_code=region_code,
        area_codes=tuple(areas.sort("name")["area_code"]),
        indicator_ids=tuple(INDICATORS),
        period=PERIOD,
        statuses=(STATUS,),
    )


def check_table(page: Page, expected: pl.DataFrame) -> list[dict]:
    """Asserts the explorer's table shows ``expected``'s rows; returns the rows as read."""
    # The last filter's rerun may still be under way; wait until the page says its count.
    sentence = f"{expected.height:,} rows for {REGION} in {PERIOD}."
    expect(page.locator(MAIN)).to_contain_text(sentence, timeout=RENDER_TIMEOUT_MS)
    settle(page)
    shown = grid_rows(dataframe(page, index=0), rows=expected.height)
    assert [(s["Indicator"], s["Area code"], s["Period"]) for s in shown] == [
        (e["indicator_id"], e["area_code"], e["period"]) for e in expected.iter_rows(named=True)
    ]
    for s, e in zip(shown, expected.iter_rows(named=True), strict=True):
        where = f"{e['indicator_id']} {e['area_name']}"
        assert s["Area"] == e["area_name"], where
        assert number(s["Value"]) == pytest.approx(e["value"]), where
        assert s["Compared with England"] == e["compared_to_england"] == STATUS, where
        assert (s["Target status"] or None) == e["target_status"], where
    return shown


def test_official_filters_compares_downloads_and_shares_the_view(
    page, base_url, demo_con, browser, tmp_path
):
    filters = chosen_filters(demo_con)
    expected = analytics.explorer(demo_con, filters)
    assert expected.height >= 3, "the chosen filters should leave a few rows to compare"

    # 1. The explorer, filtered through its widgets.
    open_page(page, base_url, "explorer")
    wait_for_heading(page, "Indicator explorer")
    select_option(page, "Region", REGION)
    add_to_multiselect(page, "Areas", AREAS)
    indicator_names = dict(expected.select("indicator_id", "indicator_name").unique().iter_rows())
    add_to_multiselect(page, "Indicators", [f"{i}: {indicator_names[i]}" for i in INDICATORS])
    select_option(page, "Period", PERIOD)
    add_to_multiselect(page, "Status", [STATUS])
    shown = check_table(page, expected)
    screenshot(page, "journey-official-1-filtered")

    # 2. Compare areas on one indicator: the chart's bars and its table.
    one = expected.filter(pl.col("indicator_id") == CHARTED)
    select_option(page, "Indicator to chart", f"{CHARTED}: {indicator_names[CHARTED]}", where=MAIN)
    chart = page.locator(CHART).first
    description = (
        f"Bar chart of {indicator_names[CHARTED]} ({PERIOD}) for {one.height} areas with 95% "
        f"confidence intervals, against England "
        f"({_with_unit(one['england_value'][0], one['unit'][0])}): {one.height} {STATUS.lower()}."
    )
    expect(chart).to_have_attribute("aria-label", description, timeout=RENDER_TIMEOUT_MS)
    bars = chart.locator(".ytick text").evaluate_all("ticks => ticks.map(t => t.textContent)")
    assert bars == one.sort("value")["area_name"].to_list()  # drawn bottom to top, smallest first
    page.get_by_text("Chart data as a table").first.click()
    compared = grid_rows(dataframe(page, "Compare areas"), rows=one.height)
    assert [(c["area_name"], number(c["value"])) for c in compared] == [
        (r["area_name"], pytest.approx(r["value"])) for r in one.iter_rows(named=True)
    ]

    # 3. Downloads of exactly this view.
    wanted = analytics.safe_for_spreadsheet(expected.select(analytics.EXPLORER_COLUMNS))
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download CSV of this view").click()
    csv_path = tmp_path / csv_download.value.suggested_filename
    csv_download.value.save_as(csv_path)
    assert csv_path.name == "explorer.csv"
    as_text = pl.read_csv(csv_path, infer_schema=False)
    assert_frame_equal(as_text, _csv_text(wanted))
    assert as_text["area_code"].to_list() == [s["Area code"] for s in shown]

    with page.expect_download() as xlsx_download:
        page.get_by_role("button", name="Download XLSX of this view").click()
    xlsx_path = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx_path)
    assert xlsx_path.name == "explorer.xlsx"
    workbook = pl.read_excel(xlsx_path, sheet_name="explorer")
    assert workbook.columns == analytics.EXPLORER_COLUMNS
    assert_frame_equal(workbook, wanted, check_dtypes=False)

    # 4. The address bar holds the view: a fresh browser opening the link sees the same.
    link = page.url
    assert "period=2008%2F09" in link or "period=2008/09" in link
    context = browser.new_context(viewport=VIEWPORT)
    try:
        fresh = context.new_page()
        fresh.goto(link)
        wait_for_heading(fresh, "Indicator explorer")
        settle(fresh)
        sidebar = fresh.locator(SIDEBAR)
        expect(sidebar.get_by_role("combobox", name="Region")).to_have_value(REGION)
        expect(sidebar.get_by_role("combobox", name="Period")).to_have_value(PERIOD)
        for label, names in (("Areas", AREAS), ("Indicators", INDICATORS), ("Status", [STATUS])):
            chosen = sidebar.locator('[data-testid="stMultiSelect"]').filter(
                has=fresh.get_by_text(label, exact=True)
            )
            for name in names:
                expect(chosen).to_contain_text(name)
        assert check_table(fresh, expected) == shown
        charted = fresh.locator(MAIN).get_by_role("combobox", name="Indicator to chart")
        expect(charted).to_have_value(f"{CHARTED}: {indicator_names[CHARTED]}")
        expect(fresh.locator(CHART).first).to_have_attribute("aria-label", description)
        screenshot(fresh, "journey-official-2-shared-link")
    finally:
        context.close()


def _csv_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` as text the way a CSV file holds it (written, then read as text)."""
    import io

    return pl.read_csv(io.StringIO(frame.write_csv()), infer_schema=False)


def _with_unit(value: float, unit: str | None) -> str:
    """Returns a number as the chart's description writes it: one decimal, then the unit."""
    text = f"{value:,.1f}"
    return f"{text}%" if unit == "%" else f"{text} {unit or ''}".strip()
