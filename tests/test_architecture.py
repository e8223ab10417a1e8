"""House rules that code review alone would miss: where SQL lives and which way imports point."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|CREATE\s+(TABLE|VIEW)|DELETE\s+FROM|UPDATE\s+\w+\s+SET)\b",
    re.I | re.S,
)


def python_files(folder: str):
    return sorted((ROOT / folder).rglob("*.py"))


def test_no_sql_outside_the_warehouse_package():
    offenders = []
    for folder in ("pipelines", "dashboard"):
        for path in python_files(folder):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and SQL.search(node.value)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                if isinstance(node, ast.Attribute) and node.attr in {
                    "execute",
                    "sql",
                    "executemany",
                }:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} calls .{node.attr}()")
    assert offenders == []


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_dependencies_point_from_dashboard_to_pipelines_to_warehouse():
    for path in python_files("warehouse"):
        assert not imported_packages(path) & {"pipelines", "dashboard", "streamlit"}, path
    for path in python_files("pipelines"):
        assert not imported_packages(path) & {"dashboard", "streamlit"}, path


def test_uploaded_text_is_never_rendered_as_html():
    for path in python_files("dashboard"):
        text = path.read_text(encoding="utf-8")
        assert "unsafe_allow_html=True" not in text, (
            f"{path}: use st.html only for our own static markup"
        )
