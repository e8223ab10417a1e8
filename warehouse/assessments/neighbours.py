"""Statistical neighbours: the most similar areas of the same tier on context variables."""

from __future__ import annotations

import numpy as np
import polars as pl

_OUTPUT_SCHEMA = {
    "area_code": pl.String,
    "neighbour_code": pl.String,
    "rank": pl.Int64,
    "distance": pl.Float64,
}


def _z_scores(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=0, ddof=1)
    safe_sd = np.where(sd > 0, sd, 1.0)
    return np.where(sd > 0, (x - x.mean(axis=0)) / safe_sd, 0.0)


def _nearest(codes: np.ndarray, z: np.ndarray, n: int) -> pl.DataFrame:
    size, width = z.shape
    k = min(n, size - 1)
    # Rows are processed in blocks so memory stays bounded for large tiers.
    block = max(1, 4_000_000 // (size * max(width, 1)))
    ranks, dists = [], []
    for start in range(0, size, block):
        rows = z[start : start + block]
        distance = np.sqrt(((rows[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
        distance[np.arange(len(rows)), np.arange(start, start + len(rows))] = np.inf
        # codes are sorted, so a stable sort by distance breaks ties by neighbour_code
        order = np.argsort(distance, axis=1, kind="stable")[:, :k]
        ranks.append(order)
        dists.append(np.take_along_axis(distance, order, axis=1))
    order = np.vstack(ranks)
    return pl.DataFrame(
        {
            "area_code": np.repeat(codes, k).tolist(),
            "neighbour_code": codes[order].ravel().tolist(),
            "rank": np.tile(np.arange(1, k + 1), size),
            "distance": np.vstack(dists).ravel(),
        },
        schema=_OUTPUT_SCHEMA,
    )


def neighbour_variables(context: pl.DataFrame) -> list[str]:
    """Return the sorted list of context variables that neighbours are matched on.

    Parameters
    ----------
    context : polars.DataFrame
        Long frame with ``area_code``, ``variable`` and ``value``.

    Returns
    -------
    list of str
        Distinct non-null variable names, sorted.
    """
    return sorted(context["variable"].drop_nulls().unique().to_list())


def statistical_neighbours(context: pl.DataFrame, areas: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    """Return each area's ``n`` nearest areas of the same tier, ranked by distance.

    Parameters
    ----------
    context : polars.DataFrame
        Long frame with ``area_code``, ``variable`` and ``value``; at most
        one row per (area_code, variable).
    areas : polars.DataFrame
        Columns ``area_code`` and ``tier``.
    n : int, default 10
        Maximum number of neighbours per area.

    Returns
    -------
    polars.DataFrame
        Columns ``area_code``, ``neighbour_code``, ``rank`` (Int64, 1 is the
        nearest) and ``distance`` (Float64), sorted by area_code and rank.

    Raises
    ------
    ValueError
        If ``n`` < 1 or ``context`` has duplicate (area_code, variable) rows.

    Notes
    -----
    * The variables are all of :func:`neighbour_variables`. Only areas
      listed in ``areas`` with a non-null, finite value for every variable
      take part; the others get no neighbours and are nobody's neighbour.
    * Within each tier, each variable is z-scored across the taking-part
      areas of that tier: ``(x - mean) / sd`` with the sample standard
      deviation (ddof = 1). A variable that does not vary within the tier
      (or a tier with one area) contributes 0.
    * Distance is Euclidean across the z-scores; neighbours come only from
      the same tier and exclude the area itself. Equal distances are ranked
      by neighbour_code.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if context.select(pl.struct("area_code", "variable").is_duplicated().any()).item():
        raise ValueError("context has more than one value for an (area_code, variable)")
    variables = neighbour_variables(context)
    if not variables:
        return pl.DataFrame(schema=_OUTPUT_SCHEMA)
    wide = (
        context.filter(pl.col("variable").is_not_null())
        .with_columns(pl.col("value").cast(pl.Float64).fill_nan(None))
        .pivot(on="variable", index="area_code", values="value")
    )
    for name in variables:
        if name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    wide = (
        areas.select(pl.col("area_code").cast(pl.String), "tier")
        .unique(subset="area_code", keep="first")
        .join(wide.with_columns(pl.col("area_code").cast(pl.String)), on="area_code", how="inner")
        .drop_nulls(subset=variables)
        .filter(pl.all_horizontal(pl.col(v).is_finite() for v in variables))
        .sort("area_code")
    )

    pieces: list[pl.DataFrame] = []
    for _, group in wide.group_by("tier", maintain_order=True):
        codes = np.array(group["area_code"].to_list(), dtype=object)
        if len(codes) < 2:
            continue
        x = group.select(variables).to_numpy().astype(float)
        pieces.append(_nearest(codes, _z_scores(x), n))
    if not pieces:
        return pl.DataFrame(schema=_OUTPUT_SCHEMA)
    return pl.concat(pieces).sort("area_code", "rank")
