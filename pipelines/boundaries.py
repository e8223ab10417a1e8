"""Reading boundary files: a GeoJSON FeatureCollection keyed by ONS area codes.

The property holding the code is detected: the one whose values match most of our area
codes (GSS, old ONS or superseded GSS). Features for areas we do not know are reported as
skipped; every kept feature's geometry is stored as GeoJSON text.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from pipelines import problems


class BoundaryFileError(ValueError):
    """The file is not a usable GeoJSON FeatureCollection; the message says what to do."""


def detect_code_property(features: list[dict], known_codes: set[str]) -> str:
    """Returns the name of the feature property whose values match the most known area codes."""
    scores: dict[str, int] = {}
    for feature in features:
        for name, value in (feature.get("properties") or {}).items():
            if isinstance(value, str) and value.strip().upper() in known_codes:
                scores[name] = scores.get(name, 0) + 1
    if not scores:
        raise BoundaryFileError(
            "No property of the features holds ONS area codes (such as E06000001 or 00EB). "
            "Use a boundary file keyed by ONS codes."
        )
    return max(scores, key=scores.get)


def read_boundaries(
    path: Path, code_lookup: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """Returns (rows to store: area_code, name, geometry), the report of skipped features,
    and the detected code property.

    ``code_lookup`` maps every accepted code (column ``code``) to a current ``area_code``.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BoundaryFileError(
            f"{path.name} is not valid GeoJSON ({error}). Export it again as GeoJSON."
        ) from error
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or not features:
        raise BoundaryFileError(f"{path.name} has no features. Upload a GeoJSON FeatureCollection.")
    lookup = dict(code_lookup.select("code", "area_code").iter_rows())
    code_property = detect_code_property(features, set(lookup))
    name_property = next(
        (
            n
            for n in (features[0].get("properties") or {})
            if n.lower().endswith("nm") or n.lower() == "name"
        ),
        None,
    )
    kept, skipped = [], []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") or {}
        raw = str(properties.get(code_property, "")).strip().upper()
        geometry = feature.get("geometry")
        if raw not in lookup:
            skipped.append(
                (
                    number,
                    code_property,
                    raw,
                    "Not an area of the April 2009 English structure; skipped.",
                )
            )
        elif not isinstance(geometry, dict) or geometry.get("type") not in (
            "Polygon",
            "MultiPolygon",
        ):
            skipped.append(
                (number, "geometry", raw, "The feature has no polygon geometry; skipped.")
            )
        else:
            kept.append(
                (
                    lookup[raw],
                    str(properties.get(name_property, "")) if name_property else None,
                    json.dumps(geometry, separators=(",", ":")),
                )
            )
    rows = pl.DataFrame(kept, schema=["area_code", "name", "geometry"], orient="row").unique(
        "area_code", keep="first"
    )
    report = pl.DataFrame(
        [(n, c, v, m, problems.WARNING) for n, c, v, m in skipped],
        schema=problems.SCHEMA,
        orient="row",
    )
    return rows, report, code_property
