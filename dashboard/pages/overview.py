"""Region overview: each outcome department of the chosen region at a glance."""

import streamlit as st

from dashboard import data, layout
from warehouse import outcome_queries

region = layout.region_picker()
st.title(f"{region['name']}: outcomes at a glance")
st.caption(
    "Synthetic demonstration data. Each card is a virtual outcome department: "
    "a cross-departmental group around one outcome, chaired by the Regional Minister."
)

departments = data.read(outcome_queries.outcome_departments, region["code"])
columns = st.columns(3)
for number, department in enumerate(departments.iter_rows(named=True)):
    with columns[number % 3].container(border=True):
        st.subheader(department["name"], anchor=False)
        st.write(department["outcome"])
        st.metric("Indicators", department["indicators"])
        st.write(f"Latest data: {department['latest_period'] or 'none yet'}")
        st.caption(f"Chair: {department['chair']}")
