"""Data batches: what was loaded, by whom and when; detail of one batch; roll a batch back."""

import polars as pl
import streamlit as st

from dashboard import data
from warehouse.batches import batch_history, list_batches, withdraw_batch

st.title("Data batches", anchor=False)
st.caption(
    "Every load is a batch. Rolling a batch back withdraws it: the values it replaced are current "
    "again. Nothing is deleted, and the withdrawal is recorded too."
)

if flash := st.session_state.pop("batches_flash", None):
    st.success(flash, icon=":material/check_circle:")
    # The confirmation was for the batch just withdrawn: the next batch must be confirmed
    # afresh, not rolled back by a second click on a box still ticked.
    st.session_state["rollback_sure"] = False
    st.session_state["rollback_reason"] = ""

batches = data.read(list_batches)
st.dataframe(
    batches.select(
        "created_at",
        "kind",
        "file_name",
        "operator",
        "rows_loaded",
        "rows_new",
        "rows_revised",
        "rows_skipped",
        "status",
        "withdrawn_by",
        "batch_id",
    ),
    hide_index=True,
    column_config={
        "created_at": st.column_config.DatetimeColumn("Loaded", format="D MMM YYYY, HH:mm:ss"),
        "kind": "Kind",
        "file_name": "File",
        "operator": "By",
        "rows_loaded": "Rows",
        "rows_new": "New",
        "rows_revised": "Revised",
        "rows_skipped": "Skipped",
        "status": "Status",
        "withdrawn_by": "Withdrawn by",
        "batch_id": "Batch id",
    },
)

st.header("History", anchor=False)
st.dataframe(
    data.read(batch_history),
    hide_index=True,
    column_config={
        "happened_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm:ss"),
        "event": "Event",
        "batch_id": "Batch",
        "kind": "Kind",
        "file_name": "File",
        "operator": "By",
        "note": "Reason",
    },
)

live = batches.filter((pl.col("status") == "live") & (pl.col("kind") != "reference"))
if live.is_empty():
    st.stop()
st.header("Roll back a batch", anchor=False)
labels = {
    row[
        "batch_id"
    ]: f"{row['file_name']} ({row['kind']}, {row['created_at']:%d %b %Y %H:%M}, {row['batch_id']})"
    for row in live.iter_rows(named=True)
}
batch_id = st.selectbox(
    "Batch to withdraw", list(labels), format_func=labels.__getitem__, key="rollback_batch"
)
reason = st.text_input("Reason (recorded with the withdrawal)", key="rollback_reason")
sure = st.checkbox(
    "I understand the values this batch replaced become current again", key="rollback_sure"
)
if st.button("Roll back this batch", disabled=not sure, key="rollback_go"):
    try:
        withdraw_batch(
            data.cursor(), batch_id, data.operator(), reason or None, data.settings().write_retries
        )
    except (ValueError, LookupError, RuntimeError) as error:
        st.error(str(error))
    else:
        data.refresh()
        st.session_state["batches_flash"] = (
            f"Batch {batch_id} withdrawn. The values it replaced are current again."
        )
        st.rerun()
