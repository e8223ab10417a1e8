"""Programme register (analysts and administrators): national programmes and who works where.

Each save is one batch through the same checks as an uploaded register file.
"""

import polars as pl
import streamlit as st

from dashboard import data, layout
from dashboard.plain import plain_markdown
from pipelines.register_edits import save_register_edit
from warehouse import programmes
from warehouse.access import PermissionRefused

st.title("Programme register", anchor=False)
st.caption(
    "National programmes and their advisers, partnership workers, field forces and funded "
    "projects in each area. Each save is checked like an uploaded register file and recorded "
    "as one batch that can be rolled back on the Data batches page. Nothing is deleted: to end "
    "a programme or its work in an area, give it an end date."
)
if flash := st.session_state.pop("register_flash", None):
    st.success(plain_markdown(flash), icon=":material/check_circle:")

region = layout.region_picker()
version = data.current_version()
DATES = {"format": "YYYY-MM-DD"}


def save(kind: str, edited: pl.DataFrame, key: str) -> None:
    """Saves the edited table; shows the problems, or asks to confirm revisions."""
    confirm = st.session_state.get(f"confirm_{key}", False)
    try:
        outcome = save_register_edit(
            data.cursor(), kind, edited, data.operator(), confirm_revisions=confirm
        )
    except PermissionRefused as refused:
        st.error(plain_markdown(str(refused)), icon=":material/block:")
        return
    if outcome.status == "committed":
        data.refresh()
        st.session_state["register_flash"] = outcome.message
        st.rerun()
    st.warning(plain_markdown(outcome.message), icon=":material/warning:")
    if not outcome.report.is_empty():
        st.dataframe(
            outcome.report.select("row", "column", "message"),
            hide_index=True,
            column_config={"row": "Row of the table", "column": "Column", "message": "Problem"},
        )
    if outcome.status == "needs-confirmation":
        st.checkbox("Save the revisions too", key=f"confirm_{key}")


st.header("Programmes", anchor=False)
st.caption(
    "The programmes are national: saving them needs the all-regions scope. Outcome departments "
    "and indicators are lists separated by ';'."
)
register = data.read(programmes.programme_register)
edited = st.data_editor(
    register,
    num_rows="dynamic",
    hide_index=True,
    key=f"programmes_{version}",
    column_config={
        "programme_id": st.column_config.TextColumn("Id", required=True),
        "name": st.column_config.TextColumn("Name", required=True, width="medium"),
        "department_code": st.column_config.TextColumn("Department", required=True),
        "outcome_departments": st.column_config.TextColumn("Outcome departments"),
        "indicator_ids": st.column_config.TextColumn("Indicators"),
        "start_date": st.column_config.DateColumn("Start", **DATES),
        "end_date": st.column_config.DateColumn("End", **DATES),
        "funding": st.column_config.NumberColumn("Funding (£)", format="%d"),
    },
)
if st.button("Save programmes", key="save_programmes"):
    save("programmes", pl.DataFrame(edited), "programmes")

st.header(f"Who works where in {plain_markdown(region['name'])}", anchor=False)
presences = data.read(programmes.region_presences, region["code"])
edited_presences = st.data_editor(
    presences,
    num_rows="dynamic",
    hide_index=True,
    key=f"presences_{region['code']}_{version}",
    column_config={
        "programme_id": st.column_config.SelectboxColumn(
            "Programme", options=register["programme_id"].to_list(), required=True
        ),
        "area_code": st.column_config.TextColumn("Area code", required=True),
        "role": st.column_config.SelectboxColumn(
            "Role", options=["adviser", "partnership worker", "field force", "funded project"]
        ),
        "contact_name": st.column_config.TextColumn("Contact"),
        "contact_email": st.column_config.TextColumn("E-mail or team mailbox", required=True),
        "from_date": st.column_config.DateColumn("From", **DATES),
        "to_date": st.column_config.DateColumn("To", **DATES),
    },
)
if st.button("Save who works where", key="save_presences"):
    save("programme_areas", pl.DataFrame(edited_presences), "presences")
