"""The analytics query layer behind the minister and official pages.

Every function takes the warehouse connection first and returns a Polars frame or a plain
value. The heavy lifting (narrowing to a region, the latest period, the trend window) is
SQL with parameters; the assessments are the pure functions of ``warehouse.assessments``.
"""

from warehouse.analytics.area_profile import AREA_PROFILE_COLUMNS, area_profile
from warehouse.analytics.changes import changes_since_previous_batch, latest_indicator_batch
from warehouse.analytics.explorer import (
    EXPLORER_COLUMNS,
    STATUS_COLUMNS,
    ExplorerFilters,
    explorer,
    explorer_options,
)
from warehouse.analytics.export import export_table, safe_for_spreadsheet
from warehouse.analytics.latest import (
    ASSESSED_COLUMNS,
    DEFAULT_TIERS,
    ENGLAND,
    LOCAL_TIERS,
    assessed_latest,
)
from warehouse.analytics.milestones import parse_milestones
from warehouse.analytics.neighbours import (
    DEFAULT_CONTEXT,
    TIER_GROUPS,
    statistical_neighbours_for,
)
from warehouse.analytics.outcome_department import (
    OutcomeDepartmentProfile,
    area_breakdown,
    outcome_department_profile,
)
from warehouse.analytics.overview import (
    ENGLAND_COUNT_COLUMNS,
    TARGET_COUNT_COLUMNS,
    learn_from,
    needs_attention,
    priority_goals,
    region_overview,
)
from warehouse.analytics.series import SERIES_SCHEMA, indicator_series

__all__ = [
    "AREA_PROFILE_COLUMNS",
    "ASSESSED_COLUMNS",
    "DEFAULT_CONTEXT",
    "DEFAULT_TIERS",
    "ENGLAND",
    "ENGLAND_COUNT_COLUMNS",
    "EXPLORER_COLUMNS",
    "LOCAL_TIERS",
    "SERIES_SCHEMA",
    "STATUS_COLUMNS",
    "TARGET_COUNT_COLUMNS",
    "TIER_GROUPS",
    "ExplorerFilters",
    "OutcomeDepartmentProfile",
    "area_breakdown",
    "area_profile",
    "assessed_latest",
    "changes_since_previous_batch",
    "latest_indicator_batch",
    "explorer",
    "explorer_options",
    "export_table",
    "indicator_series",
    "learn_from",
    "needs_attention",
    "outcome_department_profile",
    "parse_milestones",
    "priority_goals",
    "region_overview",
    "safe_for_spreadsheet",
    "statistical_neighbours_for",
]
