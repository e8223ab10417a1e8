"""The pages of the app, in menu order: one list that the app and the tests both read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """A page: its script under dashboard/, menu title, URL path, icon and a phrase it always shows."""

    script: str
    title: str
    url_path: str
    icon: str
    landmark: str


PAGES: list[PageSpec] = [
    PageSpec(
        "pages/overview.py",
        "Region overview",
        "overview",
        ":material/home:",
        "outcomes at a glance",
    ),
    PageSpec(
        "pages/outcome_department.py",
        "Outcome department",
        "outcome-department",
        ":material/groups:",
        "Member departments",
    ),
    PageSpec(
        "pages/explorer.py",
        "Indicator explorer",
        "explorer",
        ":material/filter_alt:",
        "Indicator explorer",
    ),
    PageSpec(
        "pages/area_profile.py",
        "Area profile",
        "area-profile",
        ":material/location_city:",
        "area profile",
    ),
    PageSpec(
        "pages/catalogue.py",
        "Indicator catalogue",
        "catalogue",
        ":material/menu_book:",
        "Indicator catalogue",
    ),
]
