"""Links into the app work for the first visitor after a (re)start.

People share links (the explorer keeps its whole view in the address bar for that), so the
first page a fresh server is asked for is often not the root. Streamlit serves files in a
``pages/`` folder beside the entry point as a classic multipage app until ``app.py`` has run
once, which dropped the banner, the house style and the menu titles for that visitor; the
page scripts now live in ``dashboard/views/``. Every page opening at its written
``url_path`` is checked by ``test_pages.py`` (on a warmed-up server).
"""

from __future__ import annotations

import pytest

from dashboard.navigation import PAGES
from tests.e2e.support import error_dialog_text, open_page

pytestmark = pytest.mark.e2e


def test_a_deep_link_to_a_fresh_server_runs_the_app_entry_point(page, private_server):
    deep = PAGES[-1]
    open_page(page, private_server.base_url, deep)
    assert error_dialog_text(page) is None, error_dialog_text(page)
    menu = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert [text.splitlines()[-1] for text in menu] == [p.title for p in PAGES]
    assert page.get_by_text("Demo mode: no sign-in").is_visible()
