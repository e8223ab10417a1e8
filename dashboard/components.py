"""Small pieces of our own markup (status badges, outcome cards), built as escaped HTML.

Every value placed in the markup passes through ``html.escape``: names that came from an
upload are shown as text, never interpreted. These functions are plain Python so tests can
check them without Streamlit.
"""

from __future__ import annotations

from html import escape

from dashboard.theme import status_style

_SHAPES = {
    "triangle-up": "▲",
    "triangle-down": "▼",
    "circle": "●",
    "square": "□",
    "diamond": "◆",
}

CARD_CSS = """
<style>
.od-card { border: 1px solid #b1b4b6; border-radius: 6px; padding: 8px 10px; height: 100%;
           background: #ffffff; }
.od-card h2 { font-size: 1rem; margin: 0 0 2px 0; padding: 0; line-height: 1.2; }
.od-card p { margin: 0; font-size: 0.8rem; color: #0b0c0c; }
.od-row { margin: 3px 0 0 0; display: flex; flex-wrap: wrap; gap: 3px; align-items: center; }
.od-label { font-size: 0.75rem; font-weight: 700; margin-right: 2px; color: #0b0c0c; }
.badge { display: inline-block; border-radius: 3px; padding: 0 5px; font-size: 0.75rem;
         line-height: 1.35; white-space: nowrap; border: 1px solid #0b0c0c; }
</style>
"""


def badge(status: str | None, count: int | None = None) -> str:
    """Returns a badge: shape, status word and optional count, on the status colour."""
    fill, ink, shape = status_style(status)
    word = status or "Not assessed"
    label = f"{_SHAPES.get(shape, '')} {word}" + (f" {count}" if count is not None else "")
    return (
        f'<span class="badge" style="background:{fill};color:{ink}">{escape(label.strip())}</span>'
    )


def count_badges(counts: dict[str, int], skip_zero: bool = True) -> str:
    """Returns badges for status counts, in the order given, skipping zero counts."""
    return " ".join(badge(word, n) for word, n in counts.items() if n or not skip_zero)


def outcome_card(row: dict, target_columns: dict[str, str], england_columns: dict[str, str]) -> str:
    """Returns the markup of one outcome-department card from a ``region_overview`` row."""
    targets = {word: int(row.get(column) or 0) for column, word in target_columns.items()}
    # Cells with no target are many and say little; they are counted in words, not a badge.
    untargeted = targets.pop("No target", 0)
    england = {word: int(row.get(column) or 0) for column, word in england_columns.items()}
    latest = row.get("latest_period") or "no data yet"
    return (
        '<div class="od-card">'
        f"<h2>{escape(row['name'])}</h2>"
        f"<p>{int(row.get('indicators') or 0)} indicators · latest data {escape(str(latest))}"
        f" · {untargeted} without a target</p>"
        f'<div class="od-row"><span class="od-label">Targets:</span>{count_badges(targets)}</div>'
        f'<div class="od-row"><span class="od-label">Against England:</span>{count_badges(england)}</div>'
        "</div>"
    )
