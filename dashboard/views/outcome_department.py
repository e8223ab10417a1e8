"""Outcome department: who contributes what, how each indicator is doing, and where."""

import polars as pl
import streamlit as st

import dashboard.working_side as working_side
from dashboard import charts, data, layout
from dashboard.plain import plain_markdown
from warehouse import analytics, boundaries, outcome_queries

region = layout.region_picker()
departments = data.read(outcome_queries.outcome_department_names, region["code"])
names = dict(departments.select("outcome_department_id", "name").iter_rows())
department_id = layout.url_select(
    "Outcome department", list(names), "department", names.__getitem__, sidebar=True
)
profile = data.read(analytics.outcome_department_profile, department_id)
department = profile.department

# The name, outcome and chair are configured text: plain, never Markdown.
st.title(plain_markdown(department["name"]), anchor=False)
st.text(department["outcome"])
st.caption(
    plain_markdown(
        f"Chair: {department['chair']} · {region['name']} · synthetic demonstration data"
    )
)

who, psas = st.columns([3, 2])
with who:
    st.header("Member departments", anchor=False)
    st.dataframe(
        profile.member_departments.select(
            "department_code", "department", "indicators_owned", "role"
        ),
        hide_index=True,
        column_config={
            "department_code": "Code",
            "department": "Department",
            "indicators_owned": "Indicators owned",
            "role": "Role",
        },
    )
with psas:
    st.header("Public Service Agreements", anchor=False)
    st.dataframe(
        profile.psas.select("psa_id", "title", "lead_department_code"),
        hide_index=True,
        column_config={
            "psa_id": "PSA",
            "title": st.column_config.TextColumn("Title", width="large"),
            "lead_department_code": "Lead",
        },
    )

st.header("Who contributes what", anchor=False)
st.caption(
    "Each cell says how a department contributes to an indicator: as its owner, as lead of a PSA it serves, or both."
)
matrix = profile.contributions.pivot(
    on="indicator_id", index="department", values="role", aggregate_function="first"
)
# An empty cell is "does not contribute", not a missing value: show it empty, not "None".
st.dataframe(matrix.fill_null(""), hide_index=True, column_config={"department": "Department"})

st.header("Indicators at region level", anchor=False)
table = profile.indicators.with_columns(
    pl.col("recent_values")
    .list.eval(pl.element().fill_null(strategy="forward"))
    .alias("recent_values")
)
st.dataframe(
    table.select(
        "indicator_id",
        "indicator_name",
        "period",
        "value",
        "england_value",
        "target_value",
        "target_status",
        "compared_to_england",
        "recent_trend",
        "recent_values",
    ),
    hide_index=True,
    column_config=layout.status_columns(
        {
            "indicator_id": "Indicator",
            "indicator_name": st.column_config.TextColumn("Name", width="large"),
            "period": "Latest period",
            "value": st.column_config.NumberColumn("Region", format="%.1f"),
            "england_value": st.column_config.NumberColumn("England", format="%.1f"),
            "target_value": st.column_config.NumberColumn("Target", format="%.1f"),
            "recent_values": st.column_config.LineChartColumn("Last five periods"),
        }
    ),
)

with_data = profile.indicators.drop_nulls("value")
if with_data.is_empty():
    st.info("No indicator of this outcome department has data for the region yet.")
    st.stop()
indicator_names = dict(with_data.select("indicator_id", "indicator_name").iter_rows())
indicator_id = layout.url_select(
    "Indicator", list(indicator_names), "indicator", lambda i: f"{i}: {indicator_names[i]}"
)
chosen = with_data.filter(pl.col("indicator_id") == indicator_id).row(0, named=True)

st.header(plain_markdown(f"{indicator_names[indicator_id]} in {region['name']}"), anchor=False)
series = data.read(analytics.indicator_series, indicator_id, [region["code"]])
figure, alt = charts.series_chart(
    series, title=indicator_names[indicator_id], unit=chosen["unit"] or "", area_name=region["name"]
)
layout.chart_with_data(
    figure,
    alt,
    series.select(
        [
            c
            for c in (
                "period",
                "value",
                "lower_ci_95",
                "upper_ci_95",
                "trajectory_value",
                "target_value",
            )
            if c in series.columns
        ]
    ),
    key="series",
    file_name=f"{indicator_id}-{region['code']}-series.csv",
)

st.header("Local authorities", anchor=False)
breakdown = data.read(analytics.area_breakdown, region["code"], department_id)
one = breakdown.filter(pl.col("indicator_id") == indicator_id)
if data.read(boundaries.has_boundaries):
    features = data.read(boundaries.map_features_for_region, region["code"])
    geojson = data.read(boundaries.boundaries_geojson, features["feature_code"].to_list())
    figure, alt = charts.choropleth(
        one, features, geojson, title=f"{indicator_names[indicator_id]} compared with England"
    )
    layout.chart_with_data(
        figure,
        alt,
        one.select("area_name", "period", "value", "compared_to_england"),
        key="map",
        file_name=f"{indicator_id}-{region['code']}-map.csv",
    )
figure, alt = charts.ranked_dot_chart(
    one,
    title=f"{indicator_names[indicator_id]}: local authorities ranked",
    unit=chosen["unit"] or "",
    benchmark_value=chosen["england_value"],
)
layout.chart_with_data(
    figure,
    alt,
    one.select(
        "area_name",
        "period",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "compared_to_england",
        "target_status",
        "recent_trend",
    ),
    key="areas",
    file_name=f"{indicator_id}-{region['code']}-areas.csv",
)
st.caption("Every member indicator for every local authority, compared with England:")
grid = breakdown.pivot(
    on="indicator_id", index="area_name", values="compared_to_england", aggregate_function="first"
)
# An empty cell is an indicator with no value for the area at its latest period.
st.dataframe(grid.fill_null(""), hide_index=True, column_config={"area_name": "Area"})

working_side.programme_coverage(department_id)
working_side.commentary_panel(
    region["code"],
    department_id,
    key="department",
    indicators=dict(profile.indicators.select("indicator_id", "indicator_name").iter_rows()),
)
