"""Area profile: every indicator for one local authority against England and its region."""

import polars as pl
import streamlit as st

import dashboard.working_side as working_side
from dashboard import charts, data, layout
from dashboard.plain import plain_markdown
from warehouse import outcome_queries, reference_queries
from warehouse.analytics import area_profile
from warehouse.analytics.outcome_department import member_indicator_ids
from warehouse.breakdowns import area_breakdowns, breakdown_sections

region = layout.region_picker()
areas = data.read(reference_queries.areas, region["code"])
upper = areas.filter(pl.col("tier").is_in(["county", "unitary"]))
names = dict(upper.select("area_code", "name").iter_rows())
area_code = layout.url_select(
    "Local authority", list(names), "area", names.__getitem__, sidebar=True
)
profile = data.read(area_profile, area_code)
departments = data.read(outcome_queries.outcome_department_names, region["code"])
department_names = dict(departments.select("outcome_department_id", "name").iter_rows())
department_id = layout.url_select(
    "Indicators of",
    [None, *department_names],
    "department",
    lambda d: "All indicators" if d is None else department_names[d],
    sidebar=True,
    default_index=1,
)
if department_id is not None:
    members = data.read(member_indicator_ids, department_id)
    profile = profile.filter(pl.col("indicator_id").is_in(members))
area = upper.filter(pl.col("area_code") == area_code).row(0, named=True)

st.title(f"{plain_markdown(area['name'])}: area profile", anchor=False)
st.caption(
    f"{area['area_type']} in {region['name']} · every indicator at its latest period, compared with "
    "England (95% confidence) and the region · synthetic demonstration data"
)

counts = profile["compared_to_england"].value_counts().sort("compared_to_england")
summary = ", ".join(f"{n} {word.lower()}" for word, n in counts.rows())
st.write(f"{profile.height} indicators: {summary} compared with England.")

figure, alt = charts.spine_chart(profile, area_name=area["name"])
layout.chart_with_data(
    figure,
    alt,
    profile.select(
        "indicator_id",
        "indicator_name",
        "period",
        "value",
        "england_value",
        "england_min",
        "england_q25",
        "england_q75",
        "england_max",
        "compared_to_england",
    ),
    key="spine",
    file_name=f"{area_code}-spine.csv",
)
st.dataframe(
    profile.select(
        "indicator_id",
        "indicator_name",
        "period",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "england_value",
        "region_value",
        "compared_to_england",
        "compared_to_region",
        "recent_trend",
        "target_status",
    ),
    hide_index=True,
    column_config=layout.status_columns(
        {
            "indicator_id": "Indicator",
            "indicator_name": st.column_config.TextColumn("Name", width="large"),
            "period": "Period",
            "value": st.column_config.NumberColumn("Value", format="%.1f"),
            "lower_ci_95": st.column_config.NumberColumn("Lower 95% CI", format="%.1f"),
            "upper_ci_95": st.column_config.NumberColumn("Upper 95% CI", format="%.1f"),
            "england_value": st.column_config.NumberColumn("England", format="%.1f"),
            "region_value": st.column_config.NumberColumn("Region", format="%.1f"),
        }
    ),
)

# Breakdowns by sex, age and category of the indicators above, at their latest period.
# Names and categories come from files: plain text and table cells, never Markdown.
shown_ids = tuple(profile["indicator_id"].to_list())
breakdowns = data.read(area_breakdowns, area_code, shown_ids)
if not breakdowns.is_empty():
    st.header("Breakdowns", anchor=False)
    indicator_names = dict(profile.select("indicator_id", "indicator_name").iter_rows())
    for number, (sentence, table) in enumerate(breakdown_sections(breakdowns, indicator_names)):
        st.text(sentence)
        st.dataframe(
            table,
            hide_index=True,
            key=f"breakdowns_{number}",
            column_config={
                "sex": "Sex",
                "age": "Age",
                "category": st.column_config.TextColumn("Category", width="large"),
                "value": st.column_config.NumberColumn("Value", format="%.1f"),
                "interval": "95% interval",
            },
        )

working_side.who_is_working_here(region["code"], area_code)
working_side.commentary_panel(
    region["code"],
    department_id,
    area_code=area_code,
    key="area",
    indicators=dict(profile.select("indicator_id", "indicator_name").iter_rows()),
)
