"""Normalising uploaded text: indicator ids, area codes and numbers, as Polars expressions."""

from __future__ import annotations

import polars as pl

from pipelines.readers import SUPPRESSED

_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"


def indicator_id(column: str) -> pl.Expr:
    """Returns the canonical indicator id: ``NI116``, ``ni 116`` and ``NI 0116`` become ``NI 116``;
    other ids are trimmed."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    number = text.str.to_uppercase().str.extract(r"^NI\s*0*(\d+)$")
    return pl.when(number.is_not_null()).then(pl.format("NI {}", number)).otherwise(text)


def area_code(column: str) -> pl.Expr:
    """Returns the code trimmed and upper-cased, ready to look up (GSS or old ONS code)."""
    return pl.col(column).cast(pl.String).str.strip_chars().str.to_uppercase()


def is_blank(column: str) -> pl.Expr:
    """Returns True where the cell is missing or only spaces."""
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def is_suppressed(column: str) -> pl.Expr:
    """Returns True where the cell holds a suppression mark (``*``, ``..``, ``x``, ``c``, ``-``, ``:``)."""
    return pl.col(column).str.strip_chars().str.to_lowercase().is_in(list(SUPPRESSED))


def number(column: str) -> pl.Expr:
    """Returns the cell as a float: thousands separators removed; blanks and suppression marks null."""
    text = pl.col(column).str.strip_chars()
    text = (
        pl.when(text.str.contains(_THOUSANDS)).then(text.str.replace_all(",", "")).otherwise(text)
    )
    return (
        pl.when(is_blank(column) | is_suppressed(column))
        .then(None)
        .otherwise(text.cast(pl.Float64, strict=False))
    )


def not_a_number(column: str) -> pl.Expr:
    """Returns True where the cell has text that is neither a number, blank nor a suppression mark."""
    return ~is_blank(column) & ~is_suppressed(column) & number(column).is_null()


def not_finite(column: str) -> pl.Expr:
    """Returns True where the cell reads as NaN or infinity."""
    value = number(column)
    return value.is_not_null() & (value.is_nan() | value.is_infinite())
