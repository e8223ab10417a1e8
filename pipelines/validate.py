"""Validation of native templates: vectorised checks that collect every problem in one pass.

Each check is a Polars expression over the whole file; the report lists every failing cell
with its row, column, value and a sentence that says what to do. The clean frame returned
alongside has canonical ids, GSS codes, parsed periods and numbers.

A file has millions of rows but a few hundred distinct ids, codes and periods: each distinct
one is normalised, looked up and parsed once, and joined back with a small integer key so
that repeated keys are found without hashing text. All row checks are evaluated in one pass
(``problems.check_rows``); the detailed report is built from the failing rows alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from pipelines import normalise, problems
from pipelines.periods import parse_periods
from pipelines.problems import RowCheck

OBSERVATION_COLUMNS = [
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
OBSERVATION_REQUIRED = OBSERVATION_COLUMNS[:4]
OBSERVATION_NUMBERS = OBSERVATION_COLUMNS[3:10]

TARGET_COLUMNS = [
    "indicator_id",
    "area_code",
    "source",
    "baseline_period",
    "baseline_value",
    "target_period",
    "target_value",
    "tolerance",
    "milestones",
]
TARGET_REQUIRED = TARGET_COLUMNS[:7]
TARGET_SOURCES = ("PSA", "LAA")

PERIOD_HELP = "Use 2008/09 (financial year), 2008 (calendar year), 2008/09 Q1 or 2008 Q3."


@dataclass(frozen=True)
class Lookups:
    """What validation checks against: known area codes and indicators."""

    area_codes: pl.DataFrame  # code, area_code, tier
    indicators: pl.DataFrame  # indicator_id, value_type (the current catalogue)
    departments: pl.DataFrame | None = None  # department_code, name
    outcome_departments: pl.DataFrame | None = None  # outcome_department_id, key, region, name
    programmes: pl.DataFrame | None = None  # programme_id, … (the current register)


def missing_columns(frame: pl.DataFrame, required: list[str], known: list[str]) -> pl.DataFrame:
    """Returns file-level problems for required columns that are absent (and unknown ones)."""
    reports = []
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(c for c in frame.columns if c != "_row")
        reports.append(
            problems.file_problem(
                f"Required column(s) {', '.join(missing)} are missing. The file has: {found}. "
                f"Use the template's header: {', '.join(known)}.",
            )
        )
    extra = [c for c in frame.columns if c not in known and c != "_row"]
    if extra:
        reports.append(
            problems.file_problem(
                f"Column(s) {', '.join(extra)} are not part of the template and will be ignored.",
                severity=problems.WARNING,
            )
        )
    return problems.combine(reports)


def with_lookup(frame: pl.DataFrame, lookup: pl.DataFrame, on: str, **join) -> pl.DataFrame:
    """Returns ``frame`` with ``lookup``'s columns joined on ``on`` (a left join in the
    frame's order; ``join`` holds further ``DataFrame.join`` options).

    When the lookup holds each key once (a few hundred distinct ids, say) only the key
    column goes through the join and the columns found are set beside the frame, instead of
    copying every column of a large frame through the join.
    """
    added = [c for c in lookup.columns if c != on]
    if lookup[on].n_unique() == lookup.height and not set(added) & set(frame.columns):
        found = frame.select(on).join(lookup, on=on, how="left", maintain_order="left", **join)
        # One chunk per column, as a join leaves them (see problems.row_problems); free when
        # the frame is in one chunk already, as read_table leaves it.
        return pl.concat([frame, found.select(added)], how="horizontal").rechunk()
    return frame.join(lookup, on=on, how="left", maintain_order="left", **join)


def _with_optional(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return frame.with_columns(
        pl.lit(None, pl.String).alias(c) for c in columns if c not in frame.columns
    )


def _check_keys(frame: pl.DataFrame, lookups: Lookups) -> tuple[pl.DataFrame, list[RowCheck]]:
    """Adds canonical ``_indicator`` and ``_area`` columns and the checks for unknown ones.

    Also adds ``_indicator_key`` and ``_area_key``: small integers, equal exactly when the
    canonical ids (codes) are, null where those are.
    """
    codes = lookups.area_codes.select(
        pl.col("code").alias("_code"), pl.col("area_code").alias("_area")
    )
    # A file has millions of rows but a few hundred ids and codes: normalise, look up and
    # check each distinct one once, then join (as _check_period does for periods).
    ids = (
        frame.select(pl.col("indicator_id").unique())
        .with_columns(_indicator=normalise.indicator_id("indicator_id"))
        .with_columns(
            _indicator_blank=normalise.is_blank("indicator_id"),
            _known_indicator=pl.col("_indicator").is_in(
                lookups.indicators["indicator_id"].implode()
            ),
            _indicator_key=pl.col("_indicator").rank("dense"),
        )
    )
    places = (
        frame.select(pl.col("area_code").unique())
        .with_columns(_code=normalise.area_code("area_code"))
        .join(codes, on="_code", how="left")
        .with_columns(
            _area_blank=normalise.is_blank("area_code"),
            _area_key=pl.col("_area").rank("dense"),
        )
    )
    # Null ids and codes join too (nulls_equal), so that their blank flags arrive with them.
    frame = with_lookup(frame, ids, "indicator_id", nulls_equal=True)
    frame = with_lookup(frame, places, "area_code", nulls_equal=True)
    checks = [
        RowCheck(
            pl.col("_indicator_blank"),
            "indicator_id",
            "The indicator id is empty. Give an id such as NI 116.",
        ),
        RowCheck(
            ~pl.col("_indicator_blank") & ~pl.col("_known_indicator"),
            "indicator_id",
            pl.format(
                "Unknown indicator '{}'. Check the id against the indicator catalogue, "
                "or load the indicator's metadata first.",
                pl.col("indicator_id"),
            ),
        ),
        RowCheck(
            pl.col("_area_blank"),
            "area_code",
            "The area code is empty. Give a GSS code such as E06000001 or an old ONS code such as 00EB.",
        ),
        RowCheck(
            ~pl.col("_area_blank") & pl.col("_area").is_null(),
            "area_code",
            pl.format(
                "Unknown or retired area code '{}'. Use a GSS code (E06000001) or the old "
                "ONS code (00EB) of an English authority of the April 2009 structure.",
                pl.col("area_code"),
            ),
        ),
    ]
    return frame, checks


def _check_period(frame: pl.DataFrame, column: str) -> tuple[pl.DataFrame, RowCheck]:
    """Adds ``_{column}``, ``{column}_start``, ``{column}_end``, ``{column}_frequency`` and
    ``_{column}_key`` (a small integer per canonical period); returns the check for labels
    that cannot be read."""
    # Parse each distinct label once: a file has millions of rows but a few dozen periods.
    labels = frame.select(pl.col(column).unique()).filter(pl.col(column).is_not_null())
    parsed = (
        labels.with_columns(_parsed=parse_periods(pl.col(column)))
        .select(
            column,
            pl.col("_parsed").struct.field("period").alias(f"_{column}"),
            pl.col("_parsed").struct.field("period_start").alias(f"{column}_start"),
            pl.col("_parsed").struct.field("period_end").alias(f"{column}_end"),
            pl.col("_parsed").struct.field("frequency").alias(f"{column}_frequency"),
        )
        .with_columns(pl.col(f"_{column}").rank("dense").alias(f"_{column}_key"))
    )
    frame = with_lookup(frame, parsed, column)
    check = RowCheck(
        pl.col(f"{column}_end").is_null(),
        column,
        pl.format("Cannot read the period '{}'. " + PERIOD_HELP, pl.col(column).fill_null("")),
    )
    return frame, check


def _number(column: str) -> pl.Expr:
    """Returns the column ``_with_numbers`` parsed ``column`` into."""
    return pl.col(f"_number_{column}")


def _with_numbers(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Adds each column parsed as a number, once: every check and the clean frame read it.

    Nearly every cell of a large file is a plain number, cast in one pass; only the cells that
    do not cast (spaces around the number, thousands separators, suppression marks, text) go
    through the full rules of ``normalise.number``, which trims them first. The cast refuses
    any surrounding space, so a cell that casts is one trimming would leave unchanged.
    """
    frame = frame.with_columns(
        pl.col(c).cast(pl.Float64, strict=False).alias(f"_number_{c}") for c in columns
    )
    for column in columns:
        parsed = f"_number_{column}"
        retry = frame.select(
            pl.arg_where(pl.col(parsed).is_null() & (pl.col(column).str.len_bytes() > 0))
        ).to_series()
        if retry.len():
            slow = frame[retry].select(normalise.number(column)).to_series()
            frame = frame.with_columns(frame[parsed].scatter(retry, slow))
    return frame


def _check_numbers(columns: list[str]) -> list[RowCheck]:
    """Returns the checks for cells that are not numbers, and NaN or infinity; they read the
    columns ``_with_numbers`` adds."""
    checks = []
    for column in columns:
        parsed = _number(column)
        checks += [
            RowCheck(
                parsed.is_null() & ~normalise.is_blank(column) & ~normalise.is_suppressed(column),
                column,
                pl.format(
                    "'{}' is not a number. Enter a number such as 12.5 (no units or %), "
                    "or leave the cell empty.",
                    pl.col(column),
                ),
                # Only cells with text that did not parse can be "not a number".
                suspect=parsed.is_null() & (pl.col(column).str.len_bytes() > 0),
            ),
            RowCheck(
                parsed.is_nan() | parsed.is_infinite(),
                column,
                "NaN and infinity are not values. Leave the cell empty and say why in the note column.",
            ),
        ]
    return checks


def _duplicate_keys(frame: pl.DataFrame, keys: list[str], described: str) -> pl.DataFrame:
    """Reports every repeat of a key after its first row (the message names the first row).

    ``keys`` may be one integer column that stands for several (``packed_key``).
    """
    present = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    # Nearly always every key is unique, which counting the distinct keys (or their hashes)
    # shows in one pass over the key columns alone; keys whose hashes collide are told apart
    # exactly below.
    key = pl.col(keys[0]) if len(keys) == 1 else pl.struct(keys).hash()
    if frame.select(key.filter(present).n_unique() == present.sum()).item():
        return problems.empty()
    keyed = frame.filter(present).with_columns(
        _first=pl.col("_row").min().over(keys), _n=pl.len().over(keys)
    )
    return problems.row_problems(
        keyed,
        (pl.col("_n") > 1) & (pl.col("_row") != pl.col("_first")),
        "indicator_id",
        pl.format(
            "Duplicate " + described + ": row {} has the same key. Keep one row per key.",
            pl.col("_first"),
        ),
    )


def packed_key(parts: list[pl.Series]) -> pl.Series | None:
    """Returns one Int64 per row from small non-negative integer series (codes), equal
    exactly when all parts are and null where any is; None if it would not fit in 62 bits.

    Sorting or counting one integer is much cheaper than doing it over several text columns.
    """
    sizes = [int(part.max() or 0) + 1 for part in parts]
    if math.prod(sizes) >= 2**62:
        return None
    key = parts[0].cast(pl.Int64)
    for part, size in zip(parts[1:], sizes[1:], strict=True):
        key = key * size + part.cast(pl.Int64)
    return key


def _notes(frame: pl.DataFrame) -> pl.Series:
    """Returns the clean ``note``: the note, or for a suppressed value the mark and the note.

    Only rows whose value did not parse (suppression marks among them) or that have a note
    can have one: the rest stay null without reading their text.
    """
    suppressed_note = (
        pl.when(normalise.is_suppressed("value"))
        .then(
            pl.concat_str(
                [
                    pl.lit("Suppressed ("),
                    pl.col("value").str.strip_chars(),
                    pl.lit(")"),
                    pl.when(normalise.is_blank("note"))
                    .then(pl.lit(""))
                    .otherwise(pl.lit(": ") + pl.col("note")),
                ]
            )
        )
        .otherwise(pl.when(normalise.is_blank("note")).then(None).otherwise(pl.col("note")))
    )
    notes = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("note")
    may_have = frame.select(
        pl.arg_where(_number("value").is_null() | (pl.col("note").str.len_bytes() > 0))
    ).to_series()
    if may_have.len():
        notes = notes.scatter(may_have, frame[may_have].select(suppressed_note).to_series())
    return notes


def validate_observations(
    frame: pl.DataFrame, lookups: Lookups
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (rows ready to write, report) for the native indicator-values template."""
    report = missing_columns(frame, OBSERVATION_REQUIRED, OBSERVATION_COLUMNS)
    if problems.has_errors(report):
        return frame.clear(), report
    frame = _with_optional(frame, OBSERVATION_COLUMNS)
    frame, checks = _check_keys(frame, lookups)
    frame, period_check = _check_period(frame, "period")
    checks.append(period_check)
    frame = _with_numbers(frame, OBSERVATION_NUMBERS)
    checks += _check_numbers(OBSERVATION_NUMBERS)
    n = {c: _number(c) for c in OBSERVATION_NUMBERS}
    checks += [
        RowCheck(
            normalise.is_blank("value"),
            "value",
            "The value is empty. Enter the value, or a suppression mark (*, .., x, c) and a note.",
            suspect=n["value"].is_null(),
        ),
        RowCheck(n["count"] < 0, "count", "A count cannot be negative. Check the count."),
        RowCheck(
            n["denominator"] <= 0,
            "denominator",
            "A denominator must be above zero. Check the denominator or leave it empty.",
        ),
    ]
    for level in ("95", "99_8"):
        lower, upper = n[f"lower_ci_{level}"], n[f"upper_ci_{level}"]
        label = "95%" if level == "95" else "99.8%"
        checks += [
            RowCheck(
                lower.is_null() ^ upper.is_null(),
                f"lower_ci_{level}",
                f"Give both limits of the {label} confidence interval, or neither.",
            ),
            RowCheck(
                lower > upper,
                f"lower_ci_{level}",
                pl.format(
                    f"The {label} lower limit {{}} is above the upper limit {{}}: the columns look "
                    f"swapped. Put the smaller number in lower_ci_{level}.",
                    pl.col(f"lower_ci_{level}"),
                    pl.col(f"upper_ci_{level}"),
                ),
            ),
            RowCheck(
                ((lower > n["value"]) | (upper < n["value"])) & (lower <= upper),
                f"lower_ci_{level}",
                pl.format(
                    f"The {label} confidence interval {{}} to {{}} does not contain the value {{}}. "
                    "Check that the limits are in the right columns.",
                    pl.col(f"lower_ci_{level}"),
                    pl.col(f"upper_ci_{level}"),
                    pl.col("value"),
                ),
            ),
        ]
    checks.append(
        RowCheck(
            (n["lower_ci_99_8"] > n["lower_ci_95"]) | (n["upper_ci_99_8"] < n["upper_ci_95"]),
            "lower_ci_99_8",
            "The 99.8% interval must be at least as wide as the 95% interval. Check the columns.",
        )
    )
    reports = problems.check_rows(frame, checks)
    keys = ["_indicator", "_area", "_period"]
    key = packed_key([frame[c] for c in ("_indicator_key", "_area_key", "_period_key")])
    if key is not None:
        # One integer per key: repeats are found without hashing three text columns.
        frame, keys = frame.with_columns(_key=key), ["_key"]
    reports.append(_duplicate_keys(frame, keys, "indicator, area and period"))
    report = problems.combine([report, *reports])
    clean = frame.select(
        indicator_id=pl.col("_indicator"),
        area_code=pl.col("_area"),
        period=pl.col("_period"),
        period_start=pl.col("period_start"),
        period_end=pl.col("period_end"),
        frequency=pl.col("period_frequency"),
        **{c: n[c] for c in OBSERVATION_NUMBERS},
    ).with_columns(_notes(frame))
    return clean, report


def validate_targets(frame: pl.DataFrame, lookups: Lookups) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (rows ready to write, report) for the native targets template."""
    report = missing_columns(frame, TARGET_REQUIRED, TARGET_COLUMNS)
    if problems.has_errors(report):
        return frame.clear(), report
    frame = _with_optional(frame, TARGET_COLUMNS)
    frame, checks = _check_keys(frame, lookups)
    frame, baseline_check = _check_period(frame, "baseline_period")
    frame, target_check = _check_period(frame, "target_period")
    checks += [baseline_check, target_check]
    numbers = ["baseline_value", "target_value", "tolerance"]
    frame = _with_numbers(frame, numbers)
    checks += _check_numbers(numbers)
    source = pl.col("source").str.strip_chars().str.to_uppercase()
    checks += [
        RowCheck(normalise.is_blank(c), c, f"{c} is required for a target.")
        for c in ("baseline_value", "target_value")
    ]
    checks += [
        RowCheck(
            ~source.is_in(list(TARGET_SOURCES)).fill_null(False),
            "source",
            pl.format(
                "Unknown target source '{}'. Use PSA or LAA.", pl.col("source").fill_null("")
            ),
        ),
        RowCheck(_number("tolerance") < 0, "tolerance", "A tolerance cannot be negative."),
        RowCheck(
            pl.col("target_period_end") <= pl.col("baseline_period_end"),
            "target_period",
            "The target period must come after the baseline period.",
        ),
    ]
    reports = problems.check_rows(frame, checks)
    frame = frame.with_columns(_source=source)
    reports.append(
        _duplicate_keys(
            frame,
            ["_indicator", "_area", "_source", "_target_period"],
            "target (indicator, area, source and target period)",
        )
    )
    tiers = lookups.area_codes.select(pl.col("area_code").alias("_area"), "tier").unique("_area")
    frame = frame.join(tiers, on="_area", how="left")
    clean = frame.select(
        indicator_id=pl.col("_indicator"),
        area_code=pl.col("_area"),
        level=pl.col("tier").replace_strict(
            {"country": "England", "region": "region"}, default="area", return_dtype=pl.String
        ),
        source=pl.col("_source"),
        baseline_period=pl.col("_baseline_period"),
        baseline_period_end=pl.col("baseline_period_end"),
        baseline_value=_number("baseline_value"),
        target_period=pl.col("_target_period"),
        target_period_end=pl.col("target_period_end"),
        target_value=_number("target_value"),
        tolerance=_number("tolerance"),
        milestones=pl.when(normalise.is_blank("milestones"))
        .then(None)
        .otherwise(pl.col("milestones")),
    )
    return clean, problems.combine([report, *reports])
