"""The pages of the app, in menu order: one list that the app and the tests both read."""

from __future__ import annotations

from dataclasses import dataclass

from warehouse.access import Action


@dataclass(frozen=True)
class PageSpec:
    """A page: its script under dashboard/, menu title, URL path ("" for the landing page),
    icon, a phrase it always shows and what a user must be allowed to do to open it."""

    script: str
    title: str
    url_path: str
    icon: str
    landmark: str
    action: Action = Action.VIEW


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
    PageSpec(
        "views/upload.py",
        "Upload data",
        "upload",
        ":material/upload_file:",
        "Upload data",
        Action.UPLOAD,
    ),
    PageSpec(
        "views/programmes.py",
        "Programme register",
        "programmes",
        ":material/diversity_3:",
        "Programme register",
        Action.UPLOAD,
    ),
    PageSpec(
        "views/batches.py",
        "Data batches",
        "batches",
        ":material/history:",
        "Data batches",
        Action.ROLLBACK,
    ),
    PageSpec(
        "views/configure.py",
        "Configure outcome departments",
        "configure",
        ":material/tune:",
        "Configure outcome departments",
        Action.CONFIGURE,
    ),
    PageSpec(
        "views/users.py",
        "Users and roles",
        "users",
        ":material/group:",
        "Users and roles",
        Action.MANAGE_USERS,
    ),
    PageSpec(
        "views/audit_log.py",
        "Audit log",
        "audit-log",
        ":material/policy:",
        "Audit log",
        Action.READ_AUDIT,
    ),
]
