"""Upload data: template, file, validation report, preview of revisions, commit."""

import uuid
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, layout
from dashboard.auth import current_user
from pipelines import problems, templates
from pipelines.formats import WideMapping, detect_layout, suggest_mapping
from pipelines.load import load_file
from pipelines.readers import UnreadableFile, read_table
from warehouse.batches import required_action

KINDS = {
    "indicators": "Indicator values",
    "targets": "Targets",
    "metadata": "Indicator metadata",
    "membership": "Outcome department membership",
    "boundaries": "Boundaries (GeoJSON)",
}

st.title("Upload data", anchor=False)
st.caption(
    "Files are checked row by row and previewed before anything is written. A load is one "
    "batch: it lands whole or not at all, and can be rolled back on the Data batches page."
)

# Only the kinds this user may write: membership is configuration (an administrator's).
user = current_user()
kinds = [k for k in KINDS if user is None or user.can(required_action(k))]
kind = st.radio(
    "What are you uploading?",
    kinds,
    format_func=KINDS.__getitem__,
    horizontal=True,
    key="upload_kind",
)
if kind in templates.COLUMNS:
    left, right = st.columns(2)
    left.download_button(
        f"Download the blank {KINDS[kind].lower()} template (CSV)",
        templates.template_csv(kind),
        file_name=f"{kind}-template.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    right.download_button(
        f"Download the blank {KINDS[kind].lower()} template (XLSX)",
        templates.template_xlsx(kind),
        file_name=f"{kind}-template.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )

types = ["geojson", "json"] if kind == "boundaries" else ["csv", "xlsx", "parquet", "txt", "tsv"]
uploaded = st.file_uploader("Choose a file", type=types, key=f"upload_file_{kind}")
if uploaded is None:
    st.stop()

# Keep the upload on disk under the data directory, so the preview and the commit read the
# same bytes with the same code path as the command line.
folder = Path(data.settings().data_dir) / "uploads"
folder.mkdir(parents=True, exist_ok=True)
key = f"upload_path_{uploaded.file_id}"
if key not in st.session_state:
    path = folder / uuid.uuid4().hex / Path(uploaded.name).name
    path.parent.mkdir()
    path.write_bytes(uploaded.getbuffer())
    st.session_state[key] = str(path)
path = Path(st.session_state[key])
shown_name = Path(uploaded.name).name

options: dict = {}
if kind == "indicators":
    with st.expander("How the file is laid out (detected automatically)", expanded=False):
        layout_choice = st.selectbox(
            "Layout",
            [None, "native", "fingertips", "ons_tidy", "wide"],
            key=f"layout_{uploaded.file_id}",
            format_func=lambda v: {
                None: "Detect from the header",
                "native": "Our template",
                "fingertips": "Fingertips export",
                "ons_tidy": "ONS tidy file (with metadata)",
                "wide": "One column per period",
            }[v],
        )
        metadata = st.file_uploader(
            "Companion metadata file (ONS-style files: ids, polarity, units)",
            type=["csv"],
            key=f"metadata_{uploaded.file_id}",
        )
    options["layout"] = layout_choice
    if metadata is not None:
        meta_path = path.parent / f"metadata-{Path(metadata.name).name}"
        meta_path.write_bytes(metadata.getbuffer())
        options["metadata_path"] = meta_path
    try:
        detected = layout_choice or detect_layout(read_table(path))
    except UnreadableFile:
        detected = None
    if detected == "wide":
        table = read_table(path)
        suggestion = suggest_mapping(table)
        columns = [c for c in table.columns if c != "_row"]
        st.header("Match the columns", anchor=False)
        st.caption(
            "This file has one column per period. Say which column holds what; our guess is filled in."
        )
        area_column = st.selectbox(
            "Area code column",
            columns,
            key=f"wide_area_{uploaded.file_id}",
            index=columns.index(suggestion.area_code) if suggestion.area_code in columns else 0,
        )
        indicator_choices = [None, *columns]
        indicator_column = st.selectbox(
            "Indicator id column",
            indicator_choices,
            key=f"wide_indicator_{uploaded.file_id}",
            index=indicator_choices.index(suggestion.indicator_id)
            if suggestion.indicator_id in columns
            else 0,
            format_func=lambda c: "None: the whole file is one indicator" if c is None else c,
        )
        fixed = None
        if indicator_column is None:
            fixed = (
                st.text_input(
                    "Indicator id for every row",
                    key=f"wide_fixed_{uploaded.file_id}",
                    placeholder="for example NI 116",
                )
                or None
            )
        period_list = st.multiselect(
            "Period columns",
            columns,
            key=f"wide_periods_{uploaded.file_id}",
            default=[c for c in suggestion.period_labels() if c in columns],
        )
        options["mapping"] = WideMapping(
            area_code=area_column,
            periods=period_list,
            indicator_id=indicator_column,
            fixed_indicator_id=fixed,
        )
        options["layout"] = "wide"

# A large file takes seconds to check: check it once per file and choice of options, not on
# every rerun (ticking a box reruns the page). The commit checks the file again as it writes.
preview_key = f"upload_preview_{uploaded.file_id}_{kind}_{options!r}"
if preview_key not in st.session_state:
    with st.status(f"Reading and checking {shown_name}…", expanded=True) as status:
        bar = st.progress(0.0, text=f"Reading {shown_name}")
        st.session_state[preview_key] = load_file(
            data.cursor(),
            path,
            kind=kind,
            operator=data.operator(),
            settings=data.settings(),
            dry_run=True,
            on_progress=lambda step, fraction: bar.progress(fraction, text=step),
            **options,
        )
        bar.progress(1.0, text="Checked")
        status.update(
            label=f"Checked {shown_name}",
            state="complete" if st.session_state[preview_key].ok else "error",
            expanded=False,
        )
preview = st.session_state[preview_key]

report = preview.report.with_columns(
    pl.col("message").str.replace_all(path.name, shown_name, literal=True)
)
if not report.is_empty():
    st.header("Validation report", anchor=False)
    errors = report.filter(pl.col("severity") == problems.ERROR).height
    st.write(
        f"{errors} error(s) and {report.height - errors} warning(s). Errors must be fixed before the "
        "file can be loaded; warnings must be read, and accepted, before it is loaded."
    )
    st.dataframe(
        report,
        hide_index=True,
        column_config={
            "row": st.column_config.NumberColumn("Row", format="%d"),
            "column": "Column",
            "value": "Value",
            "message": st.column_config.TextColumn("Problem", width="large"),
            "severity": "Severity",
        },
    )
    st.download_button(
        "Download the validation report (CSV)",
        layout.safe_csv(report),
        file_name=f"{Path(shown_name).stem}-report.csv",
        mime="text/csv",
    )

if preview.status not in ("dry-run",):
    st.error(preview.message.replace(path.name, shown_name), icon=":material/error:")
    st.stop()

for note in preview.notes:
    st.caption(note)
if preview.skipped is not None and preview.skipped.height:
    with st.expander(f"{preview.skipped.height:,} rows will be left out, each with its reason"):
        st.dataframe(preview.skipped, hide_index=True)
if preview.proposed_indicators is not None and preview.proposed_indicators.height:
    st.header(f"{preview.proposed_indicators.height} new indicators will be created", anchor=False)
    st.dataframe(
        preview.proposed_indicators.select(
            "indicator_id", "name", "unit", "value_type", "polarity"
        ),
        hide_index=True,
    )

st.header("What this file will change", anchor=False)
new, revised, same = st.columns(3)
new.metric("New rows", f"{preview.rows_new:,}")
revised.metric("Revised rows", f"{preview.rows_revised:,}")
same.metric("Unchanged rows", f"{preview.rows_unchanged:,}")
confirm = True
if preview.rows_revised and preview.changes is not None:
    st.write(
        "These replace current entries. The old ones are kept and come back if this batch is "
        "rolled back."
    )
    st.dataframe(preview.changes, hide_index=True)
    confirm = st.checkbox(
        f"I have checked the {preview.rows_revised:,} revisions and want to make them",
        key=f"confirm_{uploaded.file_id}",
    )
elif preview.rows_revised:
    revisions = preview.revisions()
    value_column = "value" if kind == "indicators" else "target_value"
    period_column = "period" if kind == "indicators" else "target_period"
    st.write(
        "These values replace current ones. The old values are kept and come back if this batch "
        "is rolled back."
    )
    st.dataframe(
        revisions.select(
            "indicator_id",
            "area_code",
            period_column,
            pl.col("previous_value").alias("old value"),
            pl.col(value_column).alias("new value"),
        ),
        hide_index=True,
    )
    confirm = st.checkbox(
        f"I have checked the {preview.rows_revised:,} revised values and want to replace them",
        key=f"confirm_{uploaded.file_id}",
    )

accepted = True
if preview.warnings:
    accepted = st.checkbox(
        f"I have read the {preview.warnings:,} warnings in the validation report and want to "
        "load the file as it is",
        key=f"accept_warnings_{uploaded.file_id}",
    )

if st.button(
    "Load this file",
    type="primary",
    disabled=not (confirm and accepted),
    key=f"commit_{uploaded.file_id}",
):
    with st.status(f"Writing {shown_name} as one batch…", expanded=True) as status:
        bar = st.progress(0.0, text=f"Reading {shown_name}")
        outcome = load_file(
            data.cursor(),
            path,
            kind=kind,
            operator=data.operator(),
            settings=data.settings(),
            confirm_revisions=confirm,
            accept_warnings=accepted,
            on_progress=lambda step, fraction: bar.progress(fraction, text=step),
            **options,
        )
        status.update(
            label="Done" if outcome.ok else "Not loaded",
            state="complete" if outcome.ok else "error",
            expanded=False,
        )
    message = outcome.message.replace(path.name, shown_name)
    if outcome.status == "committed":
        del st.session_state[preview_key]  # the warehouse changed: check afresh next time
        data.refresh()
        st.success(message, icon=":material/check_circle:")
    elif outcome.status == "duplicate":
        st.info(message)
    else:
        st.error(message)
