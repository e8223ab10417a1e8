"""Configure outcome departments (administrators): members, chair and priority goals."""

import polars as pl
import streamlit as st

from dashboard import data, layout
from pipelines.outcome_department_config import (
    MAX_PRIORITY_GOALS,
    ConfigurationRefused,
    Goal,
    configure_outcome_department,
)
from warehouse import outcome_queries, reference_queries
from warehouse.access import PermissionRefused
from warehouse.outcome_configuration import department_configuration

st.title("Configure outcome departments", anchor=False)
st.caption(
    "Each save is recorded as a batch, with who and when, and can be rolled back on the Data "
    f"batches page. At most {MAX_PRIORITY_GOALS} priority goals per outcome department: "
    "the fewer goals the better."
)

if flash := st.session_state.pop("configure_flash", None):
    st.success(flash, icon=":material/check_circle:")

region = layout.region_picker()
departments = data.read(outcome_queries.outcome_department_names, region["code"])
names = dict(departments.select("outcome_department_id", "name").iter_rows())
department_id = layout.url_select(
    "Outcome department", list(names), "department", names.__getitem__, sidebar=True
)
config = data.read(department_configuration, department_id)
catalogue = data.read(reference_queries.indicators)
indicator_names = dict(catalogue.select("indicator_id", "name").iter_rows())
version = data.current_version()

st.header(names[department_id], anchor=False)
chair = st.text_input(
    "Chair", value=config.department["chair"], key=f"chair_{department_id}_{version}"
)
members = st.multiselect(
    "Member indicators",
    list(indicator_names),
    default=[m for m in config.members if m in indicator_names],
    format_func=lambda i: f"{i}: {indicator_names[i]}",
    key=f"members_{department_id}_{version}",
)
st.subheader("Goals", anchor=False)
st.caption("Tick the priority goals. Add a row for a new goal.")
goals = st.data_editor(
    config.goals,
    num_rows="dynamic",
    hide_index=True,
    key=f"goals_{department_id}_{version}",
    column_config={
        "goal_id": st.column_config.TextColumn("Id", disabled=True),
        "goal": st.column_config.TextColumn("Goal", width="large", required=True),
        "indicator_id": st.column_config.SelectboxColumn(
            "Indicator", options=list(indicator_names)
        ),
        "priority": st.column_config.CheckboxColumn("Priority", default=False),
    },
)
priorities = int(pl.Series(goals["priority"]).fill_null(False).sum())
st.write(f"{priorities} of at most {MAX_PRIORITY_GOALS} priority goals.")

if st.button("Save this outcome department", type="primary", key="configure_save"):
    wanted = [
        Goal(
            goal=str(row["goal"] or ""),
            indicator_id=row["indicator_id"] or None,
            priority=bool(row["priority"]),
            goal_id=row["goal_id"] or None,
        )
        for row in pl.DataFrame(goals).iter_rows(named=True)
    ]
    try:
        batch_id = configure_outcome_department(
            data.cursor(),
            data.operator(),
            department_id,
            chair=chair,
            members=members,
            goals=wanted,
        )
    except (ConfigurationRefused, PermissionRefused) as error:
        st.error(str(error), icon=":material/error:")
    else:
        data.refresh()
        st.session_state["configure_flash"] = (
            f"Saved {names[department_id]} as batch {batch_id}. "
            "Roll it back on the Data batches page to undo it."
        )
        st.rerun()
