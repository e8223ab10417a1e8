"""The one status vocabulary used by every assessment and by the dashboard.

The words are the values of ``enum.StrEnum`` members, so a member compares
equal to its word (``TargetStatus.MET == "Met"``) and can be written straight
into a Polars string column.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

import polars as pl


class TargetStatus(enum.StrEnum):
    """Progress of an indicator against its target."""

    ON_TRACK = "On track"
    SLIPPING = "Slipping"
    OFF_TRACK = "Off track"
    MET = "Met"
    NOT_MET = "Not met"
    NOT_ASSESSED = "Not assessed"
    NO_TARGET = "No target"


class Comparison(enum.StrEnum):
    """Statistical comparison of an area's value with a benchmark."""

    BETTER = "Better"
    SIMILAR = "Similar"
    WORSE = "Worse"
    HIGHER = "Higher"
    LOWER = "Lower"
    NOT_COMPARED = "Not compared"


class Trend(enum.StrEnum):
    """Direction and significance of the recent trend."""

    INCREASING_BETTER = "Increasing and getting better"
    INCREASING_WORSE = "Increasing and getting worse"
    DECREASING_BETTER = "Decreasing and getting better"
    DECREASING_WORSE = "Decreasing and getting worse"
    INCREASING = "Increasing"
    DECREASING = "Decreasing"
    NO_SIGNIFICANT_CHANGE = "No significant change"
    CANNOT_BE_CALCULATED = "Cannot be calculated"
    #: Fingertips trends annual periods only: seasonality fakes trends in quarters.
    CANNOT_BE_CALCULATED_QUARTERLY = "Cannot be calculated: quarterly data"


class Polarity(enum.StrEnum):
    """Which direction of an indicator is good, as spelt in the data."""

    HIGHER = "higher"  # higher is better
    LOWER = "lower"  # lower is better
    NONE = "none"  # no judgement of better or worse


class ExceptionFlag(enum.StrEnum):
    """Exception-report flags combining benchmark comparison and trend."""

    RED_RED = "Red-red"
    GREEN_FLAG = "Green flag"


_FAVOURABLE: frozenset[str] = frozenset(
    {
        TargetStatus.ON_TRACK,
        TargetStatus.MET,
        Comparison.BETTER,
        Trend.INCREASING_BETTER,
        Trend.DECREASING_BETTER,
        ExceptionFlag.GREEN_FLAG,
    }
)
_UNFAVOURABLE: frozenset[str] = frozenset(
    {
        TargetStatus.SLIPPING,
        TargetStatus.OFF_TRACK,
        TargetStatus.NOT_MET,
        Comparison.WORSE,
        Trend.INCREASING_WORSE,
        Trend.DECREASING_WORSE,
        ExceptionFlag.RED_RED,
    }
)
_NEUTRAL: frozenset[str] = frozenset(
    {
        TargetStatus.NO_TARGET,
        TargetStatus.NOT_ASSESSED,
        Comparison.SIMILAR,
        Comparison.HIGHER,
        Comparison.LOWER,
        Comparison.NOT_COMPARED,
        Trend.INCREASING,
        Trend.DECREASING,
        Trend.NO_SIGNIFICANT_CHANGE,
        Trend.CANNOT_BE_CALCULATED,
        Trend.CANNOT_BE_CALCULATED_QUARTERLY,
    }
)


def is_good(status: str | None) -> bool | None:
    """Return True for a favourable status, False for an unfavourable one, None if neutral.

    Parameters
    ----------
    status : str or None
        Any word of :class:`TargetStatus`, :class:`Comparison`, :class:`Trend`
        or :class:`ExceptionFlag` (members or plain strings), or None.

    Returns
    -------
    bool or None
        ``True`` for "On track", "Met", "Better", "... getting better" and
        "Green flag"; ``False`` for "Slipping", "Off track", "Not met",
        "Worse", "... getting worse" and "Red-red" ("Slipping" is behind the
        trajectory, so it counts as unfavourable); ``None`` for statuses that
        carry no judgement ("No target", "Not assessed", "Similar", "Higher", "Lower",
        "Not compared", "Increasing", "Decreasing", "No significant change",
        "Cannot be calculated", "Cannot be calculated: quarterly data") and for
        a missing status.

    Raises
    ------
    ValueError
        If ``status`` is a string outside the vocabulary (catches typos).
    """
    if status is None:
        return None
    if status in _FAVOURABLE:
        return True
    if status in _UNFAVOURABLE:
        return False
    if status in _NEUTRAL:
        return None
    raise ValueError(f"Unknown status: {status!r}")


def validate_polarity(values: Iterable[str | None]) -> None:
    """Return None; raise ValueError if any non-null polarity is not a :class:`Polarity` word.

    Parameters
    ----------
    values : iterable of str or None
        Polarity values, e.g. a Polars Series. Nulls are allowed (they are
        treated like "none" by the assessments).

    Raises
    ------
    ValueError
        Listing the unknown polarity words.
    """
    if isinstance(values, pl.Series):
        values = values.unique().to_list()
    allowed = {p.value for p in Polarity}
    unknown = sorted({v for v in values if v is not None and v not in allowed})
    if unknown:
        raise ValueError(f"Unknown polarity values {unknown}; expected one of {sorted(allowed)}")
