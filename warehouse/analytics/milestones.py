"""Interim milestones of a target, read from the text stored with it.

The targets template leaves the form of ``milestones`` open and the warehouse stores it as
text. We read two forms: pairs such as ``2008/09=41.5; 2009/10 Q2=43`` (``:`` also separates
period and value, ``;`` or a line break separates pairs) and a JSON list such as
``[{"period": "2008/09", "value": 41.5}]``. Periods are the labels the templates accept
(``2008/09``, ``2008``, ``2008/09 Q1``, ``2008 Q3``) or an ISO date (``2009-03-31``).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re

import polars as pl

MILESTONE_DTYPE = pl.List(pl.Struct({"period_end": pl.Date, "value": pl.Float64}))

_PERIOD = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?(?:\s*Q([1-4]))?$", re.IGNORECASE)
_PAIR = re.compile(r"^\s*(.+?)\s*[=:]\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$")


def period_end(label: str) -> dt.date | None:
    """Returns the last day of a period label (or an ISO date itself); None when unreadable."""
    text = re.sub(r"\s+", " ", label.strip().upper())
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = _PERIOD.match(text)
    if not match:
        return None
    year = int(match.group(1))
    second, quarter = match.group(2), match.group(3)
    if second is not None:
        end_year = int(second) if len(second) == 4 else (year // 100) * 100 + int(second)
        if end_year < year:
            end_year += 100
        if end_year != year + 1:
            return None
        # Financial year April-March; quarter 1 is April to June.
        months = 12 if quarter is None else 3
        start_month = 4 if quarter is None else 4 + (int(quarter) - 1) * 3
    else:
        months = 12 if quarter is None else 3
        start_month = 1 if quarter is None else 1 + (int(quarter) - 1) * 3
    last_month_index = (start_month - 1) + months - 1
    end_year_value = year + last_month_index // 12
    end_month = last_month_index % 12 + 1
    return dt.date(end_year_value, end_month, calendar.monthrange(end_year_value, end_month)[1])


def parse_milestones(text: str | None) -> list[dict] | None:
    """Returns the milestones in ``text`` as ``[{"period_end": date, "value": float}]``.

    Returns None for an empty text or one that cannot be read as a whole (an unreadable
    milestone is not guessed at: the trajectory is then the straight line).
    """
    if text is None or not text.strip():
        return None
    pairs: list[tuple[str, object]] = []
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            items = json.loads(stripped)
            pairs = [(str(item["period"]), item["value"]) for item in items]
        except (ValueError, TypeError, KeyError):
            return None
    else:
        for part in re.split(r"[;\n]", stripped):
            if not part.strip():
                continue
            match = _PAIR.match(part)
            if not match:
                return None
            pairs.append((match.group(1), match.group(2)))
    milestones = []
    for label, value in pairs:
        end = period_end(label)
        try:
            number = float(value)
        except (TypeError, ValueError):
            return None
        if end is None:
            return None
        milestones.append({"period_end": end, "value": number})
    return milestones or None


def milestones_column(texts: pl.Series) -> pl.Series:
    """Returns a ``milestones`` column (list of {period_end, value}) for a column of texts."""
    parsed = {text: parse_milestones(text) for text in texts.unique().to_list()}
    return pl.Series(
        "milestones", [parsed[text] for text in texts.to_list()], dtype=MILESTONE_DTYPE
    )


def usable_milestones(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` with milestones outside the baseline-to-target window dropped.

    ``assess_against_target`` refuses a milestone on or outside the baseline and target
    dates (or two on one date); one bad upload must not stop a whole page, so such
    milestones are left out and the trajectory runs straight through that stretch.
    """
    if "milestones" not in frame.columns or not isinstance(frame.schema["milestones"], pl.List):
        return frame
    # Milestones are rare: check the few rows that have any, one by one.
    rows = frame.with_row_index("__row").filter(pl.col("milestones").list.len() > 0)
    if rows.is_empty():
        return frame
    cleaned: list[list[dict] | None] = []
    for row in rows.iter_rows(named=True):
        seen: set[dt.date] = set()
        good = []
        for item in row["milestones"]:
            end = item["period_end"]
            if (
                row["baseline_period_end"] is not None
                and row["target_period_end"] is not None
                and row["baseline_period_end"] < end < row["target_period_end"]
                and end not in seen
            ):
                seen.add(end)
                good.append(item)
        cleaned.append(good or None)
    patch = pl.DataFrame(
        {
            "__row": rows["__row"],
            "__milestones": pl.Series(cleaned, dtype=MILESTONE_DTYPE),
            "__patched": True,
        }
    )
    return (
        frame.with_row_index("__row")
        .join(patch, on="__row", how="left")
        .with_columns(
            pl.when(pl.col("__patched").fill_null(False))
            .then(pl.col("__milestones"))
            .otherwise(pl.col("milestones"))
            .alias("milestones")
        )
        .sort("__row")
        .drop("__row", "__milestones", "__patched")
    )
