"""Plain-English words for the numbers: values with their units, and the sentences a
minister reads (on the overview and in the briefing pack).

Every function here is pure: it takes plain values (or a row as a dict) and returns text,
so each sentence can be tested against text worked out by hand. The words follow the one
status vocabulary of :mod:`warehouse.assessments.status`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from warehouse.assessments import Comparison, TargetStatus, Trend

#: Short explanations of every term the pages and the pack still use.
GLOSSARY: dict[str, str] = {
    "Priority goal": "one of the few goals an outcome department has chosen to watch most closely.",
    "Trajectory": "the straight line (or the agreed milestones) from a target's baseline to the "
    "target; it says where the value should be by now.",
    "On track": "at or better than the trajectory for the latest period.",
    "Slipping": "behind the trajectory, but by no more than the target's agreed tolerance.",
    "Off track": "behind the trajectory by more than the tolerance.",
    "Met / Not met": "the target's date has passed and the value reached it, or did not.",
    "PSA": "Public Service Agreement: a national target set by a Whitehall department.",
    "LAA": "Local Area Agreement: targets a local authority agreed with government.",
    "Better / Similar / Worse than England": "whether England's value lies outside the area's "
    "95% confidence interval, on the good or bad side; Similar when it lies inside.",
    "Red-red": "worse than England and getting worse: the first things to look at.",
    "Green flag": "better than England and improving: a place to learn from.",
    "Most improved": "improved most over the last five periods among its statistical neighbours.",
    "Statistical neighbours": "the areas most like this one on population and deprivation.",
    "Standard error": "the uncertainty of a value; a gap of more than about two standard "
    "errors is unlikely to be chance.",
}

_RANGE = re.compile(r"^(?P<name>[^()]*?)\s*\((?P<inner>[^()]+)\)$")


def decimals(value: float, unit: str | None) -> int:
    """Returns the decimal places a value is shown with.

    Percentages keep one decimal place (23.2%); other values keep none from 100 upwards
    (570 per 100,000 population), one from 1 (9.8 years) and two below 1 (0.95).
    """
    if (unit or "").startswith("%"):
        return 1
    size = abs(value)
    return 0 if size >= 100 else 1 if size >= 1 else 2


def format_number(value: float | None, places: int) -> str:
    """Returns the number rounded to ``places`` with thousands separators ("no value" for None)."""
    if value is None:
        return "no value"
    text = f"{value:,.{places}f}"
    # A small negative value rounded to zero reads "0.0", not "-0.0".
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text


def format_value(value: float | None, unit: str | None, places: int | None = None) -> str:
    """Returns a value with its unit, rounded for reading ("23.2%", "570 per 100,000 population").

    Parameters
    ----------
    value : float or None
        The value; None gives "no value".
    unit : str or None
        The indicator's unit as in the catalogue ("%", "per 100,000 population",
        "number of households", "score (1-5)", "£ per week" …).
    places : int, optional
        Decimal places; by default :func:`decimals`.
    """
    if value is None:
        return "no value"
    unit = (unit or "").strip()
    number = format_number(value, decimals(value, unit) if places is None else places)
    if not unit:
        return number
    if unit.startswith("%"):
        return f"{number}%{unit[1:]}"
    if unit.startswith("£"):
        return f"£{number}{unit[1:]}"
    if unit.startswith("number of "):
        return f"{number} {unit.removeprefix('number of ')}"
    ranged = _RANGE.match(unit)
    if ranged:
        inner = re.sub(r"(\d)-(\d)", r"\1 to \2", ranged["inner"])
        return f"{number} ({ranged['name']}, {inner})"
    return f"{number} {unit}"


def _places_for(row: Mapping, *columns: str) -> int:
    """Returns one number of decimal places for several values of a row, so they compare."""
    values = [row.get(c) for c in columns if row.get(c) is not None]
    return max((decimals(v, row.get("unit")) for v in values), default=1)


def target_sentence(row: Mapping) -> str:
    """Returns the sentence on a value against its target, starting with the status word.

    ``row`` holds ``unit``, ``period``, ``value``, ``target_status``, ``target_source``,
    ``target_period``, ``target_value``, ``trajectory_value`` and ``tolerance`` (the
    columns of :func:`warehouse.analytics.priority_goals`).
    """
    places = _places_for(row, "value", "target_value", "trajectory_value")

    def fmt(column: str) -> str:
        return format_value(row.get(column), row.get("unit"), places)

    if row.get("value") is None:
        return "No value yet."
    status = row.get("target_status") or TargetStatus.NO_TARGET
    now = f"{fmt('value')} in {row.get('period')}"
    source = f"{row['target_source']} target" if row.get("target_source") else "target"
    due = f"the {source} is {fmt('target_value')} by {row.get('target_period')}"
    if status == TargetStatus.ON_TRACK:
        return f"On track: {now}, against a trajectory of {fmt('trajectory_value')}; {due}."
    if status == TargetStatus.SLIPPING:
        tolerance = format_value(row.get("tolerance"), row.get("unit"), places)
        return (
            f"Slipping: {now}, behind the trajectory of {fmt('trajectory_value')} by no more "
            f"than the tolerance of {tolerance}; {due}."
        )
    if status == TargetStatus.OFF_TRACK:
        return f"Off track: {now}, against a trajectory of {fmt('trajectory_value')}; {due}."
    if status == TargetStatus.MET:
        return f"Target met: {now}, against the {source} of {fmt('target_value')} for {row.get('target_period')}."
    if status == TargetStatus.NOT_MET:
        return f"Target not met: {now}, against the {source} of {fmt('target_value')} for {row.get('target_period')}."
    return f"No target: {now}."


_COMPARED = {
    Comparison.BETTER: "better than",
    Comparison.SIMILAR: "similar to",
    Comparison.WORSE: "worse than",
    Comparison.HIGHER: "higher than",
    Comparison.LOWER: "lower than",
}


def comparison_phrase(
    word: str | None, benchmark_value: float | None, unit: str | None, benchmark: str = "England"
) -> str:
    """Returns how a value compares with a benchmark, in words ("worse than England (22.0%)")."""
    if word in _COMPARED and benchmark_value is not None:
        return f"{_COMPARED[word]} {benchmark} ({format_value(benchmark_value, unit)})"
    return f"not compared with {benchmark}"


_TREND = {
    Trend.INCREASING_BETTER: "and improving (rising)",
    Trend.DECREASING_BETTER: "and improving (falling)",
    Trend.INCREASING_WORSE: "and getting worse (rising)",
    Trend.DECREASING_WORSE: "and getting worse (falling)",
    Trend.INCREASING: "and rising",
    Trend.DECREASING: "and falling",
    Trend.NO_SIGNIFICANT_CHANGE: "and not changing significantly",
}


def trend_phrase(word: str | None) -> str:
    """Returns the recent trend as the end of a sentence ("and improving (falling)")."""
    return _TREND.get(word, "with too few recent values to show a trend")


def goal_sentence(row: Mapping) -> str:
    """Returns the sentence of a priority goal: its target, then England and the trend.

    e.g. "Off track: 23.2% in 2009/10, against a trajectory of 21.0%; the PSA target is
    20.0% by 2010/11. Worse than England (22.0%) and not changing significantly."
    """
    first = target_sentence(row)
    if row.get("value") is None:
        return first
    second = comparison_phrase(
        row.get("compared_to_england"), row.get("england_value"), row.get("unit")
    )
    return f"{first} {second[0].upper()}{second[1:]} {trend_phrase(row.get('recent_trend'))}."


# How each status word reads after "N local authorities …", singular and plural.
_AREA_VERBS = {
    TargetStatus.OFF_TRACK: ("is off track", "are off track"),
    TargetStatus.SLIPPING: ("is slipping", "are slipping"),
    TargetStatus.NOT_MET: ("has not met its target", "have not met their targets"),
    TargetStatus.ON_TRACK: ("is on track", "are on track"),
    TargetStatus.MET: ("has met its target", "have met their targets"),
    TargetStatus.NO_TARGET: ("has no target", "have no target"),
}


def join_words(parts: list[str]) -> str:
    """Returns parts joined as a list in a sentence: "a", "a and b", "a, b and c"."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def area_counts_sentence(
    counts: Mapping[str, int], total: int, worse: int = 0, noun: str = "local authorities"
) -> str:
    """Returns the count of areas by target status in words.

    e.g. "Of 12 local authorities, 4 are off track, 1 is slipping and 7 are on track;
    3 are worse than England." Statuses with no area are left out, worst first.
    """
    if total == 0:
        return f"No {noun} have a value yet."
    parts = []
    for status, (one, many) in _AREA_VERBS.items():
        n = int(counts.get(status, 0) or 0)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    sentence = f"Of {total} {noun}, {join_words(parts)}" if parts else f"{total} {noun}"
    if worse:
        sentence += f"; {worse} {'is' if worse == 1 else 'are'} worse than England"
    return sentence + "."


def reference_note(row: Mapping, area_name: str | None = None) -> str:
    """Returns the note that traces a sentence to its number: indicator, area, period,
    value as stored, and the source batch."""
    area = area_name or row.get("area_name") or row.get("area_code") or ""
    value = row.get("value")
    stored = "no value" if value is None else f"{value:g}"
    batch = row.get("batch_id") or "no batch"
    loaded = row.get("loaded_at")
    when = f", loaded {loaded:%d %b %Y}" if loaded is not None else ""
    return (
        f"{row.get('indicator_id')}, {area}, {row.get('period')}: value {stored} "
        f"(batch {batch}{when})"
    )
