"""Synthetic indicator files in the native template, at any size, for the benchmarks.

Ids and codes are real (``warehouse/reference/indicators.csv`` and ``areas.csv``: the
National Indicator Set and every area of every tier, England to districts); the values are
random but plausible and always pass validation (intervals contain the value, the 99.8%
interval contains the 95% one, counts are not negative).

A file never repeats a key (indicator, area, period): the loader refuses that. Size comes
from the number of financial quarters, counted back from 2010/11 Q4: 40 quarters of every
indicator in every area (about 2.9 million rows) start at 2001/02 Q1, ten million rows reach
back to the 1970s. Below five quarters of every indicator, fewer indicators are used, so a
small file still has five periods (a trend) in every area. Revisions of a file's values go
in a second file (:func:`write_revisions`), as an analyst would upload them.

The same arguments always give the same bytes.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from benchmarks.template import COLUMNS

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "warehouse" / "reference"
LAST_QUARTER = 2010 * 4 + 3  # 2010/11 Q4, counted in quarters since year 0
MIN_PERIODS = 5  # a recent trend needs five points
SUPPRESSED_SHARE = 0.002
Z95, Z998 = 1.959964, 3.090232
#: Rough population of an area of each type (denominators scale with it).
POPULATION = {
    "Country": 51_000_000,
    "Region": 5_500_000,
    "County": 700_000,
    "Unitary authority": 250_000,
    "Metropolitan district": 300_000,
    "London borough": 230_000,
    "Non-metropolitan district": 100_000,
}


@dataclass(frozen=True)
class Layout:
    """How a file of ``rows`` rows is laid out: indicators × areas × quarters, oldest rows dropped."""

    rows: int
    indicators: int
    areas: int
    periods: int

    @property
    def grid(self) -> int:
        return self.indicators * self.areas * self.periods

    def describe(self) -> str:
        return (
            f"{self.rows:,} rows: {self.indicators} indicators × {self.areas} areas × "
            f"{self.periods} quarters ({period_label(LAST_QUARTER - self.periods + 1)} to "
            f"{period_label(LAST_QUARTER)}), oldest {self.grid - self.rows:,} dropped"
        )


def reference_indicators() -> pl.DataFrame:
    """Returns the NI indicators of the reference data (id, value type, multiplier), in NI order."""
    return (
        pl.read_csv(REFERENCE_DIR / "indicators.csv", infer_schema=False)
        .filter(pl.col("indicator_id").str.starts_with("NI "))
        .select(
            "indicator_id",
            "value_type",
            pl.col("multiplier").cast(pl.Float64, strict=False).fill_null(1.0),
        )
        .sort(pl.col("indicator_id").str.extract(r"(\d+)").cast(pl.Int64))
    )


def reference_areas() -> pl.DataFrame:
    """Returns every area of every tier in the reference data (code and type), in code order."""
    return (
        pl.read_csv(REFERENCE_DIR / "areas.csv", infer_schema=False)
        .select("area_code", "area_type")
        .sort("area_code")
    )


def plan(rows: int, indicators: int, areas: int) -> Layout:
    """Returns the layout for ``rows`` rows over the given numbers of indicators and areas."""
    if rows < 1:
        raise ValueError("--rows must be at least 1.")
    keys = indicators * areas
    if rows >= keys * MIN_PERIODS:
        return Layout(rows, indicators, areas, math.ceil(rows / keys))
    periods = max(1, min(MIN_PERIODS, rows // areas))
    used = min(indicators, math.ceil(rows / (areas * periods)))
    return Layout(rows, used, areas, periods)


def period_label(quarter: int) -> str:
    """Returns the financial-quarter label (``2001/02 Q1``) of an absolute quarter number."""
    year, number = divmod(quarter, 4)
    return f"{year}/{(year + 1) % 100:02d} Q{number + 1}"


def observations(rows: int, seed: int = 2009) -> pl.DataFrame:
    """Returns ``rows`` rows of the native indicator template as text, oldest rows dropped.

    Rows are ordered by indicator, area and period, as a publication's export is.
    """
    indicators = reference_indicators()
    areas = reference_areas()
    layout = plan(rows, indicators.height, areas.height)
    indicators = indicators.head(layout.indicators)
    n_ind, n_area, n_per = layout.indicators, layout.areas, layout.periods
    keys = n_ind * n_area
    rng = np.random.default_rng(seed)

    # Row r of the full grid is (indicator, area, period) = divmod chain, period fastest.
    index = np.arange(layout.grid, dtype=np.int64)
    key, period = np.divmod(index, n_per)
    indicator, area = np.divmod(key, n_area)
    # Keep the newest `rows`: drop whole oldest periods first, then the oldest of the rest.
    age_rank = period.astype(np.int64) * keys + key
    keep = age_rank >= layout.grid - rows
    key, period, indicator, area = key[keep], period[keep], indicator[keep], area[keep]

    value_type = indicators["value_type"].to_numpy()
    multiplier = indicators["multiplier"].to_numpy()
    kind = np.select(
        [value_type == t for t in ("proportion", "rate", "count")], [0, 1, 2], default=3
    )
    # Indicator level, area effect and trend per key; noise per row.
    level = np.choose(
        kind,
        [
            rng.uniform(15, 85, n_ind),
            rng.uniform(5, 400, n_ind),
            rng.uniform(20, 3000, n_ind),
            rng.uniform(1, 60, n_ind),
        ],
    )
    population = areas["area_type"].replace_strict(POPULATION, return_dtype=pl.Float64)
    population = population.to_numpy() * rng.uniform(0.7, 1.3, n_area)
    area_effect = rng.lognormal(0.0, 0.15, keys)
    slope = rng.normal(0.0, 0.004, keys)
    t = period - (n_per - 1)  # quarters before the latest
    value = (
        level[indicator]
        * area_effect[key]
        * np.clip(1 + slope[key] * t, 0.2, None)
        * (1 + rng.normal(0.0, 0.03, key.size))
    )
    k = kind[indicator]
    value = np.where(k == 0, np.clip(value, 0.5, 99.5), value)
    value = np.round(value, 3)

    # Proportions: a survey sample; rates: the population. Counts follow from the value.
    sample = np.round(population[area] ** 0.5 * rng.uniform(2, 4, key.size))
    denominator = np.where(k == 0, sample, np.where(k == 1, np.round(population[area]), np.nan))
    count = np.where(
        k == 0,
        np.round(value / 100 * denominator),
        np.where(k == 1, np.round(value / multiplier[indicator] * denominator), np.nan),
    )
    p = np.clip(value / 100, 0.0, 1.0)
    se = np.select(
        [k == 0, k == 1],
        [
            100 * np.sqrt(p * (1 - p) / np.maximum(denominator, 1)),
            value / np.sqrt(np.maximum(count, 1)),
        ],
        default=0.05 * value,
    )
    se = np.maximum(se, 0.01)  # keeps the four limits distinct after rounding to 3 places
    floor = np.where(k <= 2, 0.0, -np.inf)
    limits = {
        "lower_ci_95": np.maximum(value - Z95 * se, floor),
        "upper_ci_95": value + Z95 * se,
        "lower_ci_99_8": np.maximum(value - Z998 * se, floor),
        "upper_ci_99_8": value + Z998 * se,
    }
    suppressed = rng.random(key.size) < SUPPRESSED_SHARE

    indicator_ids = indicators["indicator_id"]
    area_codes = areas["area_code"]
    labels = pl.Series([period_label(LAST_QUARTER - n_per + 1 + p) for p in range(n_per)])
    frame = pl.DataFrame(
        {
            "indicator_id": indicator_ids.gather(indicator),
            "area_code": area_codes.gather(area),
            "period": labels.gather(period),
            "value": value,
            **{name: np.round(limit, 3) for name, limit in limits.items()},
            "count": count,
            "denominator": denominator,
            "_suppressed": suppressed,
        },
        nan_to_null=True,
    )
    # Only the value column is text ("*" where suppressed); the other numbers stay numbers,
    # null where suppressed, and are formatted by the CSV writer (3 decimal places).
    hidden = pl.col("_suppressed")
    return frame.select(
        "indicator_id",
        "area_code",
        "period",
        value=pl.when(hidden).then(pl.lit("*")).otherwise(pl.col("value").cast(pl.String)),
        **{name: pl.when(~hidden).then(pl.col(name)) for name in limits},
        **{
            name: pl.when(~hidden).then(pl.col(name).cast(pl.Int64))
            for name in ("count", "denominator")
        },
        note=pl.when(hidden)
        .then(pl.lit("Fewer than 5 cases (synthetic benchmark data)"))
        .otherwise(pl.lit(None, pl.String)),
    )


def revisions(original: pl.DataFrame, fraction: float, seed: int = 2009) -> pl.DataFrame:
    """Returns a share of ``original``'s rows with revised values and intervals (same keys).

    Suppressed rows are not revised. Values and limits move together by 1–5%, so every
    revised row still passes validation; count and denominator are kept.
    """
    if not 0 < fraction <= 1:
        raise ValueError("--fraction must be above 0 and at most 1.")
    rng = np.random.default_rng(seed + 1)
    candidates = np.flatnonzero((original["value"] != "*").to_numpy())
    chosen = np.sort(rng.choice(candidates, size=round(fraction * original.height), replace=False))
    picked = original[chosen]
    factor = pl.Series(
        1 + rng.choice([-1.0, 1.0], picked.height) * rng.uniform(0.01, 0.05, picked.height)
    )
    numbers = ["value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8"]
    return picked.with_columns(
        **{name: pl.col(name).cast(pl.Float64, strict=False) * factor for name in numbers},
        note=pl.lit("Revised (synthetic benchmark data)"),
    ).select(COLUMNS)


def write_csv(frame: pl.DataFrame, output: Path) -> Path:
    """Writes ``frame`` to ``output`` atomically (a reader never sees half a file)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
    frame.write_csv(partial, float_precision=3)
    partial.replace(output)
    return output


def write_observations(rows: int, output: Path, seed: int = 2009) -> Path:
    """Writes ``rows`` rows of synthetic indicator values to ``output`` (CSV, native template)."""
    return write_csv(observations(rows, seed), output)


def write_revisions(original: Path, output: Path, fraction: float, seed: int = 2009) -> Path:
    """Writes revisions of a share of ``original``'s rows to ``output``."""
    frame = pl.read_csv(original, infer_schema=False, empty_string_is_null=False)
    return write_csv(revisions(frame, fraction, seed), output)


def describe(rows: int) -> str:
    """Returns a sentence describing the layout of a file of ``rows`` rows."""
    return plan(rows, reference_indicators().height, reference_areas().height).describe()
