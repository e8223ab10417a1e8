"""The native indicator-values template's columns (as the README documents them)."""

COLUMNS = [
    "indicator_id",
    "area_code",
    "period",
    "value",
    "lower_ci_95",
    "upper_ci_95",
    "lower_ci_99_8",
    "upper_ci_99_8",
    "count",
    "denominator",
    "note",
]
NUMBERS = COLUMNS[3:10]
