"""Pure assessment functions: intervals, targets, benchmarks, trends, exceptions, neighbours.

Every function takes and returns plain values or Polars frames; none reads or
writes storage.
"""

from warehouse.assessments.benchmark import compare_with_benchmark
from warehouse.assessments.exceptions import flag_exceptions, most_improved_among_neighbours
from warehouse.assessments.intervals import byar_interval, fill_missing_intervals, wilson_interval
from warehouse.assessments.neighbours import neighbour_variables, statistical_neighbours
from warehouse.assessments.status import (
    Comparison,
    ExceptionFlag,
    Polarity,
    TargetStatus,
    Trend,
    is_good,
    validate_polarity,
)
from warehouse.assessments.targets import assess_against_target, trajectory_value
from warehouse.assessments.trend import recent_trend

__all__ = [
    "Comparison",
    "ExceptionFlag",
    "Polarity",
    "TargetStatus",
    "Trend",
    "assess_against_target",
    "byar_interval",
    "compare_with_benchmark",
    "fill_missing_intervals",
    "flag_exceptions",
    "is_good",
    "most_improved_among_neighbours",
    "neighbour_variables",
    "recent_trend",
    "statistical_neighbours",
    "trajectory_value",
    "validate_polarity",
    "wilson_interval",
]
