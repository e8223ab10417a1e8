"""Entry point: settings, first-start demo data, navigation. Pages only lay out."""

import streamlit as st

from dashboard import data, layout

st.set_page_config(
    page_title="Regional outcomes dashboard", page_icon=":material/dashboard:", layout="wide"
)
layout.apply_house_style()
data.ensure_demo_data()

pages = [
    st.Page(
        "pages/overview.py",
        title="Region overview",
        icon=":material/home:",
        default=True,
        url_path="overview",
    ),
]
navigation = st.navigation(pages)
layout.mode_banner()
navigation.run()
