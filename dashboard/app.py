"""Entry point: settings, first-start demo data, navigation. Pages only lay out."""

import streamlit as st

from dashboard import data, layout
from dashboard.navigation import PAGES

st.set_page_config(
    page_title="Regional outcomes dashboard", page_icon=":material/dashboard:", layout="wide"
)
layout.apply_house_style()
data.ensure_demo_data()

navigation = st.navigation(
    [
        st.Page(
            page.script,
            title=page.title,
            icon=page.icon,
            url_path=page.url_path or None,
            default=number == 0,
        )
        for number, page in enumerate(PAGES)
    ]
)
layout.mode_banner()
navigation.run()
