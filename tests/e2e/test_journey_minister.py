"""The Regional Minister's journey, in a real browser: the region overview, one outcome
department, then one local authority's profile. Every number and status word on the way is
checked against the warehouse, read through the same functions the pages call."""

from __future__ import annotations

import polars as pl
import pytest

from dashboard.navigation import PAGES
from tests.e2e.journeys import (
    SIDEBAR,
    check_area_profile,
    check_department_page,
    check_overview_cards,
    select_option,
    wait_for_heading,
)
from tests.e2e.support import open_page, screenshot
from warehouse import analytics, reference_queries
from warehouse.analytics.outcome_department import member_indicator_ids

pytestmark = pytest.mark.e2e

REGION = "North West"  # not the default region, so choosing it is part of the journey
DEPARTMENT = "Health and wellbeing"
AREA = "Trafford"


def minister_expectations(con) -> dict:
    """Returns what the minister's pages must show, from the warehouse."""
    regions = reference_queries.regions(con)
    region_code = regions.filter(pl.col("name") == REGION)["region_code"][0]
    overview = analytics.region_overview(con, region_code)
    department_id = overview.filter(pl.col("name") == DEPARTMENT)["outcome_department_id"][0]
    areas = reference_queries.areas(con, region_code)
    area_code = areas.filter(pl.col("name") == AREA)["area_code"][0]
    members = member_indicator_ids(con, department_id)
    return {
        "region_code": region_code,
        "overview": overview,
        "department_id": department_id,
        "profile": analytics.outcome_department_profile(con, department_id),
        "area_code": area_code,
        "area": analytics.area_profile(con, area_code).filter(
            pl.col("indicator_id").is_in(members)
        ),
    }


def test_minister_overview_then_department_then_local_authority(page, base_url, demo_con):
    expected = minister_expectations(demo_con)

    # 1. The landing page; the minister picks their region.
    open_page(page, base_url, PAGES[0])
    select_option(page, "Region", REGION)
    wait_for_heading(page, f"{REGION}: outcomes at a glance")
    assert f"region={expected['region_code']}" in page.url
    check_overview_cards(page, expected["overview"])
    screenshot(page, "journey-minister-1-overview")

    # 2. Into one outcome department from its card.
    page.get_by_role("link", name=f"Open {DEPARTMENT}").click()
    check_department_page(page, expected["profile"])
    assert "department=" + expected["department_id"].replace(":", "%3A") in page.url
    screenshot(page, "journey-minister-2-department")

    # 3. A local authority's profile, through the menu: the region stays the chosen one.
    page.locator(SIDEBAR).get_by_role("link", name="Area profile").click()
    page.get_by_text(f"in {REGION} · every indicator").wait_for()
    select_option(page, "Local authority", AREA)
    select_option(page, "Indicators of", DEPARTMENT)
    check_area_profile(page, AREA, expected["area"])
    assert f"area={expected['area_code']}" in page.url
    screenshot(page, "journey-minister-3-area-profile")
