"""Shared page furniture: house style, banners, the region picker kept in the URL."""

from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import auth, data
from warehouse.access import Action
from warehouse.scope import authorise_export

# Our own static markup only: a visible yellow keyboard focus (GOV.UK convention).
_HOUSE_CSS = """
<style>
:focus-visible { outline: 3px solid #ffdd00 !important; outline-offset: 0 !important;
                 box-shadow: 0 0 0 6px #0b0c0c !important; }
/* A select box clips its own input's outline: ring the whole box while it has the focus. */
[data-testid="stSelectbox"] div:has(> input:focus-visible),
[data-testid="stMultiSelect"] div:has(> input:focus-visible) {
    outline: 3px solid #ffdd00; outline-offset: 0; box-shadow: 0 0 0 6px #0b0c0c; }
[data-testid="stMainBlockContainer"] { padding-top: 4rem; }
h1 { font-size: 2rem !important; padding-bottom: 0.25rem !important; }
@media print { [data-testid="stSidebar"], header, [data-testid="stToolbar"] { display: none !important; } }
</style>
"""


def apply_house_style() -> None:
    """Adds the focus highlight and print rules every page shares."""
    st.html(_HOUSE_CSS)


def mode_banner() -> None:
    """Says plainly that the data is synthetic and, in demo mode, that nobody signed in."""
    if data.settings().auth_mode == "none":
        st.info(
            "Demo mode: no sign-in, everyone acts as administrator. "
            "Synthetic demonstration data, not official statistics.",
            icon=":material/info:",
        )


def region_picker() -> dict:
    """Returns the chosen region (code and name), kept in the URL as ``?region=E12000001``.

    The menu's links carry no query parameters, so the region is also remembered for the
    session: moving to another page keeps the region the user chose.
    """
    regions: pl.DataFrame = data.regions()
    codes = regions["region_code"].to_list()
    names = dict(zip(codes, regions["name"].to_list(), strict=True))
    auth.refuse_region(data.operator(), st.query_params.get("region"), None)
    wanted = st.query_params.get("region") or st.session_state.get(REMEMBERED_REGION)
    index = codes.index(wanted) if wanted in codes else 0
    code = st.sidebar.selectbox(
        "Region", codes, index=index, format_func=names.__getitem__, key="region_picker"
    )
    st.query_params["region"] = code
    st.session_state[REMEMBERED_REGION] = code
    return {"code": code, "name": names[code]}


#: Session key of the region last chosen on any page (the explorer starts from it too).
REMEMBERED_REGION = "remembered_region"


STATUS_LABELS = {
    "target_status": "Target status",
    "compared_to_england": "Compared with England",
    "compared_to_england_99_8": "Compared with England (99.8%)",
    "compared_to_region": "Compared with region",
    "recent_trend": "Recent trend",
    "exception": "Exception",
}


def status_columns(extra: dict | None = None) -> dict:
    """Returns column settings that label the status columns in plain words (plus ``extra``)."""
    config = {
        name: st.column_config.TextColumn(label, width="medium")
        for name, label in STATUS_LABELS.items()
    }
    config.update(extra or {})
    return config


def url_select(
    label: str,
    options: list,
    key: str,
    format_func=str,
    sidebar: bool = False,
    default_index: int = 0,
):
    """Returns the chosen option of a select box whose choice lives in the URL as ``?key=…``."""
    if not options:
        return None
    texts = [str(o) for o in options]
    # None (an "all" choice) is kept out of the URL as the empty string.
    texts = ["" if o is None else t for o, t in zip(options, texts, strict=True)]
    wanted = st.query_params.get(key)
    index = texts.index(wanted) if wanted in texts else min(default_index, len(options) - 1)
    where = st.sidebar if sidebar else st
    choice = where.selectbox(label, options, index=index, format_func=format_func, key=f"url_{key}")
    st.query_params[key] = "" if choice is None else str(choice)
    return choice


def chart_with_data(figure, alt: str, table, key: str, file_name: str) -> None:
    """Shows a chart with its alt text, and its data as a table with a download beside it."""
    from warehouse.analytics import safe_for_spreadsheet

    # theme=None keeps our template: Streamlit's chart theme greys the axis text below AA contrast.
    st.plotly_chart(figure, alt=alt, key=f"chart_{key}", theme=None, config={"displaylogo": False})
    with st.expander("Chart data as a table"):
        st.dataframe(table, hide_index=True, key=f"chart_table_{key}")
        download_button(
            "Download chart data (CSV)",
            safe_for_spreadsheet(table).write_csv(),
            file_name=file_name,
            mime="text/csv",
            key=f"chart_download_{key}",
        )


def download_button(label: str, content, file_name: str, mime: str, **options) -> None:
    """Shows a download of warehouse data to users who may export, and audits each download.

    Users who may not export (ministers) see no button at all.
    """
    if not data.operator().can(Action.EXPORT):
        return
    st.download_button(
        label,
        content,
        file_name=file_name,
        mime=mime,
        on_click=_audit_download,
        args=(file_name, st.query_params.get("region")),
        **options,
    )


def safe_csv(frame) -> str:
    """Returns ``frame`` as CSV that a spreadsheet cannot run as formulas."""
    from warehouse.analytics import safe_for_spreadsheet

    return safe_for_spreadsheet(frame).write_csv()


def _audit_download(file_name: str, region_code: str | None) -> None:
    authorise_export(data.cursor(), data.operator(), file_name, region_code=region_code)
