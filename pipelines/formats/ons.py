"""ONS tidy ("machine readable") CSV, as published for the subnational indicators explorer.

The data file has one row per area and indicator: ``AREACD``, ``AREANM``, ``Geography``,
``Indicator`` (a name, not an id), ``Category`` (the mission), ``Period`` (``2019``,
``201920``, ``201820``), ``Measure``, ``Unit``, ``Value`` and ``MAD``. The ONS saves it in
Windows-1252 with a sentence and a blank line above the header; the reader skips those.

Its companion metadata file gives each indicator a short id (``Worksheet``), a full and a
shortened name, a ``Polarity`` (``Negative`` where lower is better, otherwise empty), and the
unit. The data file's names are worded differently from the metadata's, so each name is
matched to the metadata row whose words it shares most (one metadata row per name).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polars as pl

from pipelines.formats.conversion import (
    PROPOSED_SCHEMA,
    Conversion,
    UnknownLayout,
    exact_repeats,
    find_columns,
    is_blank,
    join_notes,
    map_periods,
    native_table,
    no_skipped_rows,
    skipped_rows,
)
from pipelines.readers import read_table

SOURCE = "ONS subnational indicators"
ID_PREFIX = "ONS "
COLUMNS = {
    "area_code": "AREACD",
    "area_name": "AREANM",
    "geography": "Geography",
    "indicator": "Indicator",
    "category": "Category",
    "period": "Period",
    "measure": "Measure",
    "unit": "Unit",
    "value": "Value",
}
REQUIRED = ("area_code", "indicator", "period", "value")
METADATA_COLUMNS = {
    "id": "Worksheet",
    "name": "Indicator",
    "short_name": "Shortened",
    "category": "Category",
    "polarity": "Polarity",
    "measure": "Measure",
    "unit": "Unit",
}
ENGLISH_AREA = r"^E\d{8}$"
NOT_PUBLISHED = ("NA", "N/A", "NAN")
POLARITIES = {
    "negative": "lower",
    "lower": "lower",
    "low": "lower",
    "positive": "higher",
    "higher": "higher",
    "high": "higher",
    "neutral": "none",
    "none": "none",
    "no judgement": "none",
}
_NOT_ENGLISH = [
    (r"^W\d", "a Welsh area"),
    (r"^S\d", "a Scottish area"),
    (r"^N\d", "a Northern Irish area"),
    (r"^K\d", "a total for the UK, Great Britain or England and Wales"),
    (r"^TL[A-Z]", "an international territorial level (ITL) region"),
]
_STOP_WORDS = {
    "a", "and", "at", "by", "for", "in", "of", "on", "or", "per", "that", "the", "to", "with",
    "average", "number", "percentage", "proportion", "rate",
}  # fmt: skip
_MATCH_THRESHOLD = 0.3


def read_metadata(path: Path, max_bytes: int | None = None) -> pl.DataFrame:
    """Returns the ONS metadata file's cells as text (see ``readers.read_table``)."""
    return read_table(path, max_bytes=max_bytes)


def to_native(table: pl.DataFrame, metadata: pl.DataFrame | None = None) -> Conversion:
    """Returns an ONS tidy file as the native table, English areas only.

    Parameters
    ----------
    table
        The data file as read by ``readers.read_table``.
    metadata
        The companion metadata file (``read_metadata``). Without it, ids are made from the
        indicators' names and polarity is left unknown.
    """
    found = find_columns(table, COLUMNS)
    missing = [COLUMNS[c] for c in REQUIRED if c not in found]
    if missing:
        raise UnknownLayout(
            f"This is not an ONS tidy file: column(s) {', '.join(missing)} are missing."
        )
    frame = table.select(
        "_row",
        *[pl.col(found[c]).cast(pl.String).alias(c) for c in found],
        *[pl.lit(None, pl.String).alias(c) for c in COLUMNS if c not in found],
    ).with_columns(pl.col("area_code").str.strip_chars(), pl.col("indicator").str.strip_chars())
    notes: list[str] = []
    skipped = []

    english = pl.col("area_code").str.to_uppercase().str.contains(ENGLISH_AREA).fill_null(False)
    others = frame.filter(~english)
    if others.height:
        skipped.append(
            skipped_rows(
                others,
                found["area_code"],
                pl.col("area_code"),
                pl.format(
                    "{} ({}) is {}: only English areas are loaded.",
                    pl.col("area_code").fill_null(""),
                    pl.col("geography").fill_null("no geography given"),
                    _what_area(pl.col("area_code")),
                ),
            )
        )
        notes.append(
            f"{others.height} row(s) for areas outside England (Wales, Scotland, Northern "
            "Ireland, UK totals, ITL regions) were left out; English areas are kept and "
            "validation checks each code against our areas."
        )
    frame = frame.filter(english)

    unpublished = is_blank(pl.col("value")) | pl.col(
        "value"
    ).str.strip_chars().str.to_uppercase().is_in(list(NOT_PUBLISHED))
    empty = frame.filter(unpublished)
    if empty.height:
        skipped.append(
            skipped_rows(
                empty,
                found["value"],
                pl.col("value"),
                "No value was published for this area (NA): nothing to load.",
            )
        )
        notes.append(f"{empty.height} row(s) with no published value (NA) were left out.")
    frame = frame.filter(~unpublished)

    miscoded = _miscoded(frame)
    if miscoded.height:
        skipped.append(
            skipped_rows(
                miscoded,
                found["area_code"],
                pl.col("area_code"),
                pl.format(
                    "{} is {} in the rest of this file, but this row names {}, which the file "
                    "gives the code {} elsewhere: the code and the name disagree, so the row "
                    "is left out. Check it with the publisher.",
                    pl.col("area_code"),
                    pl.col("_code_name"),
                    pl.col("area_name"),
                    pl.col("_name_code"),
                ),
            )
        )
        notes.append(
            f"{miscoded.height} row(s) whose area code and area name disagree were left out."
        )
        frame = frame.filter(~pl.col("_row").is_in(miscoded["_row"].implode()))

    indicators = _indicators(frame, metadata, notes)
    frame = frame.join(
        indicators.select("indicator", "_indicator_id"), on="indicator", how="left"
    ).sort("_row")
    frame, period_notes = map_periods(frame, "period")
    notes += period_notes

    converted = native_table(
        frame,
        indicator_id=pl.col("_indicator_id"),
        area_code=pl.col("area_code"),
        period=pl.col("_period"),
        value=pl.col("value"),
        note=join_notes(pl.col("_period_note")),
    )
    converted, repeats = exact_repeats(converted)
    if repeats.height:
        skipped.append(repeats)
        notes.append(f"{repeats.height} row(s) repeating another row exactly were left out.")
    proposed = indicators.filter(
        pl.col("_indicator_id").is_in(converted["indicator_id"].unique().implode())
    ).select(list(PROPOSED_SCHEMA))
    return Conversion(
        table=converted,
        skipped=pl.concat(skipped) if skipped else no_skipped_rows(),
        proposed_indicators=proposed,
        notes=notes,
        layout="ons_tidy",
        source_columns={
            "indicator_id": found["indicator"],
            "area_code": found["area_code"],
            "period": found["period"],
            "value": found["value"],
        },
    )


def _miscoded(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns the rows whose area name belongs, in the rest of the file, to another code.

    A row is mis-coded when its code carries another name in most of the file and its name
    carries another code in most of the file (the 2025 ONS file gives E06000062, West
    Northamptonshire, to one Buckinghamshire row). A renamed area keeps its code and takes a
    name no other code has, so it is not caught. Adds ``_code_name`` and ``_name_code``.
    """
    named = frame.filter(pl.col("area_name").is_not_null()).with_columns(
        _name=pl.col("area_name").str.strip_chars().str.to_lowercase()
    )
    code_name = _most_common(named, "area_code", "_name", "area_name", "_code_name")
    name_code = _most_common(named, "_name", "area_code", "area_code", "_name_code")
    return (
        named.join(code_name, on="area_code")
        .join(name_code, on="_name")
        .filter(
            (pl.col("_name") != pl.col("_code_name").str.strip_chars().str.to_lowercase())
            & (pl.col("area_code") != pl.col("_name_code"))
        )
        .drop("_name")
    )


def _most_common(frame: pl.DataFrame, key: str, by: str, shown: str, alias: str) -> pl.DataFrame:
    """Returns, per ``key``, the ``shown`` value of its most frequent ``by`` (ties by order)."""
    counted = frame.group_by(key, by, maintain_order=True).agg(
        pl.len().alias("_n"), pl.col(shown).first().alias(alias)
    )
    return (
        counted.sort("_n", descending=True, maintain_order=True)
        .group_by(key)
        .first()
        .select(key, alias)
    )


def _what_area(code: pl.Expr) -> pl.Expr:
    described = pl.lit("not an area code we know")
    for pattern, words in reversed(_NOT_ENGLISH):
        described = (
            pl.when(code.str.to_uppercase().str.contains(pattern))
            .then(pl.lit(words))
            .otherwise(described)
        )
    return described


def _indicators(
    frame: pl.DataFrame, metadata: pl.DataFrame | None, notes: list[str]
) -> pl.DataFrame:
    """Returns one row per indicator name in the file: ``indicator``, ``_indicator_id`` and
    the proposed indicator's columns, from the metadata where a row matches."""
    described = frame.group_by("indicator", maintain_order=True).agg(
        pl.col("category").drop_nulls().first(),
        pl.col("measure").drop_nulls().first(),
        pl.col("unit").drop_nulls().first(),
    )
    names = described["indicator"].to_list()
    meta_rows: list[dict] = []
    if metadata is not None:
        columns = find_columns(metadata, METADATA_COLUMNS)
        meta_rows = metadata.select(
            *[pl.col(columns[c]).alias(c) for c in columns],
            *[pl.lit(None, pl.String).alias(c) for c in METADATA_COLUMNS if c not in columns],
        ).to_dicts()
    matches = match_names(names, meta_rows)
    unmatched = [n for n in names if n not in matches]
    if metadata is None:
        notes.append(
            "No metadata file was given: indicator ids are made from the names and polarity "
            "is unknown. Upload the metadata file with the data to set both."
        )
    elif unmatched:
        notes.append(
            f"{len(unmatched)} indicator(s) have no row in the metadata ("
            + "; ".join(unmatched[:3])
            + (" …" if len(unmatched) > 3 else "")
            + "); their ids are made from their names and their polarity is unknown."
        )
    rows = []
    blank_polarity = []
    for record in described.to_dicts():
        meta = meta_rows[matches[record["indicator"]]] if record["indicator"] in matches else {}
        own_id = (meta.get("id") or "").strip()
        indicator_id = ID_PREFIX + (own_id or name_id(record["indicator"]))
        unit = _tidy_unit(record["unit"]) or _tidy_unit(meta.get("unit"))
        value_type, multiplier = _value_type(record["measure"] or meta.get("measure"), unit)
        polarity_text = (meta.get("polarity") or "").strip().lower()
        polarity = POLARITIES.get(polarity_text)
        if meta and not polarity_text:
            blank_polarity.append(indicator_id)
        rows.append(
            {
                "indicator": record["indicator"],
                "_indicator_id": indicator_id,
                "indicator_id": indicator_id,
                "name": (meta.get("name") or record["indicator"]).strip(),
                "unit": unit,
                "value_type": value_type,
                "multiplier": multiplier,
                "polarity": polarity if polarity else ("none" if meta else None),
                "source": SOURCE,
                "theme": record["category"] or meta.get("category"),
            }
        )
    _make_unique(rows)
    if blank_polarity:
        notes.append(
            f"The metadata gives no polarity for {len(blank_polarity)} indicator(s) (it marks "
            "only those where lower is better, as Negative); they are proposed with polarity "
            "none (no judgement). Set higher where higher is better before creating them."
        )
    schema = {"indicator": pl.String, "_indicator_id": pl.String, **PROPOSED_SCHEMA}
    return pl.DataFrame(rows, schema=schema)


def match_names(names: list[str], metadata: list[dict]) -> dict[str, int]:
    """Returns {name in the data file: index of its metadata row}, one row per name.

    Names are compared as sets of words (cut to four letters, so 'smoking' meets 'smoke'),
    against both the metadata's full and shortened names; the best-scoring pairs are taken
    first and pairs sharing too few words are left unmatched.
    """
    scored = []
    for name in names:
        words = _words(name)
        for index, row in enumerate(metadata):
            score = max(
                _similarity(words, _words(row.get(key) or "")) for key in ("name", "short_name")
            )
            if score >= _MATCH_THRESHOLD:
                scored.append((-score, name, index))
    matches: dict[str, int] = {}
    taken: set[int] = set()
    for _, name, index in sorted(scored):
        if name not in matches and index not in taken:
            matches[name] = index
            taken.add(index)
    return matches


def _words(text: str) -> set[str]:
    return {w[:4] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP_WORDS}


def _similarity(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _slug(name: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z0-9]+", name) if w.lower() not in _STOP_WORDS]
    return "-".join(w.lower() for w in words[:6]) or "indicator"


def _fingerprint(name: str) -> str:
    """Returns six hex digits of the SHA-256 of the name, compared without case or extra spaces."""
    text = " ".join(name.lower().split())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def name_id(name: str) -> str:
    """Returns an id made from an indicator's name: its first words and a fingerprint of the
    whole name.

    The words keep the id readable; the fingerprint keeps names that differ only after them
    apart ('... by public transport', '... by car'), and depends on the name alone, so the
    same name gets the same id in every upload whatever else the file holds.
    """
    return f"{_slug(name)}-{_fingerprint(name)}"


def _make_unique(rows: list[dict]) -> None:
    """Gives each indicator whose id another name also has (two metadata rows with one
    ``Worksheet``) its name's fingerprint, so no two names share an id."""
    names_by_id: dict[str, set[str]] = {}
    for row in rows:
        names_by_id.setdefault(row["_indicator_id"], set()).add(row["indicator"])
    for row in rows:
        if len(names_by_id[row["_indicator_id"]]) > 1:
            unique = f"{row['_indicator_id']}-{_fingerprint(row['indicator'])}"
            row["_indicator_id"] = row["indicator_id"] = unique


def _tidy_unit(unit: str | None) -> str | None:
    """Returns the unit as written, with 'NA' as none and '100, 000' as '100,000'."""
    if unit is None or unit.strip().upper() in ("", *NOT_PUBLISHED):
        return None
    return re.sub(r"(\d), (\d{3})", r"\1,\2", unit.strip())


def _value_type(measure: str | None, unit: str | None) -> tuple[str, float | None]:
    """Returns (value type, multiplier) from the ONS measure and unit."""
    text = f"{measure or ''} {unit or ''}".lower().replace(", ", ",")
    if "%" in text or "percentage" in text:
        return "proportion", 100.0
    per = re.search(r"per\s+(million|[\d,]+)", text)
    if per:
        scale = per.group(1)
        return "rate", 1e6 if scale == "million" else float(scale.replace(",", ""))
    if any(w in text for w in ("score", "rating")):
        return "score", None
    if any(w in text for w in ("number", "houses", "starts", "completions", "achievements")):
        return "count", None
    if "million" in text:
        return "count", None  # a total in £ million
    return "mean", None
