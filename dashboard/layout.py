"""Shared page furniture: house style, banners, the region picker kept in the URL."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import data
from warehouse import reference_queries

# Our own static markup only: a visible yellow keyboard focus (GOV.UK convention).
_HOUSE_CSS = """
<style>
:focus-visible { outline: 3px solid #ffdd00 !important; outline-offset: 0 !important;
                 box-shadow: 0 0 0 6px #0b0c0c !important; }
@media print { [data-testid="stSidebar"], header, [data-testid="stToolbar"] { display: none !important; } }
</style>
"""


def apply_house_style() -> None:
    """Adds the focus highlight and print rules every page shares."""
    st.html(_HOUSE_CSS)


def mode_banner() -> None:
    """Says plainly that the data is synthetic and, in demo mode, that nobody signed in."""
    if data.settings().auth_mode == "none":
        st.info(
            "Demo mode: no sign-in. Everyone acts as administrator. "
            "The figures are synthetic demonstration data, not official statistics.",
            icon=":material/info:",
        )


def region_picker() -> dict:
    """Returns the chosen region (code and name), kept in the URL as ``?region=E12000001``."""
    regions: pl.DataFrame = data.read(reference_queries.regions)
    codes = regions["region_code"].to_list()
    names = dict(zip(codes, regions["name"].to_list(), strict=True))
    wanted = st.query_params.get("region")
    index = codes.index(wanted) if wanted in codes else 0
    code = st.sidebar.selectbox(
        "Region", codes, index=index, format_func=names.__getitem__, key="region_picker"
    )
    st.query_params["region"] = code
    return {"code": code, "name": names[code]}
