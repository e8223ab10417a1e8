"""Blank templates an analyst can download and fill in: one per kind of upload."""

from __future__ import annotations

import io

import polars as pl

from pipelines import programmes
from pipelines.membership import MEMBERSHIP_COLUMNS
from pipelines.metadata import METADATA_COLUMNS
from pipelines.validate import OBSERVATION_COLUMNS, TARGET_COLUMNS

EXAMPLES: dict[str, dict[str, list]] = {
    "indicators": {
        "indicator_id": ["NI 116"],
        "area_code": ["E06000001"],
        "period": ["2009/10"],
        "value": ["22.5"],
        "lower_ci_95": ["21.9"],
        "upper_ci_95": ["23.1"],
        "lower_ci_99_8": ["21.6"],
        "upper_ci_99_8": ["23.4"],
        "count": ["4500"],
        "denominator": ["20000"],
        "note": [""],
    },
    "targets": {
        "indicator_id": ["NI 116"],
        "area_code": ["E06000001"],
        "source": ["LAA"],
        "baseline_period": ["2007/08"],
        "baseline_value": ["24.0"],
        "target_period": ["2010/11"],
        "target_value": ["21.0"],
        "tolerance": ["0.5"],
        "milestones": ["2008/09=23.0;2009/10=22.0"],
    },
    "metadata": {
        "indicator_id": ["LOCAL 1"],
        "name": ["Households in fuel poverty"],
        "definition": ["Percentage of households that need more than 10% of income for fuel."],
        "unit": ["%"],
        "value_type": ["proportion"],
        "multiplier": ["100"],
        "polarity": ["lower"],
        "owner_department_code": ["DECC"],
        "theme": ["Environment"],
        "source": ["Local survey"],
        "verification": [""],
    },
    "membership": {
        "region_code": ["E12000001"],
        "outcome_department": ["children_young_people"],
        "indicator_id": ["NI 116"],
        "member": ["yes"],
    },
    **programmes.EXAMPLES,
}
COLUMNS = {
    "indicators": OBSERVATION_COLUMNS,
    "targets": TARGET_COLUMNS,
    "metadata": METADATA_COLUMNS,
    "membership": MEMBERSHIP_COLUMNS,
    **programmes.COLUMNS,
}


def template(kind: str, with_example: bool = True) -> pl.DataFrame:
    """Returns the template's columns, with one example row (or none)."""
    frame = pl.DataFrame(EXAMPLES[kind], schema={c: pl.String for c in COLUMNS[kind]})
    return frame if with_example else frame.clear()


def template_csv(kind: str) -> bytes:
    """Returns the template as CSV bytes (UTF-8)."""
    return template(kind).write_csv().encode("utf-8")


def template_xlsx(kind: str) -> bytes:
    """Returns the template as an XLSX workbook."""
    buffer = io.BytesIO()
    template(kind).write_excel(buffer, worksheet=kind)
    return buffer.getvalue()
