"""A measured figure: its samples, summary statistics, target and whether the target is met."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

#: Sections in report order.
SECTIONS = ("load", "queries", "pages", "memory", "growth")


@dataclass
class Figure:
    """One row of the results table.

    ``samples`` are the per-run measurements in ``unit``; ``check`` (kept out of the
    record) decides whether the median meets the target; ``met`` is None when there is no
    target or nothing was measured.
    """

    section: str
    name: str
    rows: int | None
    unit: str
    samples: list[float] = field(default_factory=list)
    target: str = ""
    command: str = ""
    note: str = ""
    met: bool | None = None
    check: Callable[[float], bool] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.check is not None and self.samples:
            self.met = bool(self.check(self.median))

    @property
    def measured(self) -> bool:
        return bool(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        return min(self.samples)

    @property
    def high(self) -> float:
        return max(self.samples)

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)

    def record(self) -> dict:
        """Returns the figure as plain data (for the JSON beside RESULTS.md)."""
        data = asdict(self)
        data.pop("check")
        if self.measured:
            data |= {"median": self.median, "min": self.low, "max": self.high, "p95": self.p95}
        return data


def percentile(samples: list[float], q: float) -> float:
    """Returns the q-th percentile with linear interpolation between closest ranks."""
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    position = (len(ordered) - 1) * q / 100
    below = int(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)


def at_most(limit: float) -> Callable[[float], bool]:
    return lambda value: value <= limit


def at_least(limit: float) -> Callable[[float], bool]:
    return lambda value: value >= limit


def below(limit: float) -> Callable[[float], bool]:
    return lambda value: value < limit
