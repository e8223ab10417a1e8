"""The pages of the app, in menu order: one list that the app and the tests both read."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """A page: its script under dashboard/, menu title, URL path ("" for the landing page),
    icon and a phrase it always shows."""

    script: str
    title: str
    url_path: str
    icon: str
    landmark: str


PAGES: list[PageSpec] = [
    PageSpec(
        "views/overview.py",
        "Region overview",
        "",
        ":material/home:",
        "outcomes at a glance",
    ),
    PageSpec(
        "views/outcome_department.py",
        "Outcome department",
        "outcome-department",
        ":material/groups:",
        "Member departments",
    ),
    PageSpec(
        "views/explorer.py",
        "Indicator explorer",
        "explorer",
        ":material/filter_alt:",
        "Indicator explorer",
    ),
    PageSpec(
        "views/area_profile.py",
        "Area profile",
        "area-profile",
        ":material/location_city:",
        "area profile",
    ),
    PageSpec(
        "views/catalogue.py",
        "Indicator catalogue",
        "catalogue",
        ":material/menu_book:",
        "Indicator catalogue",
    ),
    PageSpec("views/upload.py", "Upload data", "upload", ":material/upload_file:", "Upload data"),
    PageSpec("views/batches.py", "Data batches", "batches", ":material/history:", "Data batches"),
]
