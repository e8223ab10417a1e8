"""Indicator explorer: filter, compare areas, look over time, download exactly what is shown."""

import io

import polars as pl
import streamlit as st

from dashboard import auth, charts, data, layout
from dashboard.url_state import filters_from_params, filters_to_params
from warehouse import analytics
from warehouse.breakdowns import (
    breakdown_choices,
    explorer_breakdowns,
    indicator_breakdowns,
    indicators_with_breakdowns,
)

regions = data.regions()
region_names = dict(regions.select("region_code", "name").iter_rows())
auth.refuse_region(data.operator(), st.query_params.get("region"), None)
# Without a region in the link, the region chosen on another page (the menu's links carry
# no query parameters).
default_region = st.session_state.get(layout.REMEMBERED_REGION)
if default_region not in region_names:
    default_region = regions["region_code"][0]
start = filters_from_params(st.query_params.to_dict(), default_region)
if start.region_code not in region_names:
    start = start.model_copy(update={"region_code": default_region})


def remembered(key: str, value) -> None:
    """Seeds a widget from the URL the first time this session sees the page."""
    if key not in st.session_state:
        st.session_state[key] = value


st.title("Indicator explorer", anchor=False)
st.caption(
    "Filter by area, outcome department, PSA, department, indicator, period and status. "
    "The address bar always holds the whole view: copy it to share exactly this view."
)

remembered("ex_region", start.region_code)
region_code = st.sidebar.selectbox(
    "Region", list(region_names), format_func=region_names.__getitem__, key="ex_region"
)
st.session_state[layout.REMEMBERED_REGION] = region_code
options = data.read(analytics.explorer_options, region_code)
areas = options["areas"]
area_names = dict(areas.select("area_code", "name").iter_rows())
od_names = dict(options["outcome_departments"].select("outcome_department_id", "name").iter_rows())
psa_titles = dict(options["psas"].select("psa_id", "title").iter_rows())
department_names = dict(options["departments"].select("department_code", "name").iter_rows())
indicator_names = dict(options["indicators"].select("indicator_id", "name").iter_rows())
all_statuses = [word for words in options["statuses"].values() for word in words]


def keep(values, allowed):
    return [v for v in (values or ()) if v in allowed]


with st.sidebar:
    remembered(
        "ex_area_type", start.area_type if start.area_type in options["area_types"] else None
    )
    area_type = st.selectbox(
        "Area type",
        [None, *options["area_types"]],
        key="ex_area_type",
        format_func=lambda t: "All area types" if t is None else t,
    )
    remembered("ex_areas", keep(start.area_codes, area_names))
    area_codes = st.multiselect(
        "Areas",
        list(area_names),
        format_func=area_names.__getitem__,
        key="ex_areas",
        placeholder="All areas",
    )
    remembered(
        "ex_od", start.outcome_department_id if start.outcome_department_id in od_names else None
    )
    outcome_department_id = st.selectbox(
        "Outcome department",
        [None, *od_names],
        key="ex_od",
        format_func=lambda k: "All outcome departments" if k is None else od_names[k],
    )
    remembered("ex_psa", start.psa_id if start.psa_id in psa_titles else None)
    psa_id = st.selectbox(
        "PSA",
        [None, *psa_titles],
        key="ex_psa",
        format_func=lambda p: "All PSAs" if p is None else f"PSA {p}: {psa_titles[p]}",
    )
    remembered(
        "ex_department",
        start.department_code if start.department_code in department_names else None,
    )
    department_code = st.selectbox(
        "Owner department",
        [None, *department_names],
        key="ex_department",
        format_func=lambda d: "All departments" if d is None else department_names[d],
    )
    remembered("ex_indicators", keep(start.indicator_ids, indicator_names))
    indicator_ids = st.multiselect(
        "Indicators",
        list(indicator_names),
        key="ex_indicators",
        format_func=lambda i: f"{i}: {indicator_names[i]}",
        placeholder="All indicators",
    )
    remembered("ex_period", start.period if start.period in options["periods"] else None)
    period = st.selectbox(
        "Period",
        [None, *options["periods"]],
        key="ex_period",
        format_func=lambda p: "Latest for each indicator" if p is None else p,
    )
    remembered("ex_statuses", keep(start.statuses, all_statuses))
    statuses = st.multiselect("Status", all_statuses, key="ex_statuses", placeholder="Any status")

filters = analytics.ExplorerFilters(
    region_code=region_code,
    area_type=area_type,
    area_codes=tuple(area_codes) or None,
    outcome_department_id=outcome_department_id,
    psa_id=psa_id,
    department_code=department_code,
    indicator_ids=tuple(indicator_ids) or None,
    period=period,
    statuses=tuple(statuses) or None,
)
# The charted indicator is part of the view too: kept, so a shared link charts the same one.
charted = st.query_params.get("chart")
st.query_params.from_dict(filters_to_params(filters) | ({"chart": charted} if charted else {}))
table = data.read(analytics.explorer, filters)

st.write(
    f"**{table.height:,} rows** for {region_names[region_code]}"
    f"{' in ' + period if period else ' at each indicator’s latest period'}."
)
shown = table.select(analytics.EXPLORER_COLUMNS)
st.dataframe(
    shown,
    hide_index=True,
    key="ex_table",
    column_config=layout.status_columns(
        {
            "indicator_id": "Indicator",
            "indicator_name": "Name",
            "unit": "Unit",
            "polarity": "Better when",
            "area_code": "Area code",
            "area_name": "Area",
            "area_type": "Area type",
            "period": "Period",
            "value": st.column_config.NumberColumn("Value", format="%.2f"),
            "lower_ci_95": st.column_config.NumberColumn("Lower 95% CI", format="%.2f"),
            "upper_ci_95": st.column_config.NumberColumn("Upper 95% CI", format="%.2f"),
            "lower_ci_99_8": st.column_config.NumberColumn("Lower 99.8% CI", format="%.2f"),
            "upper_ci_99_8": st.column_config.NumberColumn("Upper 99.8% CI", format="%.2f"),
            "count": st.column_config.NumberColumn("Count", format="%.0f"),
            "denominator": st.column_config.NumberColumn("Denominator", format="%.0f"),
            "ci_computed": "CI computed from count",
            "england_value": st.column_config.NumberColumn("England", format="%.2f"),
            "region_value": st.column_config.NumberColumn("Region", format="%.2f"),
            "target_source": "Target source",
            "target_period": "Target period",
            "target_value": st.column_config.NumberColumn("Target", format="%.2f"),
            "trajectory_value": st.column_config.NumberColumn("Trajectory", format="%.2f"),
        }
    ),
)
safe = analytics.safe_for_spreadsheet(shown)


def as_xlsx() -> bytes:
    """Builds the workbook only when it is asked for (it is slow for large views)."""
    buffer = io.BytesIO()
    safe.write_excel(buffer, worksheet="explorer")
    return buffer.getvalue()


left, right = st.columns(2)
with left:
    layout.download_button(
        "Download CSV of this view",
        safe.write_csv,
        file_name="explorer.csv",
        mime="text/csv",
        icon=":material/download:",
    )
with right:
    layout.download_button(
        "Download XLSX of this view",
        as_xlsx,
        file_name="explorer.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )

if table.is_empty():
    st.info("No rows match these filters. Remove a filter to see more.")
    st.stop()

available = table["indicator_id"].unique(maintain_order=True).to_list()
chart_indicator = layout.url_select(
    "Indicator to chart", available, "chart", lambda i: f"{i}: {indicator_names.get(i, i)}"
)
one = table.filter(pl.col("indicator_id") == chart_indicator)
row = one.row(0, named=True)
st.header("Compare areas", anchor=False)
figure, alt = charts.compare_areas_chart(
    one.filter(pl.col("area_code") != region_code),
    title=f"{indicator_names.get(chart_indicator, chart_indicator)} ({row['period']})",
    unit=row["unit"] or "",
    benchmark_value=row["england_value"],
    benchmark_name="England",
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
        "england_value",
        "compared_to_england",
    ),
    key="compare",
    file_name=f"{chart_indicator}-compare.csv",
)

st.header("Over time", anchor=False)
series_areas = area_codes[:4] if area_codes else [region_code]
series = data.read(analytics.indicator_series, chart_indicator, series_areas)
for code in series_areas:
    part = series.filter(pl.col("area_code") == code) if "area_code" in series.columns else series
    figure, alt = charts.series_chart(
        part,
        title=indicator_names.get(chart_indicator, chart_indicator),
        unit=row["unit"] or "",
        area_name=area_names.get(code, code),
    )
    layout.chart_with_data(
        figure,
        alt,
        part.select(
            [
                c
                for c in (
                    "area_code",
                    "period",
                    "value",
                    "lower_ci_95",
                    "upper_ci_95",
                    "trajectory_value",
                )
                if c in part.columns
            ]
        ),
        key=f"series_{code}",
        file_name=f"{chart_indicator}-{code}-series.csv",
    )

# Breakdowns (by sex, age, category) of the charted indicator for the areas in view: their
# labels come from files, so they are shown as table cells and plain text only.
if chart_indicator in data.read(indicators_with_breakdowns) and st.toggle(
    "Show breakdowns by sex, age and category", key="ex_breakdowns"
):
    st.header("Breakdowns", anchor=False)
    in_view = tuple(area_codes) if area_codes else tuple(area_names)
    found = data.read(indicator_breakdowns, chart_indicator, in_view)
    choices = breakdown_choices(found)
    by_sex, by_category = st.columns(2)
    breakdown_sex = by_sex.selectbox(
        "Sex",
        [None, *choices["sex"]],
        key="ex_breakdown_sex",
        format_func=lambda s: "Every sex" if s is None else s,
    )
    breakdown_category = by_category.selectbox(
        "Category",
        [None, *choices["category_type"]],
        key="ex_breakdown_category",
        format_func=lambda c: "Every category, and none" if c is None else c,
    )
    sentence, breakdown_table = explorer_breakdowns(
        found, area_names, sex=breakdown_sex, category_type=breakdown_category
    )
    st.text(sentence)
    st.dataframe(
        breakdown_table,
        hide_index=True,
        key="ex_breakdown_table",
        column_config={
            "area_name": "Area",
            "period": "Period",
            "sex": "Sex",
            "age": "Age",
            "category": st.column_config.TextColumn("Category", width="large"),
            "value": st.column_config.NumberColumn("Value", format="%.2f"),
            "interval": "95% interval",
        },
    )
