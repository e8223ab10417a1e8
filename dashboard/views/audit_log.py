"""Audit log (administrators): who signed in, loaded, rolled back, downloaded or was refused."""

from datetime import date, datetime, time

import streamlit as st

from dashboard import data, layout
from warehouse.audit import audit_entries, audited_actions

st.title("Audit log", anchor=False)
st.caption(
    "Every sign-in, upload, rollback, download, configuration change and refused attempt, "
    "newest first. Entries are only ever added; none is changed or removed."
)

actor, action, outcome, since = st.columns([2, 1, 1, 1])
who = actor.text_input("Who (e-mail or name contains)", key="audit_actor")
what = action.selectbox(
    "Action",
    [None, *audited_actions(data.cursor())],
    format_func=lambda a: "All actions" if a is None else a,
    key="audit_action",
)
result = outcome.selectbox(
    "Outcome",
    [None, "succeeded", "refused", "failed"],
    format_func=lambda o: "All outcomes" if o is None else o,
    key="audit_outcome",
)
start: date | None = since.date_input("Since", value=None, key="audit_since")

entries = audit_entries(
    data.cursor(),
    actor=who or None,
    action=what,
    outcome=result,
    since=datetime.combine(start, time.min) if start else None,
)
st.write(f"{entries.height:,} entries")
st.dataframe(
    entries.drop("entry_id"),
    hide_index=True,
    column_config={
        "happened_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm:ss"),
        "actor": "Who",
        "actor_name": "Name",
        "roles": "Roles",
        "action": "Action",
        "outcome": "Outcome",
        "region_code": "Region",
        "target": "Target",
        "detail": st.column_config.TextColumn("Detail", width="large"),
    },
)
layout.download_button(
    "Download these entries (CSV)",
    layout.safe_csv(entries),
    file_name="audit-log.csv",
    mime="text/csv",
    icon=":material/download:",
)
