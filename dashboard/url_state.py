"""The explorer's whole filter state as URL query parameters, and back.

A copied link reopens the same view: every filter is a query parameter, lists joined with
``|``. Unknown or malformed parameters are dropped rather than trusted.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from warehouse.analytics import ExplorerFilters

_SCALARS = ("area_type", "outcome_department_id", "psa_id", "department_code", "period")
_LISTS = ("area_codes", "indicator_ids", "statuses")
SEPARATOR = "|"


def filters_to_params(filters: ExplorerFilters) -> dict[str, str]:
    """Returns the query parameters that describe ``filters`` (empty filters are left out)."""
    params = {"region": filters.region_code}
    for name in _SCALARS:
        value = getattr(filters, name)
        if value is not None:
            params[name] = str(value)
    for name in _LISTS:
        values = getattr(filters, name)
        if values:
            params[name] = SEPARATOR.join(values)
    return params


def filters_from_params(params: Mapping[str, str], default_region: str) -> ExplorerFilters:
    """Returns the filters a URL describes; anything invalid is ignored, never trusted."""
    values: dict[str, object] = {"region_code": params.get("region") or default_region}
    for name in _SCALARS:
        if params.get(name):
            values[name] = params[name]
    for name in _LISTS:
        if params.get(name):
            values[name] = tuple(part for part in params[name].split(SEPARATOR) if part)
    try:
        return ExplorerFilters(**values)
    except ValidationError as error:
        bad = {str(problem["loc"][0]) for problem in error.errors()}
        kept = {k: v for k, v in values.items() if k not in bad}
        kept.setdefault("region_code", default_region)
        if "region_code" in bad:
            kept["region_code"] = default_region
        return ExplorerFilters(**kept)
