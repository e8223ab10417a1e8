"""Upload data: template, file, validation report, preview of revisions, commit."""

import uuid
from pathlib import Path

import polars as pl
import streamlit as st

from dashboard import data, layout
from dashboard.auth import current_user
from pipelines import problems, templates
from pipelines.formats import detect_layout, suggest_mapping
from pipelines.formats.wide import column_review, mapping_from_review
from pipelines.load import load_file, new_indicator_problems
from pipelines.metadata import POLARITIES, VALUE_TYPES
from pipelines.new_indicators import for_review
from pipelines.programmes import REGISTER_KINDS, register_changes
from pipelines.readers import UnreadableFile, read_table
from warehouse.batches import required_action


def as_polars(frame) -> pl.DataFrame:
    """Returns an edited table as Polars, whichever frame type the editor gave back."""
    return frame if isinstance(frame, pl.DataFrame) else pl.from_pandas(frame)


KINDS = {
    "indicators": "Indicator values",
    "targets": "Targets",
    "metadata": "Indicator metadata",
    "membership": "Outcome department membership",
    "boundaries": "Boundaries (GeoJSON)",
    "programmes": "Programmes (national register)",
    "programme_areas": "Programmes in areas",
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
    try:
        table = read_table(path)
        detected = detect_layout(table)
    except UnreadableFile:
        table, detected = None, None
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
                "wide": "One column per period or per measure",
            }[v],
        )
    options["layout"] = layout_choice
    layout_now = layout_choice or detected
    if layout_now == "ons_tidy":
        # Asked for here, not folded away: without it ids come from names, polarity is unknown.
        st.header("Add its metadata file", anchor=False)
        st.caption(
            "This is an ONS tidy file. Its companion metadata file gives each indicator its "
            "id, polarity and unit; without it, ids are made from the indicators' names and "
            "their polarity is unknown."
        )
        metadata = st.file_uploader(
            "Companion metadata file (ONS-style files: ids, polarity, units)",
            type=["csv"],
            key=f"metadata_{uploaded.file_id}",
        )
        if metadata is not None:
            meta_path = path.parent / f"metadata-{Path(metadata.name).name}"
            meta_path.write_bytes(metadata.getbuffer())
            options["metadata_path"] = meta_path
    if table is not None and layout_now in ("wide", "unknown"):
        suggestion = suggest_mapping(table)
        columns = [c for c in table.columns if c != "_row"]
        st.header("Match the columns", anchor=False)
        st.caption(
            "Say which column holds the area codes, and give each column of values the period "
            "its values are for and, unless a column holds indicator ids, the indicator it "
            "holds. Columns with neither are not loaded; our guess is filled in."
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
            format_func=lambda c: "None: give each column's indicator below" if c is None else c,
        )
        review = column_review(table, suggestion, exclude=[area_column, indicator_column])
        edited_columns = st.data_editor(
            review,
            key=f"wide_columns_{uploaded.file_id}_{area_column}_{indicator_column}",
            hide_index=True,
            num_rows="fixed",
            disabled=["column"],
            column_config={
                "column": st.column_config.TextColumn("Column"),
                "period": st.column_config.TextColumn(
                    "Period", help="The period of the column's values: 2010, 2008/09, 2008 Q3"
                ),
                "indicator": st.column_config.TextColumn(
                    "Indicator",
                    help="The indicator id of the column's values, e.g. NI 116; a new id is "
                    "offered for creation below",
                ),
            },
        )
        mapping = mapping_from_review(area_column, indicator_column, as_polars(edited_columns))
        if mapping is not None:
            options["mapping"] = mapping
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
new_indicators = None
indicators_ready = True
if preview.proposed_indicators is not None and preview.proposed_indicators.height:
    proposed = for_review(preview.proposed_indicators)
    indicators_word = "indicator" if proposed.height == 1 else "indicators"
    st.header(f"{proposed.height} new {indicators_word} will be created", anchor=False)
    st.write(
        "Check each one before it is created, and change what is wrong: the values in this "
        "table are the ones written. Polarity decides whether a difference from England is "
        "better or worse (none: no judgement, shown as higher or lower); unit and value type "
        "decide how values are shown and how their intervals are worked out."
    )
    edited_indicators = st.data_editor(
        proposed,
        key=f"new_indicators_{preview_key}",
        hide_index=True,
        num_rows="fixed",
        disabled=["indicator_id", "theme", "source"],
        column_config={
            "indicator_id": st.column_config.TextColumn("Indicator"),
            "name": st.column_config.TextColumn("Name", required=True, width="medium"),
            "unit": st.column_config.TextColumn("Unit", required=True),
            "value_type": st.column_config.SelectboxColumn(
                "Value type", options=list(VALUE_TYPES), required=True
            ),
            "multiplier": st.column_config.NumberColumn(
                "Multiplier", min_value=0, help="100 for a percentage, 1000 for a rate per 1,000"
            ),
            "polarity": st.column_config.SelectboxColumn(
                "Polarity",
                options=list(POLARITIES),
                required=True,
                help="higher: higher is better; lower: lower is better; none: no judgement",
            ),
            "theme": st.column_config.TextColumn("Theme"),
            "source": st.column_config.TextColumn("Source"),
        },
    )
    new_indicators = as_polars(edited_indicators)
    indicator_report = new_indicator_problems(data.cursor(), new_indicators)
    if not indicator_report.is_empty():
        indicators_ready = False
        st.error(
            f"{indicator_report.height} problem(s) with the new indicators must be fixed in "
            "the table above before the file can be loaded:",
            icon=":material/error:",
        )
        st.dataframe(
            indicator_report.select("column", "value", "message"),
            hide_index=True,
            column_config={
                "column": "Column",
                "value": "Value",
                "message": st.column_config.TextColumn("Problem", width="large"),
            },
        )
    indicators_ready = indicators_ready and st.checkbox(
        f"I have checked the {proposed.height:,} new {indicators_word} (polarity, unit and "
        "value type) and want to create " + ("it" if proposed.height == 1 else "them"),
        key=f"confirm_indicators_{uploaded.file_id}",
    )

st.header("What this file will change", anchor=False)
new, revised, same = st.columns(3)
new.metric("New rows", f"{preview.rows_new:,}")
revised.metric("Revised rows", f"{preview.rows_revised:,}")
same.metric("Unchanged rows", f"{preview.rows_unchanged:,}")
confirm = True
if preview.rows_revised and preview.changes is not None:
    st.write(
        "These replace current entries, field by field; a field the file leaves empty becomes "
        "empty, shown as (none). The old ones are kept and come back if this batch is rolled "
        "back."
    )
    labels = {
        "indicator_id": "Indicator",
        "area_code": "Area code",
        "period": "Period",
        "field": "Field",
        "old": "Old",
        "new": "New",
    }
    st.dataframe(
        preview.changes,
        hide_index=True,
        column_config={c: labels[c] for c in preview.changes.columns if c in labels},
    )
    if preview.status_changes is not None and preview.status_changes.height:
        st.subheader("What becomes of the comparison with England", anchor=False)
        for sentence in preview.status_changes["sentence"].head(20):
            st.text(sentence)
        if preview.status_changes.height > 20:
            st.text(
                f"… and {preview.status_changes.height - 20:,} more revised rows; the command "
                "line's --dry-run lists them all."
            )
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
    if kind in REGISTER_KINDS:
        # A register row's shown value is its name (programmes) or contact (presences).
        st.dataframe(register_changes(kind, revisions), hide_index=True)
    else:
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
    disabled=not (confirm and accepted and indicators_ready),
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
            new_indicators=new_indicators,
            confirm_new_indicators=new_indicators is not None and indicators_ready,
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
