"""Indicator catalogue: every indicator's definition, polarity, unit, owner and PSAs, searchable."""

import streamlit as st

from dashboard import data
from warehouse import reference_queries

st.title("Indicator catalogue")
st.caption(
    "What each indicator measures, who owns it, which PSAs it serves and how far its "
    "facts are verified."
)

catalogue = data.read(reference_queries.indicators)
departments = data.read(reference_queries.departments)
left, right = st.columns([2, 1])
text = left.text_input(
    "Search indicators", placeholder="for example: obesity, NEET, NI 116", key="catalogue_search"
)
names = dict(departments.select("department_code", "name").iter_rows())
owner = right.selectbox(
    "Owner department",
    [None, *names],
    format_func=lambda c: "All departments" if c is None else f"{c}: {names[c]}",
    key="catalogue_owner",
)
found = reference_queries.search_indicators(catalogue, text, owner)
st.write(f"{found.height} of {catalogue.height} indicators")
st.dataframe(
    found.select(
        "indicator_id",
        "name",
        "definition",
        "unit",
        "polarity",
        "owner_department",
        "psas",
        "theme",
        "source",
        "verification",
    ),
    hide_index=True,
    column_config={
        "indicator_id": st.column_config.TextColumn("Id", width="small"),
        "name": st.column_config.TextColumn("Name", width="medium"),
        "definition": st.column_config.TextColumn("Definition", width="large"),
        "unit": "Unit",
        "polarity": st.column_config.TextColumn(
            "Polarity", help="higher or lower is better, or none (no judgement)"
        ),
        "owner_department": "Owner department",
        "psas": "PSAs",
        "theme": "Theme",
        "source": "Source",
        "verification": st.column_config.TextColumn("Verification", width="medium"),
    },
)
