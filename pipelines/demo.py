"""Synthetic demonstration data: plausible, deterministic, and never to be mistaken for real.

Values are generated for every local authority district and indicator from a fixed seed,
then summed (counts and denominators) or population-weighted up to counties, regions and
England, so every level agrees with the levels below it. Two indicator batches and a target
batch are written through the same loader an analyst uses:

1. values from 2004/05 to each indicator's latest published year before 2010/11;
2. targets: PSA targets for England and each region, LAA targets for upper-tier areas;
3. a later release: 2010/11 values for most indicators and revisions of some 2009/10 values.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from pipelines.demo_programmes import demo_register, write_demo_actions
from pipelines.load import load_frame
from warehouse import reference_queries
from warehouse.access import Action, User, require
from warehouse.assessments.intervals import byar_interval, wilson_interval
from warehouse.batches import list_batches
from warehouse.outcome_queries import all_goals

DEMO_LABEL = "synthetic demonstration data"
PROFILES = Path(__file__).parent / "demo_profiles.csv"
FIRST_YEAR, LAST_YEAR = 2004, 2010  # financial years 2004/05 … 2010/11
Z95, Z998 = 1.959964, 3.090232


def _fy(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _periods(frequency: str) -> list[tuple[str, int, float]]:
    """Returns (label, financial year, time in years since 2004/05) for every period."""
    if frequency == "quarterly":
        return [
            (f"{_fy(y)} Q{q}", y, (y - FIRST_YEAR) + (q - 1) / 4)
            for y in range(FIRST_YEAR, LAST_YEAR + 1)
            for q in range(1, 5)
        ]
    return [(_fy(y), y, float(y - FIRST_YEAR)) for y in range(FIRST_YEAR, LAST_YEAR + 1)]


def _latest_year(rng: np.random.Generator) -> int:
    """Returns the last financial year published before the 2010/11 release (some lag)."""
    return int(rng.choice([2009, 2009, 2009, 2008, 2007]))


def generate_observations(
    areas: pl.DataFrame, indicators: pl.DataFrame, profiles: pl.DataFrame, seed: int
) -> pl.DataFrame:
    """Returns every demo value (all periods, all areas) with counts, denominators and CIs.

    Columns: the native template's, plus ``financial_year`` for splitting into releases.
    """
    rng = np.random.default_rng(seed)
    districts = areas.filter(pl.col("tier").is_in(["district", "unitary"])).sort("area_code")
    n = districts.height
    population = rng.lognormal(mean=0.0, sigma=0.45, size=n)  # relative to a typical authority
    population = population / population.mean()
    region_codes = districts["region_code"].to_numpy()
    region_effect = {r: rng.normal(0, 0.6) for r in sorted(set(region_codes))}
    deprivation = rng.normal(0, 1, size=n) + np.array([region_effect[r] for r in region_codes])
    spec = indicators.join(profiles, on="indicator_id", how="inner").sort(
        pl.col("indicator_id").str.extract(r"(\d+)").cast(pl.Int32)
    )
    frames = []
    for ind in spec.iter_rows(named=True):
        periods = _periods(ind["frequency"])
        t = np.array([p[2] for p in periods])
        sd = float(ind["area_sd"])
        polarity_sign = {"higher": 1.0, "lower": -1.0}.get(ind["polarity"], 0.0)
        # Deprived places start worse; each place has its own slope, so trends differ.
        level = (
            ind["england_2004"]
            - polarity_sign * 0.6 * sd * deprivation
            + rng.normal(0, 0.7 * sd, n)
        )
        slope = ind["annual_change"] + rng.normal(0, max(abs(ind["annual_change"]), 0.08 * sd), n)
        noise = rng.normal(0, 0.12 * sd, (n, len(periods)))
        true_value = level[:, None] + slope[:, None] * t[None, :] + noise
        denominator = np.maximum(
            20,
            np.round(
                (ind["denominator_per_area"] or 1000)
                * 0.45
                * population[:, None]
                * np.ones_like(t)[None, :]
            ),
        )
        value_type, multiplier = ind["value_type"], ind["multiplier"]
        if value_type == "proportion":
            p = np.clip(true_value, 0.2, 99.8) / 100.0
            count = rng.binomial(denominator.astype(np.int64), p).astype(float)
        elif value_type == "rate":
            lam = np.clip(true_value, 0.01, None) / multiplier * denominator
            count = rng.poisson(lam).astype(float)
        else:
            count = np.full_like(true_value, np.nan)
            true_value = np.clip(true_value, 0, None) if ind["england_2004"] >= 0 else true_value
        frame = pl.DataFrame(
            {
                "area_code": np.repeat(districts["area_code"].to_numpy(), len(periods)),
                "period": [p[0] for p in periods] * n,
                "financial_year": [p[1] for p in periods] * n,
                "true_value": true_value.ravel(),
                "count": count.ravel(),
                "denominator": denominator.ravel(),
                "weight": np.repeat(population, len(periods)),
            }
        ).with_columns(pl.col("count").fill_nan(None))
        frames.append(
            _add_levels(frame, districts).with_columns(
                indicator_id=pl.lit(ind["indicator_id"]),
                value_type=pl.lit(value_type),
                multiplier=pl.lit(multiplier, pl.Float64),
                area_sd=pl.lit(sd),
                quarterly=pl.lit(ind["frequency"] == "quarterly"),
            )
        )
    combined = pl.concat(frames, how="vertical_relaxed").sort(
        ["indicator_id", "area_code", "period"]
    )
    return _with_values_and_intervals(combined)


def _add_levels(frame: pl.DataFrame, districts: pl.DataFrame) -> pl.DataFrame:
    """Returns district rows plus county, region and England rows built from them."""
    parents = districts.select("area_code", "parent_code", "region_code", "tier")
    frame = frame.join(parents, on="area_code")
    sums = [
        pl.col("count").sum().alias("count")
        if frame["count"].null_count() == 0
        else pl.lit(None, pl.Float64).alias("count"),
        pl.col("denominator").sum(),
        ((pl.col("true_value") * pl.col("weight")).sum() / pl.col("weight").sum()).alias(
            "true_value"
        ),
        pl.col("weight").sum(),
    ]
    keys = ["period", "financial_year"]
    county = (
        frame.filter(pl.col("tier") == "district")
        .group_by(["parent_code", *keys], maintain_order=True)
        .agg(sums)
        .rename({"parent_code": "area_code"})
    )
    region = (
        frame.group_by(["region_code", *keys], maintain_order=True)
        .agg(sums)
        .rename({"region_code": "area_code"})
    )
    england = (
        frame.group_by(keys, maintain_order=True)
        .agg(sums)
        .with_columns(area_code=pl.lit("E92000001"))
    )
    columns = ["area_code", *keys, "true_value", "count", "denominator", "weight"]
    return pl.concat(
        [
            frame.select(columns),
            county.select(columns),
            region.select(columns),
            england.select(columns),
        ],
        how="vertical_relaxed",
    )


def _with_values_and_intervals(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns rows with value and 95% / 99.8% intervals of the kind each indicator publishes."""
    count = frame["count"].to_numpy().astype(float)
    denominator = frame["denominator"].to_numpy().astype(float)
    multiplier = frame["multiplier"].fill_null(1.0).to_numpy()
    value_type = frame["value_type"].to_numpy()
    value = frame["true_value"].to_numpy().copy()
    lo95 = np.full_like(value, np.nan)
    hi95, lo998, hi998 = lo95.copy(), lo95.copy(), lo95.copy()
    for kind, interval in (("proportion", wilson_interval), ("rate", byar_interval)):
        rows = value_type == kind
        if not rows.any():
            continue
        value[rows] = count[rows] / denominator[rows] * multiplier[rows]
        for confidence, lo, hi in ((0.95, lo95, hi95), (0.998, lo998, hi998)):
            for m in np.unique(multiplier[rows]):
                sub = rows & (multiplier == m)
                lo[sub], hi[sub] = interval(count[sub], denominator[sub], confidence, float(m))
    # Means and scores carry a normal interval from a survey-like standard error;
    # counts carry none (they are not estimates), so they are "Not compared".
    other = np.isin(value_type, ["mean", "score"])
    se = (
        frame["area_sd"].to_numpy() * 0.08 / np.sqrt(np.clip(frame["weight"].to_numpy(), 0.2, None))
    )
    lo95[other], hi95[other] = value[other] - Z95 * se[other], value[other] + Z95 * se[other]
    lo998[other], hi998[other] = value[other] - Z998 * se[other], value[other] + Z998 * se[other]
    no_count = ~np.isin(value_type, ["proportion", "rate"])
    out = frame.with_columns(
        value=pl.Series(np.round(value, 3)),
        lower_ci_95=pl.Series(np.round(lo95, 3)).fill_nan(None),
        upper_ci_95=pl.Series(np.round(hi95, 3)).fill_nan(None),
        lower_ci_99_8=pl.Series(np.round(lo998, 3)).fill_nan(None),
        upper_ci_99_8=pl.Series(np.round(hi998, 3)).fill_nan(None),
        count=pl.when(pl.Series(no_count)).then(None).otherwise(pl.col("count")),
        denominator=pl.when(pl.Series(no_count)).then(None).otherwise(pl.col("denominator")),
    )
    return out.select(
        "indicator_id",
        "area_code",
        "period",
        "financial_year",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "lower_ci_99_8",
        "upper_ci_99_8",
        "count",
        "denominator",
        note=pl.lit(DEMO_LABEL.capitalize()),
    )


def split_releases(observations: pl.DataFrame, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (first release, later release): the later one adds 2010/11 and revises some 2009/10 values."""
    rng = np.random.default_rng(seed + 1)
    ids = observations["indicator_id"].unique().sort().to_list()
    latest = pl.DataFrame({"indicator_id": ids, "latest_year": [_latest_year(rng) for _ in ids]})
    obs = observations.join(latest, on="indicator_id", maintain_order="left")
    first = obs.filter(pl.col("financial_year") <= pl.col("latest_year"))
    new_year = obs.filter((pl.col("financial_year") == LAST_YEAR) & (pl.col("latest_year") == 2009))
    revisable = first.filter(pl.col("financial_year") == 2009)
    chosen = pl.Series(rng.random(revisable.height) < 0.05)
    factor = pl.Series(
        1 + rng.choice([-1, 1], revisable.height) * rng.uniform(0.01, 0.04, revisable.height)
    )
    revised = (
        revisable.filter(chosen)
        .with_columns(
            (pl.col(c) * factor.filter(chosen)).round(3)
            for c in ("value", "lower_ci_95", "upper_ci_95", "lower_ci_99_8", "upper_ci_99_8")
        )
        .with_columns(note=pl.lit(f"Revised: {DEMO_LABEL}"))
    )
    later = pl.concat([new_year, revised], how="vertical_relaxed")
    order = ["indicator_id", "area_code", "period"]
    return first.drop("latest_year").sort(order), later.drop("latest_year").sort(order)


def generate_targets(
    first_release: pl.DataFrame,
    areas: pl.DataFrame,
    indicators: pl.DataFrame,
    goals: pl.DataFrame,
    seed: int,
) -> pl.DataFrame:
    """Returns PSA targets (England and regions) for goal indicators and LAA targets for upper-tier areas.

    Baseline 2007/08; target 2010/11; the improvement asked for varies so that every target
    status occurs; tolerance is a third of the improvement.
    """
    rng = np.random.default_rng(seed + 2)
    annual = first_release.filter(~pl.col("period").str.contains("Q"))
    baseline = annual.filter(pl.col("period") == "2007/08").select(
        "indicator_id", "area_code", "value"
    )
    polarity = indicators.select("indicator_id", "polarity")
    goal_ids = sorted(goals["indicator_id"].unique().to_list())
    upper = areas.filter(pl.col("tier").is_in(["county", "unitary"]))["area_code"].to_list()
    regional = areas.filter(pl.col("tier").is_in(["region", "country"]))["area_code"].to_list()
    other_ids = sorted(set(annual["indicator_id"].unique().to_list()) - set(goal_ids))
    rows = []
    for area in upper:
        chosen = set(
            rng.choice(other_ids, size=min(20, len(other_ids)), replace=False).tolist()
        ) | set(goal_ids)
        rows += [(i, area, "LAA") for i in sorted(chosen)]
    rows += [(i, area, "PSA") for area in regional for i in goal_ids]
    frame = (
        pl.DataFrame(rows, schema=["indicator_id", "area_code", "source"], orient="row")
        .join(baseline, on=["indicator_id", "area_code"], maintain_order="left")
        .join(polarity, on="indicator_id", maintain_order="left")
        .filter(pl.col("polarity") != "none")
    )
    ambition = rng.uniform(0.01, 0.12, frame.height)
    sign = np.where(frame["polarity"].to_numpy() == "higher", 1.0, -1.0)
    base = frame["value"].to_numpy()
    target = base + sign * np.abs(base) * ambition
    return frame.select(
        "indicator_id",
        "area_code",
        "source",
        baseline_period=pl.lit("2007/08"),
        baseline_value=pl.col("value"),
        target_period=pl.lit("2010/11"),
        target_value=pl.Series(np.round(target, 3)),
        tolerance=pl.Series(np.round(np.abs(target - base) / 3, 3)),
    )


def _as_text_table(frame: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Returns the frame as the text table a CSV upload would give, and its CSV's SHA-256."""
    buffer = io.BytesIO()
    frame.write_csv(buffer)
    data = buffer.getvalue()
    path_like = pl.read_csv(data, infer_schema=False)
    return path_like.with_row_index("_row", offset=2).with_columns(
        pl.col("_row").cast(pl.Int64)
    ), hashlib.sha256(data).hexdigest()


def build_demo_warehouse(
    con: duckdb.DuckDBPyConnection,
    seed: int = 2009,
    force: bool = False,
    operator: User | str = "demo",
    progress=None,
) -> list[str]:
    """Returns the ids of the demo batches written (none when data is already there and not forced)."""
    require(operator, Action.UPLOAD, con=con, target="demonstration data")
    if not force and list_batches(con).filter(pl.col("kind") != "reference").height:
        return []
    say = progress or (lambda fraction, text: None)
    say(0.05, "Generating synthetic values for every area and indicator")
    # The demo is of 2004/05 to 2010/11: the April 2009 structure, not later authorities.
    areas = reference_queries.areas(con, live_on=reference_queries.APRIL_2009)
    indicators = reference_queries.indicators(con)
    profiles = pl.read_csv(PROFILES)
    observations = generate_observations(areas, indicators, profiles, seed)
    first, later = split_releases(observations, seed)
    targets = generate_targets(first, areas, indicators, all_goals(con), seed)
    register = demo_register(con, seed)
    batches = []
    steps = [
        ("indicators", first.drop("financial_year"), "demo-values-2004-2010.csv", False),
        ("targets", targets, "demo-targets-psa-laa.csv", False),
        ("indicators", later.drop("financial_year"), "demo-values-2010-11-release.csv", True),
        *((kind, frame, f"demo-{kind}.csv", False) for kind, frame in register.items()),
    ]
    for number, (kind, frame, name, confirm) in enumerate(steps, start=1):
        say(0.1 + 0.85 * number / len(steps), f"Loading {name} ({frame.height:,} rows)")
        table, sha = _as_text_table(frame)
        outcome = load_frame(
            con,
            table,
            kind=kind,
            file_name=name,
            sha256=sha,
            operator=operator,
            confirm_revisions=confirm,
            # Synthetic small areas have small counts and some jumps: accepted knowingly.
            accept_warnings=True,
            configuration={"demo_seed": seed},
        )
        if outcome.status != "committed":
            raise RuntimeError(
                f"Demo batch {name} was not loaded: {outcome.message}\n{outcome.report.head(5)}"
            )
        batches.append(outcome.batch_id)
    write_demo_actions(con, operator)
    say(1.0, "Demo warehouse ready")
    return batches
