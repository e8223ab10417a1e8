"""The results: a table on the terminal, and RESULTS.md (with a JSON copy) on disk."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.figures import SECTIONS, Figure

HEADINGS = {
    "load": "Load: a CSV of indicator values into a table",
    "queries": "Queries: the data behind each page (milliseconds)",
    "pages": "Pages: render time through Streamlit's AppTest",
    "memory": "Memory: a real server, every page opened once in headless chromium",
    "growth": "Growth: the same figure at the largest size ÷ at the smallest",
}


def number(value: float, unit: str) -> str:
    """Returns a value formatted for its unit."""
    if value != value:  # NaN
        return "—"
    if unit == "rows/s":
        return f"{value:,.0f}"
    if unit == "MB":
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"
    if unit == "×":
        return f"{value:.2f}"
    return f"{value:.3g}" if value < 100 else f"{value:,.0f}"


def cells(figure: Figure) -> dict[str, str]:
    """Returns the table cells of one figure."""
    unit = figure.unit
    measured = figure.measured
    met = {True: "yes", False: "**no**", None: "—"}[figure.met]
    return {
        "figure": figure.name,
        "rows": f"{figure.rows:,}" if figure.rows else "—",
        "median": f"{number(figure.median, unit)} {unit}" if measured else "not measured",
        "spread (min–max)": (
            f"{number(figure.low, unit)}–{number(figure.high, unit)}" if measured else "—"
        ),
        "p95": number(figure.p95, unit) if measured and unit in ("ms", "s") else "—",
        "runs": str(len(figure.samples)),
        "target": figure.target or "—",
        "met": met,
        "command": f"`{figure.command}`" if figure.command else "—",
        "notes": figure.note,
    }


def markdown_table(figures: list[Figure]) -> str:
    rows = [cells(f) for f in figures]
    header = list(rows[0])
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join(row[h].replace("|", "\\|") for h in header) + " |")
    return "\n".join(lines)


def results_markdown(figures: list[Figure], facts: dict[str, str], title: str) -> str:
    """Returns the Markdown of one run: what it ran on, then a table per section."""
    lines = [f"# {title}", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in facts.items()]
    lines += [
        "",
        "Each figure: the median of its runs, the spread as min–max, p95 for latencies, the "
        "target from the brief's quality bars and whether the median meets it. The command "
        "column reproduces the figure (from the project folder, with the venv's python).",
    ]
    for section in SECTIONS:
        chosen = [f for f in figures if f.section == section]
        if not chosen:
            continue
        lines += ["", f"## {HEADINGS[section]}", "", markdown_table(chosen)]
    missed = [f for f in figures if f.met is False]
    lines += ["", "## Targets missed", ""]
    if missed:
        lines += [
            f"- {f.name} at {f.rows:,} rows: {cells(f)['median']} against {f.target}"
            if f.rows
            else f"- {f.name}: {cells(f)['median']} against {f.target}"
            for f in missed
        ]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def write_results(
    figures: list[Figure], facts: dict[str, str], path: Path, title: str, append: bool
) -> None:
    """Writes RESULTS.md and RESULTS.json beside it (each replaced, or appended to)."""
    text = results_markdown(figures, facts, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = path.read_text(encoding="utf-8") if path.exists() else ""
    if append and previous:
        text = previous.rstrip() + "\n\n---\n\n" + text
    elif kept := sessions_section(previous):
        # The concurrent-sessions figures come from their own command: keep them.
        text = text.rstrip() + "\n\n" + kept + "\n"
    path.write_text(text, encoding="utf-8")
    record = {"facts": facts, "figures": [f.record() for f in figures]}
    data = path.with_suffix(".json")
    runs = json.loads(data.read_text())["runs"] if append and data.exists() else []
    data.write_text(json.dumps({"runs": [*runs, record]}, indent=1), encoding="utf-8")


def sessions_section(text: str) -> str:
    """Returns the concurrent-sessions section of a RESULTS.md (markers included), or ''."""
    from benchmarks.sessions import MARKERS

    if MARKERS[0] not in text or MARKERS[1] not in text:
        return ""
    inside = text.split(MARKERS[0], 1)[1].split(MARKERS[1], 1)[0]
    return MARKERS[0] + inside + MARKERS[1]


def print_table(figures: list[Figure]) -> None:
    """Prints the figures as a plain table (figure, rows, median, spread, target, met)."""
    header = ["figure", "rows", "median", "spread (min–max)", "target", "met"]
    rows = [[cells(f)[h].replace("**", "") for h in header] for f in figures]
    widths = [min(max(len(r[i]) for r in [header, *rows]), 70) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell[:70].ljust(width) for cell, width in zip(row, widths, strict=True)))
