"""The checks can fail: a deliberately broken page trips axe and the chart-name, chart-contrast
and focus checks. Without this, a check that silently stopped working would look like a pass."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.server import ServerDidNotStart, StreamlitServer, start_streamlit
from tests.e2e.support import (
    chart_names,
    focus_indicator,
    format_violations,
    low_contrast_chart_text,
    open_page,
    run_axe,
    unnamed_charts,
)

pytestmark = pytest.mark.e2e

BROKEN_PAGE = Path(__file__).parent / "fixtures" / "broken_page.py"


@pytest.fixture(scope="module")
def broken_server(e2e_tools, tmp_path_factory) -> Iterator[StreamlitServer]:
    """The broken page served once for this module's tests (it reads and writes nothing)."""
    folder = tmp_path_factory.mktemp("broken-page")
    try:
        server = start_streamlit(folder / "data", folder / "streamlit.log", script=BROKEN_PAGE)
    except ServerDidNotStart as error:
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def broken(broken_server, page):
    open_page(page, broken_server.base_url, "")
    page.get_by_text("Deliberately broken page").wait_for()
    return page


def test_axe_reports_the_image_without_alt_text_and_the_unlabelled_field(broken):
    violations = {v["id"]: v for v in run_axe(broken)}

    assert "image-alt" in violations, format_violations(list(violations.values()))
    assert any("img" in str(node["target"]) for node in violations["image-alt"]["nodes"])
    assert "label" in violations, format_violations(list(violations.values()))
    message = format_violations(list(violations.values()))
    assert "image-alt (critical)" in message and "at " in message


def test_the_chart_name_check_finds_the_chart_without_alt_text(broken):
    charts = chart_names(broken)
    assert len(charts) == 2
    unnamed = unnamed_charts(broken)
    assert [c["index"] for c in unnamed] == [0]
    assert unnamed[0]["role"] is None and unnamed[0]["name"] == ""
    assert charts[1]["role"] == "figure"
    assert charts[1]["name"] == "Bar chart of two regions: London 4, North East 3."


def test_the_focus_check_sees_a_focus_without_outline(broken):
    broken.get_by_role("link", name="Invisible focus").focus()
    focused = focus_indicator(broken)
    assert focused["tag"] == "A" and focused["visible"] is False, focused


def test_the_contrast_check_finds_faint_chart_labels(broken):
    faint = low_contrast_chart_text(broken)
    assert faint, "Streamlit's grey axis labels should be found"
    assert {t["chart"] for t in faint} == {0}, faint
