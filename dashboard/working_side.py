"""The working side of an outcome department on the pages (issue 15): who is working where,
and the comments and agreed actions beside the numbers.

Each function lays out one section; every number and sentence comes from ``warehouse.programmes``
or ``warehouse.commentary``. Text from the register, comments and actions is shown with
``st.text`` or inside tables, so it is never read as Markdown or HTML.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta

import polars as pl
import streamlit as st

from dashboard import data, layout
from dashboard.plain import plain_markdown
from warehouse import commentary, programmes
from warehouse.access import Action, PermissionRefused

CONTACT_COLUMNS = {
    "outcome_department": "Outcome department",
    "programme": "Programme",
    "department": "Department",
    "role": "Role",
    "contact_name": "Contact",
    "contact_email": "E-mail",
}
#: How many open actions the overview lists (soonest due first).
OVERVIEW_ACTIONS = 10
ACTION_COLUMNS = {
    "what": "What was agreed",
    "owner": "Owner",
    "due_date": "Due",
    "status": "Status",
    "discussed": "Discussed",
    "area_name": "Area",
    "indicator_id": "Indicator",
}


def who_is_working_here(region_code: str, area_code: str) -> None:
    """Shows the programmes working in the area, by outcome, and everyone's contacts."""
    st.header("Who is working here", anchor=False)
    counts = data.read(programmes.who_is_working_here, area_code)
    if counts.is_empty():
        st.text("No national programme in the register works in this area.")
        return
    for sentence in counts["sentence"]:
        st.text(sentence)
    contacts = data.read(programmes.programme_presence, region_code, area_code=area_code)
    st.caption(
        "Everyone working on the same outcome here, so they can meet: one row per programme, "
        "role and contact."
    )
    st.dataframe(
        contacts.select(list(CONTACT_COLUMNS)).rename(CONTACT_COLUMNS),
        hide_index=True,
        key=f"contacts_{area_code}",
    )


def programme_coverage(outcome_department_id: str) -> None:
    """Shows each area's programmes on the department's outcome, its overlaps and its gaps."""
    st.header("Who is working on this outcome", anchor=False)
    coverage = data.read(programmes.area_coverage, outcome_department_id)
    st.text(programmes.coverage_sentence(coverage))
    st.dataframe(
        coverage.select("area_name", "programmes", "off_track_goals", "finding", "programme_names"),
        hide_index=True,
        column_config={
            "area_name": "Area",
            "programmes": st.column_config.NumberColumn("Programmes", format="%d"),
            "off_track_goals": st.column_config.NumberColumn(
                "Priority goals off track", format="%d"
            ),
            "finding": "Overlap or gap",
            "programme_names": "Programmes working here",
        },
        key=f"coverage_{outcome_department_id}",
    )
    with st.expander("Programmes × areas"):
        st.dataframe(
            data.read(programmes.programme_grid, outcome_department_id),
            hide_index=True,
            key=f"grid_{outcome_department_id}",
        )


def region_programme_lines(region_code: str) -> None:
    """Shows one line per outcome department: programmes, overlaps, gaps; and overdue actions."""
    summary = data.read(programmes.region_programme_summary, region_code)
    overdue = data.read(commentary.overdue_actions, region_code)
    st.header("Who is working on what", anchor=False)
    for row in summary.iter_rows(named=True):
        st.text(f"{row['outcome_department']}: {row['sentence']}")
    st.subheader("Agreed actions", anchor=False)
    st.text(commentary.overdue_sentence(overdue.height))
    actions = data.read(commentary.actions_for, region_code)
    open_actions = actions.filter(pl.col("status") == "open")
    if open_actions.height:
        shown = open_actions.head(OVERVIEW_ACTIONS)
        st.caption(
            f"Open actions, soonest due first ({shown.height} of {open_actions.height}); "
            "each page's Commentary and actions has the rest."
        )
        st.dataframe(_action_table(shown), hide_index=True, key="overview_actions")


def commentary_panel(
    region_code: str,
    outcome_department_id: str | None,
    indicator_id: str | None = None,
    area_code: str | None = None,
    key: str = "panel",
    indicators: dict[str, str] | None = None,
) -> None:
    """Shows the current comments and agreed actions for the subject, with forms to add them
    for users who may write, and "mark discussed" for ministers. ``indicators`` (id: name)
    are offered in the forms, so an entry can be about one of them."""
    st.header("Commentary and actions", anchor=False)
    subject = dict(
        outcome_department_id=outcome_department_id, indicator_id=indicator_id, area_code=area_code
    )
    actions = data.read(commentary.actions_for, region_code, **subject)
    comments = data.read(commentary.comments_for, region_code, **subject)
    _show_actions(actions, region_code, key)
    if comments.is_empty():
        st.text("No comments yet.")
    for row in comments.iter_rows(named=True):
        st.text(f"{row['author']}, {row['written_at']:%d %B %Y}: {row['body']}")
    user = data.operator()
    if user.can(Action.COMMENT):
        target = commentary.Subject(region_code, **subject)
        _comment_form(target, key, indicators or {})
        _action_form(target, key, indicators or {})


def _action_table(actions: pl.DataFrame) -> pl.DataFrame:
    """Returns the actions with their columns in words, "discussed" as yes or no."""
    return (
        actions.with_columns(
            # As a date in words: the grid would show a date column with a time of day.
            pl.col("due_date").dt.strftime("%d %b %Y"),
            pl.col("discussed").replace_strict(
                {True: "yes", False: "no"}, default="no", return_dtype=pl.String
            ),
        )
        .select(list(ACTION_COLUMNS))
        .rename(ACTION_COLUMNS)
    )


def _show_actions(actions: pl.DataFrame, region_code: str, key: str) -> None:
    if actions.is_empty():
        st.text("No agreed actions yet.")
        return
    st.dataframe(_action_table(actions), hide_index=True, key=f"actions_{key}")
    export = data.read(commentary.actions_export, region_code)
    buffer = io.BytesIO()
    export.write_excel(buffer)
    left, right = st.columns(2)
    with left:
        layout.download_button(
            "Download actions (CSV)",
            export.write_csv(),
            file_name="actions.csv",
            mime="text/csv",
            key=f"actions_csv_{key}",
        )
    with right:
        layout.download_button(
            "Download actions (XLSX)",
            buffer.getvalue(),
            file_name="actions.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"actions_xlsx_{key}",
        )
    if data.operator().can(Action.MARK_DISCUSSED):
        open_ones = dict(actions.select("action_id", "what").iter_rows())
        chosen = st.selectbox(
            "Mark an action discussed",
            list(open_ones),
            format_func=open_ones.__getitem__,
            index=None,
            key=f"discuss_{key}",
        )
        if chosen and st.button("Mark discussed", key=f"discuss_button_{key}"):
            _save(lambda: commentary.mark_discussed(data.cursor(), data.operator(), chosen))
    if data.operator().can(Action.COMMENT):
        _status_form(actions, region_code, key)


def _status_form(actions: pl.DataFrame, region_code: str, key: str) -> None:
    """A form to record that an action is done or dropped (or open again): a new version."""
    rows = {row["action_id"]: row for row in actions.iter_rows(named=True)}
    with st.form(f"status_form_{key}", clear_on_submit=True):
        chosen = st.selectbox(
            "Update an action",
            list(rows),
            index=None,
            format_func=lambda a: f"{rows[a]['what']} ({rows[a]['status']})",
        )
        status = st.radio("New status", commentary.STATUSES, horizontal=True)
        if st.form_submit_button("Save status") and chosen:
            row = rows[chosen]
            _save(
                lambda: commentary.write_action(
                    data.cursor(),
                    data.operator(),
                    commentary.Subject(region_code),
                    row["what"],
                    row["owner"],
                    row["due_date"],
                    status=status,
                    action_id=chosen,
                )
            )


def _about(subject: commentary.Subject, indicators: dict[str, str], key: str):
    """Returns the subject, about the indicator chosen in the form if one was."""
    if not indicators or subject.indicator_id is not None:
        return lambda: subject
    chosen = st.selectbox(
        "About the indicator (optional)",
        list(indicators),
        index=None,
        format_func=lambda i: f"{i}: {indicators[i]}",
        key=f"about_{key}",
    )
    return lambda: replace(subject, indicator_id=chosen)


def _comment_form(subject: commentary.Subject, key: str, indicators: dict[str, str]) -> None:
    with st.form(f"comment_form_{key}", clear_on_submit=True):
        about = _about(subject, indicators, f"comment_{key}")
        body = st.text_area("Add a comment", max_chars=commentary.MAX_COMMENT_CHARS)
        if st.form_submit_button("Save comment"):
            _save(lambda: commentary.write_comment(data.cursor(), data.operator(), about(), body))


def _action_form(subject: commentary.Subject, key: str, indicators: dict[str, str]) -> None:
    with st.form(f"action_form_{key}", clear_on_submit=True):
        about = _about(subject, indicators, f"action_{key}")
        what = st.text_input("Agreed action", max_chars=commentary.MAX_ACTION_CHARS)
        owner = st.text_input("Owner (a person or a department)", max_chars=120)
        due = st.date_input("Due", value=date.today() + timedelta(days=28))
        if st.form_submit_button("Save action"):
            _save(
                lambda: commentary.write_action(
                    data.cursor(), data.operator(), about(), what, owner, due
                )
            )


def _save(write) -> None:
    """Runs one write; says what went wrong in a sentence, or refreshes the page's data."""
    try:
        write()
    except (commentary.InvalidEntry, PermissionRefused) as problem:
        st.error(plain_markdown(str(problem)), icon=":material/error:")
        return
    data.refresh()
    st.rerun()
