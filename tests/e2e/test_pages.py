"""Every page of the app, in a real browser: it renders, passes axe, names its charts, keeps
chart text readable and can be used by keyboard with a visible focus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from dashboard.navigation import PAGES, PageSpec
from tests.e2e.support import (
    VIEWPORT,
    chart_names,
    error_dialog_text,
    focus_indicator,
    format_violations,
    low_contrast_chart_text,
    open_page,
    run_axe,
    screenshot,
    unnamed_charts,
)

pytestmark = pytest.mark.e2e

IDS = [Path(p.script).stem for p in PAGES]
# Enough Tab presses to pass the skip link, the menu, the main menu button and the sidebar
# controls before the region selector; pages without one are tabbed this far into content.
MAX_TABS = 12 + len(PAGES)


@pytest.fixture(scope="module", params=PAGES, ids=IDS)
def opened(request, browser: Browser, base_url: str) -> Iterator[tuple[Page, PageSpec]]:
    """Each page opened once for the checks that only read it (pytest groups them by page)."""
    spec: PageSpec = request.param
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    open_page(page, base_url, spec)
    yield page, spec
    context.close()


def test_page_renders_what_the_user_reads(opened):
    page, spec = opened
    screenshot(page, Path(spec.script).stem)
    assert error_dialog_text(page) is None, error_dialog_text(page)
    assert page.locator('[data-testid="stException"]').count() == 0, "the page shows an exception"
    assert page.get_by_text(spec.landmark).first.is_visible()


def test_page_has_no_serious_accessibility_violations(opened):
    page, spec = opened
    violations = run_axe(page)
    assert not violations, f"{spec.title} ({spec.script}): " + format_violations(violations)


def test_every_chart_has_an_accessible_name(opened):
    page, spec = opened
    unnamed = unnamed_charts(page)
    assert not unnamed, (
        f"{spec.title}: charts without alt text (pass alt=... to st.plotly_chart): {unnamed}"
    )
    # The name reaches the browser's accessibility tree, which screen readers read.
    for chart in chart_names(page):
        figure = page.get_by_role(chart["role"], name=chart["name"], exact=True)
        assert figure.count() >= 1, f"{spec.title}: {chart} is not in the accessibility tree"


def test_chart_text_has_enough_contrast(opened):
    page, spec = opened
    faint = low_contrast_chart_text(page)
    distinct = sorted({(t["fill"], t["on"], t["size"], t["ratio"]) for t in faint})
    assert not faint, (
        f"{spec.title}: {len(faint)} chart labels below WCAG AA contrast (1.4.3), "
        f"as (colour, on, size, ratio): {distinct}; for example {faint[:3]}"
    )


@pytest.mark.parametrize("spec", PAGES, ids=IDS)
def test_keyboard_focus_is_visible_and_tab_reaches_the_region_selector(page, base_url, spec):
    open_page(page, base_url, spec)
    region = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.get_by_text("Region", exact=True)
    )
    has_region = region.count() > 0
    stops, reached = [], False
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        stop = focus_indicator(page)
        if stop["tag"] == "BODY":  # past the last control: focus leaves the page
            break
        stops.append(stop)
        reached = has_region and region.first.locator("input").evaluate(
            "input => input === document.activeElement"
        )
        if reached:
            break
    assert reached or not has_region, (
        f"{spec.title}: Tab did not reach the region selector: {stops}"
    )
    invisible = [stop for stop in stops if not stop["visible"]]
    assert not invisible, f"{spec.title}: focus not visible on {invisible}; all stops: {stops}"
