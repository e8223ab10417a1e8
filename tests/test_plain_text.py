"""Text from a file is data: the validation report's CSV download cannot run as formulas."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from warehouse.settings import get_settings

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")


@pytest.fixture
def downloads(monkeypatch):
    """Records the bytes of every file the app offers for download: file name -> content."""
    seen: dict[str, bytes] = {}
    real = MediaFileManager.add

    def spy(self, content, mimetype, coordinates, file_name=None, is_for_static_download=False):
        if file_name:
            seen[file_name] = content if isinstance(content, bytes) else str(content).encode()
        return real(self, content, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add", spy)
    return seen


def test_the_validation_report_download_neutralises_formulas(demo_copy, monkeypatch, downloads):
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(demo_copy.data_dir))
    monkeypatch.setenv("OUTCOMES_DEMO_ON_FIRST_START", "false")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/upload.py").run()
    body = (
        "indicator_id,area_code,period,value\n"
        'NI 116,E06000001,2008/09,"=HYPERLINK(""http://x"")"\n'
        "NI 116,E06000001,2009/10,@SUM(1)\n"
    )
    at.file_uploader[0].upload("formulas.csv", body.encode(), "text/csv").run()
    assert not at.exception
    report = downloads["formulas-report.csv"].decode()
    # The house rule (OWASP): a text cell starting = + - @ gets a leading apostrophe.
    assert '"\'=HYPERLINK(""http://x"")"' in report
    assert ",'@SUM(1)," in report
    assert '"=HYPERLINK' not in report and ",@SUM(1)," not in report
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()
