"""Entry point: settings, first-start demo data, navigation. Pages only lay out."""

import streamlit as st

from dashboard import auth, data, layout
from dashboard.navigation import PAGES
from warehouse.access import PermissionRefused

st.set_page_config(
    page_title="Regional outcomes dashboard", page_icon=":material/dashboard:", layout="wide"
)
layout.apply_house_style()
data.ensure_demo_data()
user = auth.gate()

# Every page is registered, so that a typed URL or a switch to a page the user may not open
# lands here and is refused (and audited) rather than silently showing the landing page;
# the menu lists only the pages the user may open.
pages = {
    page.script: st.Page(
        page.script,
        title=page.title,
        icon=page.icon,
        url_path=page.url_path or None,
        default=number == 0,
        visibility="visible" if user.can(page.action) else "hidden",
    )
    for number, page in enumerate(PAGES)
}
navigation = st.navigation(list(pages.values()))
auth.sidebar(user)
layout.mode_banner()
chosen = next(page for page in PAGES if pages[page.script] is navigation)
if not user.can(chosen.action):
    auth.refuse_page(user, chosen.title, chosen.action)
try:
    navigation.run()
except PermissionRefused as refused:
    st.error(str(refused), icon=":material/block:")
