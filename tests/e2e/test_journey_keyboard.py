"""The minister's journey by keyboard alone: Tab, Shift+Tab, typing, arrow keys and Enter, no
mouse. At every stop the focused element must show a visible focus (the house style's yellow
ring), and the journey must reach the same pages, showing the same numbers, as by mouse."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from dashboard.navigation import PAGES
from tests.e2e.journeys import (
    SIDEBAR,
    check_area_profile,
    check_department_page,
    check_overview_cards,
    wait_for_heading,
)
from tests.e2e.support import RENDER_TIMEOUT_MS, focus_indicator, open_page, screenshot, settle
from tests.e2e.test_journey_minister import AREA, DEPARTMENT, REGION, minister_expectations

pytestmark = pytest.mark.e2e

MAX_TABS = 80


def tab_to(page: Page, target: Locator, key: str = "Tab") -> list[dict]:
    """Presses ``key`` (Tab or Shift+Tab) until ``target`` has the focus; returns every stop.

    Fails when the target is not reached in ``MAX_TABS`` presses or when any stop on the way
    has no visible focus indicator.
    """
    stops = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        stop = focus_indicator(page)
        if stop["tag"] != "BODY":  # focus left the page for a moment (the address bar)
            stops.append(stop)
        if target.evaluate("element => element === document.activeElement"):
            break
    else:
        pytest.fail(f"{key} did not reach {target} in {MAX_TABS} presses; stops: {stops}")
    invisible = [stop for stop in stops if not stop["visible"]]
    assert not invisible, f"focus not visible on {invisible}; all stops: {stops}"
    return stops


def choose_by_keyboard(page: Page, label: str, option: str) -> None:
    """Tabs to the sidebar select box ``label``, opens it with the arrow key, types and presses Enter."""
    combobox = page.locator(SIDEBAR).get_by_role("combobox", name=label)
    tab_to(page, combobox)
    page.keyboard.press("ArrowDown")
    page.keyboard.type(option)
    expect(page.get_by_role("option", name=option, exact=True)).to_be_visible()
    page.keyboard.press("Enter")
    expect(combobox).to_have_value(option, timeout=RENDER_TIMEOUT_MS)
    settle(page)


def test_minister_journey_by_keyboard_alone(page, base_url, demo_con):
    expected = minister_expectations(demo_con)

    # 1. The landing page; the region is chosen from the keyboard.
    open_page(page, base_url, PAGES[0])
    choose_by_keyboard(page, "Region", REGION)
    wait_for_heading(page, f"{REGION}: outcomes at a glance")
    check_overview_cards(page, expected["overview"])

    # 2. Tab on to the department's link and follow it with Enter.
    link = page.get_by_role("link", name=f"Open {DEPARTMENT}")
    stops = tab_to(page, link)
    assert stops[-1]["tag"] == "A" and DEPARTMENT in stops[-1]["name"], stops[-1]
    screenshot(page, "journey-keyboard-1-focus-on-department-link")
    page.keyboard.press("Enter")
    check_department_page(page, expected["profile"])

    # 3. Back up into the menu with Shift+Tab and open the area profile.
    menu_link = page.locator(SIDEBAR).get_by_role("link", name="Area profile")
    tab_to(page, menu_link, key="Shift+Tab")
    page.keyboard.press("Enter")
    page.get_by_text(f"in {REGION} · every indicator").wait_for(timeout=RENDER_TIMEOUT_MS)
    settle(page)

    # 4. Choose the local authority and the department's indicators, then read the profile.
    choose_by_keyboard(page, "Local authority", AREA)
    choose_by_keyboard(page, "Indicators of", DEPARTMENT)
    check_area_profile(page, AREA, expected["area"])
    screenshot(page, "journey-keyboard-2-area-profile")
