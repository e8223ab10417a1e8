"""Region overview: the state of every outcome in the region at a glance."""

import streamlit as st

import dashboard.working_side as working_side
from dashboard import components, data, layout
from dashboard.plain import plain_markdown
from warehouse import analytics

region = layout.region_picker()
st.title(f"{plain_markdown(region['name'])}: outcomes at a glance", anchor=False)
st.caption(
    "Synthetic demonstration data. Counts are of local authorities × indicators at each "
    "indicator's latest period; every status is shown as a word, a shape and a colour."
)

overview = data.read(analytics.region_overview, region["code"])
st.html(components.CARD_CSS)
for start in range(0, overview.height, 3):
    columns = st.columns(3)
    for column, row in zip(columns, overview.slice(start, 3).iter_rows(named=True), strict=False):
        with column:
            st.html(
                components.outcome_card(
                    row, analytics.TARGET_COUNT_COLUMNS, analytics.ENGLAND_COUNT_COLUMNS
                )
            )
            st.page_link(
                "views/outcome_department.py",
                label=f"Open {row['name'].split(':')[0]}",
                icon=":material/arrow_forward:",
                query_params={"region": region["code"], "department": row["outcome_department_id"]},
            )

st.header("Priority goals", anchor=False)
goals = data.read(analytics.priority_goals, region["code"])
st.dataframe(
    goals.select(
        "outcome_department",
        "goal",
        "indicator_id",
        "period",
        "value",
        "england_value",
        "target_status",
        "compared_to_england",
        "recent_trend",
    ),
    hide_index=True,
    column_config=layout.status_columns(
        {
            "outcome_department": "Outcome department",
            "goal": st.column_config.TextColumn("Goal", width="large"),
            "indicator_id": "Indicator",
            "period": "Period",
            "value": st.column_config.NumberColumn("Region", format="%.1f"),
            "england_value": st.column_config.NumberColumn("England", format="%.1f"),
        }
    ),
)

# Full width, so the reason each area is listed can be read without scrolling.
with st.container():
    st.header("Needs attention", anchor=False)
    st.caption("Red-reds (worse than England and getting worse) and targets off track or not met.")
    needs = data.read(analytics.needs_attention, region["code"])
    st.dataframe(
        needs.select("area_name", "indicator_name", "reason", "why"),
        hide_index=True,
        column_config={
            "area_name": "Area",
            "indicator_name": "Indicator",
            "reason": "Reason",
            "why": st.column_config.TextColumn("Why", width="large"),
        },
        height=320,
    )
with st.container():
    st.header("Learn from", anchor=False)
    st.caption(
        "Green flags (better than England and improving) and the most improved among statistical neighbours."
    )
    flags = data.read(analytics.learn_from, region["code"])
    st.dataframe(
        flags.select("area_name", "indicator_name", "why"),
        hide_index=True,
        column_config={
            "area_name": "Area",
            "indicator_name": "Indicator",
            "why": st.column_config.TextColumn("Why", width="large"),
        },
        height=320,
    )

working_side.region_programme_lines(region["code"])

st.header("What changed since the previous data", anchor=False)
latest = data.read(analytics.latest_indicator_batch)
if latest is None:
    st.write("No indicator values have been loaded yet.")
else:
    # The file name came with the file: plain text, never Markdown.
    st.text(
        f"The latest data, {latest['file_name']}, was loaded on "
        f"{latest['loaded_at']:%d %B %Y}: {latest['rows_new']:,} new values and "
        f"{latest['rows_revised']:,} revised values across England."
    )
    # Comparing the batch with the values before it reads every value it touched, so the
    # list comes on request rather than with every visit to the page.
    if st.toggle(f"List the values it changed in {region['name']}", key="overview_changes"):
        changes = data.read(analytics.changes_since_previous_batch, region["code"])
        if changes.is_empty():
            st.write("The latest batch changed nothing in this region.")
        else:
            new = changes.filter(changes["change"] == "new").height
            st.write(
                f"In {region['name']}: {new:,} new values and "
                f"{changes.height - new:,} revised values."
            )
            st.dataframe(
                changes.select(
                    "indicator_id",
                    "indicator_name",
                    "area_name",
                    "period",
                    "change",
                    "previous_value",
                    "value",
                    "difference",
                ),
                hide_index=True,
                column_config={
                    "indicator_id": "Indicator",
                    "indicator_name": "Name",
                    "area_name": "Area",
                    "period": "Period",
                    "change": "Change",
                    "previous_value": st.column_config.NumberColumn("Before", format="%.2f"),
                    "value": st.column_config.NumberColumn("Now", format="%.2f"),
                    "difference": st.column_config.NumberColumn("Difference", format="%+.2f"),
                },
                height=300,
            )
