"""Loading a file: read → normalise → validate → preview → write one batch in one transaction.

Nothing is written unless the whole file is valid; revisions of existing values need the
caller's explicit confirmation; identical content already live is not loaded twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines import problems
from pipelines.boundaries import BoundaryFileError, read_boundaries
from pipelines.breakdowns import breakdown_summary, validate_breakdowns
from pipelines.formats import Conversion, UnknownLayout, WideMapping, to_native
from pipelines.formats.ons import read_metadata
from pipelines.formats.wide import mapping_for_columns
from pipelines.membership import membership_changes, validate_membership
from pipelines.metadata import metadata_changes, validate_metadata
from pipelines.new_indicators import apply_edits, check_new_indicators, indicators_sentence
from pipelines.normalise import area_code as area_code_expr
from pipelines.plausibility import Thresholds, observation_warnings
from pipelines.programmes import (
    REGISTER_KINDS,
    register_changes,
    validate_programme_areas,
    validate_programmes,
)
from pipelines.readers import UnreadableFile, read_table
from pipelines.revision_preview import revision_preview
from pipelines.validate import Lookups, validate_observations, validate_targets
from warehouse import outcome_queries, reference_queries
from warehouse.access import Action, User, require
from warehouse.batches import (
    BatchRecord,
    DuplicateBatch,
    commit_batch,
    find_live_batch_by_content,
    required_action,
)
from warehouse.connection import WarehouseBusy
from warehouse.previous_values import previous_values
from warehouse.programmes import programme_register
from warehouse.revisions import classify_rows
from warehouse.scope import REGION_KEYS, require_write_scope
from warehouse.settings import Settings

KINDS = (
    "indicators",
    "targets",
    "metadata",
    "membership",
    "boundaries",
    "programmes",
    "programme_areas",
)
VALIDATORS = {
    "indicators": validate_observations,
    "targets": validate_targets,
    "metadata": validate_metadata,
    "membership": validate_membership,
    "programmes": validate_programmes,
    "programme_areas": validate_programme_areas,
}
#: Called with what a load is doing and how far along it is (0 to 1), for progress bars.
Progress = Callable[[str, float], None]


@dataclass
class LoadOutcome:
    """What a load did, or would do, and why."""

    file_name: str
    kind: str
    # committed | refused | duplicate | needs-confirmation (revisions) |
    # needs-indicator-confirmation | needs-warning-confirmation | dry-run | busy
    status: str
    message: str
    report: pl.DataFrame = field(default_factory=problems.empty)
    preview: pl.DataFrame | None = None
    batch_id: str | None = None
    rows_read: int = 0
    rows_new: int = 0
    rows_revised: int = 0
    rows_unchanged: int = 0
    layout: str | None = None
    notes: list[str] = field(default_factory=list)
    skipped: pl.DataFrame | None = None
    proposed_indicators: pl.DataFrame | None = None
    # Old and new, per changed field of each revision (indicator values: "(none)" for empty).
    changes: pl.DataFrame | None = None
    # Indicator values: per revised row, its comparison with England now and after, in words.
    status_changes: pl.DataFrame | None = None
    # Indicator values: the breakdown rows (by sex, age, category) with their ``change``.
    breakdowns: pl.DataFrame | None = None

    @property
    def warnings(self) -> int:
        """Returns how many warnings the analyst must accept before the file loads."""
        return self.report.filter(pl.col("severity") == problems.WARNING).height

    @property
    def ok(self) -> bool:
        """Returns True when the load wrote its batch or had nothing to do."""
        return self.status in ("committed", "duplicate", "dry-run")

    def revisions(self) -> pl.DataFrame:
        """Returns the rows that revise a current value, with old and new values."""
        if self.preview is None:
            return pl.DataFrame()
        return self.preview.filter(pl.col("change") == "revised")


def lookups(con: duckdb.DuckDBPyConnection) -> Lookups:
    """Returns the reference lookups validation checks against."""
    codes = reference_queries.area_code_lookup(con).join(
        reference_queries.areas(con).select("area_code", "tier"), on="area_code", how="left"
    )
    return Lookups(
        area_codes=codes,
        indicators=reference_queries.indicators(con),
        departments=reference_queries.departments(con),
        outcome_departments=outcome_queries.all_outcome_departments(con),
        programmes=programme_register(con),
    )


_HASHING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")


def sha256_of(path: Path) -> str:
    """Returns the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_frame(
    con: duckdb.DuckDBPyConnection,
    table: pl.DataFrame,
    *,
    kind: str,
    file_name: str,
    sha256: str,
    operator: User | str,
    confirm_revisions: bool = False,
    dry_run: bool = False,
    retries: int = 8,
    configuration: dict | None = None,
    new_indicators: pl.DataFrame | None = None,
    skip_unknown_areas: bool = False,
    accept_warnings: bool = False,
    thresholds: Thresholds | None = None,
    on_progress: Progress | None = None,
    confirm_new_indicators: bool = False,
    breakdowns: pl.DataFrame | None = None,
) -> LoadOutcome:
    """Returns the outcome of validating a table of text cells and, if valid, writing it.

    ``breakdowns`` (indicator values only: a conversion's rows by sex, age or category)
    are checked as values are and written to ``observation_breakdowns`` in the same batch;
    their rows count among the new, revised and unchanged rows.

    ``new_indicators`` (proposed by the file's layout, with the analyst's edits) that the
    catalogue lacks are created in the same batch as the values, once the caller confirms
    them with ``confirm_new_indicators``; they are then checked as a metadata upload is. ``skip_unknown_areas`` leaves out, with a count, rows for areas outside the
    April 2009 English structure (published files carry combined authorities, police force
    areas and later authorities); for the native template such rows are errors instead.
    Warnings (small counts, jumps, implausible values: ``thresholds``) do not block, but
    nothing is written until the caller accepts them with ``accept_warnings``.
    ``operator`` needs the upload permission.
    """
    require(operator, required_action(kind), con=con, target=file_name)
    if kind not in KINDS:
        raise ValueError(f"Unknown kind {kind!r}; use one of {', '.join(KINDS)}.")
    known = lookups(con)
    created = _indicators_to_create(new_indicators, known.indicators)
    indicator_report = problems.empty()
    if created is not None and created.height and confirm_new_indicators and not dry_run:
        created, indicator_report = check_new_indicators(created, known)
    if created is not None:
        known = Lookups(
            area_codes=known.area_codes,
            # Whole rows, not ids alone: the plausibility check reads units and value types.
            indicators=pl.concat([known.indicators, created], how="diagonal_relaxed"),
        )
    skipped = None
    if skip_unknown_areas and "area_code" in table.columns:
        codes = set(known.area_codes["code"].to_list())
        outside = ~area_code_expr("area_code").is_in(list(codes)).fill_null(False)
        skipped = table.filter(outside).select(
            row="_row",
            column=pl.lit("area_code"),
            value=pl.col("area_code"),
            message=pl.lit("Not an area of the April 2009 English structure; left out."),
        )
        table = table.filter(~outside)
        if breakdowns is not None and breakdowns.height:
            outside = ~area_code_expr("area_code").is_in(list(codes)).fill_null(False)
            skipped = pl.concat([skipped, _outside_rows(breakdowns.filter(outside))]).sort("row")
            breakdowns = breakdowns.filter(~outside)
    say = on_progress or (lambda step, fraction: None)
    say(f"Checking {table.height:,} rows", 0.3)
    clean, report = VALIDATORS[kind](table, known)
    _require_rows_in_scope(con, operator, kind, clean, table, created, file_name)
    broken_down = None
    if kind == "indicators" and breakdowns is not None and breakdowns.height:
        broken_down, breakdown_report = validate_breakdowns(breakdowns, known)
        scoped = broken_down.drop("_row")
        _require_rows_in_scope(con, operator, kind, scoped, broken_down, None, file_name)
        report = problems.combine([report, breakdown_report])
    if kind == "indicators" and not problems.has_errors(report):
        say("Looking for small counts, jumps and implausible values", 0.45)
        warnings = observation_warnings(
            clean.with_columns(_row=table["_row"]),
            known.indicators,
            previous_values(
                con,
                # The key columns alone: filtering every column of a large file copies them.
                clean.select(
                    "indicator_id", "area_code", "period", "period_end", "frequency"
                ).filter(clean["value"].is_not_null()),
            ),
            thresholds or Thresholds(),
        )
        report = problems.combine([report, warnings])
    report = problems.combine([report, indicator_report])
    outcome = LoadOutcome(
        file_name=file_name,
        kind=kind,
        status="refused",
        message="",
        report=report,
        rows_read=table.height
        + (skipped.height if skipped is not None else 0)
        + (broken_down.height if broken_down is not None else 0),
        skipped=skipped,
        proposed_indicators=created,
    )
    if problems.has_errors(report):
        errors = report.filter(pl.col("severity") == problems.ERROR).height
        outcome.message = (
            f"{file_name} was not loaded: {errors} problem(s) must be fixed first. "
            "Nothing was written."
        )
        return outcome
    if existing := find_live_batch_by_content(con, kind, sha256):
        outcome.status = "duplicate"
        outcome.message = (
            f"{file_name} is identical to batch {existing}, already loaded. Nothing was written."
        )
        return outcome
    say("Comparing with the current values", 0.6)
    preview = classify_rows(con, kind, clean)
    if kind == "membership":
        # Taking out an indicator that was never a member changes nothing.
        preview = preview.with_columns(
            change=pl.when((pl.col("change") == "new") & ~pl.col("included"))
            .then(pl.lit("unchanged"))
            .otherwise(pl.col("change"))
        )
    outcome.preview = preview
    revised = preview.filter(pl.col("change") == "revised")
    if kind == "metadata":
        outcome.changes = metadata_changes(revised, known.indicators)
    elif kind == "membership":
        outcome.changes = membership_changes(revised, known.outcome_departments)
    elif kind in REGISTER_KINDS:
        outcome.changes = register_changes(kind, revised)
    elif kind == "indicators" and revised.height:
        revision = revision_preview(con, preview, revised)
        outcome.changes, outcome.status_changes = revision.changes, revision.statuses
    if broken_down is not None:
        outcome.breakdowns = classify_rows(con, "breakdowns", broken_down.drop("_row"))
        _add_breakdown_changes(con, outcome)
    changes = [f.select("change") for f in (preview, outcome.breakdowns) if f is not None]
    outcome.rows_new, outcome.rows_revised, outcome.rows_unchanged = (
        pl.concat(changes)
        .select((pl.col("change") == c).sum().alias(c) for c in ("new", "revised", "unchanged"))
        .row(0)
    )
    summary = (
        f"{outcome.rows_new} new, {outcome.rows_revised} revised and "
        f"{outcome.rows_unchanged} unchanged row(s)"
    )
    if skipped is not None and skipped.height:
        summary += f"; {skipped.height} row(s) for areas outside the April 2009 structure left out"
    if created is not None and created.height:
        summary += f"; {created.height} new indicator(s) created from the metadata"
    if said := breakdown_summary(outcome.breakdowns):
        summary += f"; of these, {said}"
    if dry_run:
        outcome.status = "dry-run"
        outcome.message = f"Dry run of {file_name}: it would write {summary}. Nothing was written."
        return outcome
    if outcome.rows_revised and not confirm_revisions:
        outcome.status = "needs-confirmation"
        outcome.message = (
            f"{file_name} revises {outcome.rows_revised} existing value(s). Check the revisions, "
            "then confirm them (--confirm-revisions on the command line). Nothing was written."
        )
        return outcome
    if created is not None and created.height and not confirm_new_indicators:
        outcome.status = "needs-indicator-confirmation"
        outcome.message = (
            f"{file_name}: {indicators_sentence(created)} On the command line: "
            "--confirm-new-indicators, with --new-indicators FILE to change them. "
            "Nothing was written."
        )
        return outcome
    if outcome.warnings and not accept_warnings:
        outcome.status = "needs-warning-confirmation"
        outcome.message = (
            f"{file_name} has {outcome.warnings} warning(s) to read: values that may be right "
            "but look unusual. Read them, then accept them (--accept-warnings on the command "
            "line). Nothing was written."
        )
        return outcome
    say(f"Writing {preview.height:,} rows as one batch", 0.8)
    record = BatchRecord(
        kind=kind,
        file_name=file_name,
        sha256=sha256,
        operator=operator,
        rows_read=outcome.rows_read - (skipped.height if skipped is not None else 0),
        rows_new=outcome.rows_new,
        rows_revised=outcome.rows_revised,
        rows_unchanged=outcome.rows_unchanged,
        rows_skipped=skipped.height if skipped is not None else 0,
        configuration=configuration or {},
    )
    try:
        outcome.batch_id = commit_batch(
            con,
            record,
            preview.drop("change", "previous_value", "previous_batch_id"),
            retries,
            extra=_extra_frames(created, outcome.breakdowns),
        )
    except DuplicateBatch as error:
        outcome.status = "duplicate"
        outcome.message = str(error)
        return outcome
    except WarehouseBusy as error:
        outcome.status = "busy"
        outcome.message = str(error)
        return outcome
    outcome.status = "committed"
    outcome.message = f"Loaded {file_name} as batch {outcome.batch_id}: {summary}."
    if outcome.warnings:
        outcome.message += f" {outcome.warnings} warning(s) were read and accepted."
    say("Loaded", 1.0)
    return outcome


def _outside_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Returns the skipped lines of breakdown rows for areas outside the structure."""
    return rows.select(
        row="_row",
        column=pl.lit("area_code"),
        value=pl.col("area_code"),
        message=pl.lit("Not an area of the April 2009 English structure; left out."),
    )


def _add_breakdown_changes(con: duckdb.DuckDBPyConnection, outcome: LoadOutcome) -> None:
    """Adds the field changes of revised breakdown rows to ``outcome.changes``."""
    revised = outcome.breakdowns.filter(pl.col("change") == "revised")
    if revised.is_empty():
        return
    changes = revision_preview(con, outcome.breakdowns, revised, kind="breakdowns").changes
    if outcome.changes is not None and outcome.changes.height:
        changes = pl.concat([outcome.changes, changes], how="diagonal_relaxed")
    outcome.changes = changes


def _extra_frames(
    created: pl.DataFrame | None, breakdowns: pl.DataFrame | None
) -> dict[str, pl.DataFrame] | None:
    """Returns the frames written in the same batch as the values: indicators created
    from the file, and its breakdown rows."""
    extra = {}
    if created is not None and created.height:
        extra["indicators"] = created
    if breakdowns is not None and breakdowns.height:
        extra["observation_breakdowns"] = breakdowns.drop(
            "change", "previous_value", "previous_batch_id"
        )
    return extra or None


def new_indicator_problems(
    con: duckdb.DuckDBPyConnection, indicators: pl.DataFrame
) -> pl.DataFrame:
    """Returns the problems of new indicators as the analyst edited them (empty when none),
    found as loading will find them: checked as an indicator metadata upload is."""
    if indicators.is_empty():
        return problems.empty()
    return check_new_indicators(indicators, lookups(con))[1]


def _require_rows_in_scope(
    con: duckdb.DuckDBPyConnection,
    operator: User | str,
    kind: str,
    clean: pl.DataFrame,
    table: pl.DataFrame,
    created: pl.DataFrame | None,
    file_name: str,
) -> None:
    """Raises ``PermissionRefused`` (audited) when a row is outside the operator's regions.

    Checked before anything else is reported, so an analyst is not asked to fix or confirm
    rows they may not write. Rows whose area or department did not resolve are validation
    errors, not a region. Indicator metadata is national (see docs/access.md).
    """
    action = required_action(kind)
    if created is not None and created.height:
        ids = ", ".join(created["indicator_id"].head(5).to_list())
        more = f" and {created.height - 5} more" if created.height > 5 else ""
        require_write_scope(
            con,
            operator,
            action,
            created.select("indicator_id"),
            target=file_name,
            row_column=None,
            where=" of the metadata file",
            national=f"new national indicators ({ids}{more})",
            remedy="Load the values without their metadata, or ask an analyst or "
            "administrator with the all-regions scope to create the indicators.",
        )
    if clean.height != table.height or not clean.height:
        return
    keys = [k for k in REGION_KEYS if k in clean.columns]
    rows = clean.with_row_index("_index").select("_index", *keys)
    if "_row" in table.columns:
        rows = rows.with_columns(table["_row"])
    if keys:
        rows = rows.filter(pl.any_horizontal(pl.col(keys).is_not_null()))
    metadata = kind == "metadata"
    require_write_scope(
        con,
        operator,
        action,
        rows,
        target=file_name,
        national="national indicator metadata (an indicator's definition and polarity decide "
        "its statuses in every region)"
        if metadata
        else "for England (E92000001) or the whole country",
        remedy="Ask an analyst or administrator with the all-regions scope to load it."
        if metadata
        else "Remove those rows or ask an administrator.",
    )


def _indicators_to_create(
    proposed: pl.DataFrame | None, existing: pl.DataFrame
) -> pl.DataFrame | None:
    """Returns the proposed indicators not yet in the catalogue, in the indicators table's shape."""
    if proposed is None or proposed.is_empty():
        return None
    fresh = proposed.filter(~pl.col("indicator_id").is_in(existing["indicator_id"].implode()))
    columns = {
        "indicator_id": pl.col("indicator_id"),
        "name": pl.col("name"),
        "definition": pl.col("definition")
        if "definition" in fresh.columns
        else pl.lit(None, pl.String),
        "unit": pl.col("unit"),
        "value_type": pl.col("value_type"),
        "multiplier": pl.col("multiplier").cast(pl.Float64, strict=False),
        # No default: an indicator's polarity decides its statuses, so the analyst sets it.
        "polarity": pl.col("polarity"),
        "owner_department_code": pl.lit(None, pl.String),
        "theme": pl.col("theme") if "theme" in fresh.columns else pl.lit(None, pl.String),
        "source": pl.col("source"),
        "verification": pl.lit("Created from the metadata file uploaded with its values"),
    }
    return fresh.select(**columns).unique("indicator_id", keep="first", maintain_order=True)


def load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    kind: str,
    operator: User | str,
    settings: Settings,
    file_format: str | None = None,
    confirm_revisions: bool = False,
    dry_run: bool = False,
    layout: str | None = None,
    metadata_path: Path | None = None,
    indicator_ids: Mapping[str, str] | None = None,
    mapping: WideMapping | None = None,
    accept_warnings: bool = False,
    on_progress: Progress | None = None,
    column_periods: Mapping[str, str] | None = None,
    column_indicators: Mapping[str, str] | None = None,
    new_indicators: pl.DataFrame | None = None,
    confirm_new_indicators: bool = False,
) -> LoadOutcome:
    """Returns the outcome of loading one file; refused runs are logged beside the warehouse.

    Indicator values may come in any layout ``pipelines.formats`` reads (the template, a
    Fingertips export, an ONS tidy file with its ``metadata_path``, a wide table); they are
    converted to the template before validation, and the outcome says how. A wide table's
    columns may be given their periods and indicators (``column_periods``,
    ``column_indicators``: ``{"Score": "2010"}``) instead of a whole ``mapping``. Indicators
    the file would create are proposed (``proposed_indicators``), changed by
    ``new_indicators`` (see ``pipelines.new_indicators.apply_edits``) and created only with
    ``confirm_new_indicators``. ``operator``
    needs the upload permission, or for membership the configuration permission
    (``PermissionRefused`` otherwise, recorded in the audit log).
    """
    require(operator, required_action(kind), con=con, target=path.name)
    started = datetime.now()
    if kind == "boundaries":
        outcome = load_boundaries(con, path, operator=operator, settings=settings, dry_run=dry_run)
        if outcome.status not in ("committed", "dry-run"):
            _log_run_outside_warehouse(settings, path, outcome, started)
        return outcome
    max_bytes = settings.max_upload_mb * 1024 * 1024
    # The file's hash (for its lineage) is taken beside the reading: hashlib lets go of the
    # interpreter while it works, so the two overlap.
    digest = _HASHING.submit(sha256_of, path)
    conversion: Conversion | None = None
    if on_progress:
        on_progress(f"Reading {path.name}", 0.0)
    try:
        table = read_table(path, file_format, max_bytes=max_bytes)
        if kind == "indicators":
            metadata = read_metadata(metadata_path, max_bytes) if metadata_path else None
            if mapping is None and (column_periods or column_indicators):
                mapping = mapping_for_columns(table, column_periods, column_indicators)
                layout = layout or "wide"
            conversion = to_native(
                table, layout, indicator_ids=indicator_ids, metadata=metadata, mapping=mapping
            )
            table = conversion.table
    except (UnreadableFile, UnknownLayout) as error:
        outcome = LoadOutcome(
            file_name=path.name,
            kind=kind,
            status="refused",
            message=str(error),
            report=_unreadable_report(error),
        )
    else:
        outcome = load_frame(
            con,
            table,
            kind=kind,
            file_name=path.name,
            sha256=digest.result(),
            operator=operator,
            confirm_revisions=confirm_revisions,
            dry_run=dry_run,
            retries=settings.write_retries,
            new_indicators=apply_edits(conversion.proposed_indicators, new_indicators)
            if conversion
            else None,
            confirm_new_indicators=confirm_new_indicators,
            breakdowns=conversion.breakdowns if conversion else None,
            skip_unknown_areas=bool(
                conversion and conversion.layout not in (None, "native", "unknown")
            ),
            accept_warnings=accept_warnings,
            thresholds=Thresholds.from_settings(settings),
            on_progress=on_progress,
            configuration={
                "kind": kind,
                "format": file_format,
                "layout": conversion.layout if conversion else None,
                "indicator_ids": dict(indicator_ids or {}),
                "metadata": metadata_path.name if metadata_path else None,
                "confirm_revisions": confirm_revisions,
                "accept_warnings": accept_warnings,
                "column_periods": dict(column_periods or {}),
                "column_indicators": dict(column_indicators or {}),
                "new_indicators_edited": new_indicators is not None,
            },
        )
        if conversion is not None:
            outcome.layout = conversion.layout
            outcome.notes = conversion.notes
            # Rows the conversion left out, then those for areas outside our structure;
            # either may be empty (a file that skips nothing has neither).
            left_out = [
                f for f in (conversion.skipped, outcome.skipped) if f is not None and f.height
            ]
            outcome.skipped = pl.concat(left_out, how="diagonal_relaxed") if left_out else None
            # Name the columns as the analyst's file names them ('Value', not 'value').
            outcome.report = outcome.report.with_columns(
                pl.col("column").replace(conversion.source_columns)
            )
    if outcome.status not in ("committed", "dry-run"):
        _log_run_outside_warehouse(settings, path, outcome, started)
    return outcome


def load_boundaries(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    *,
    operator: User | str,
    settings: Settings,
    dry_run: bool = False,
) -> LoadOutcome:
    """Returns the outcome of loading a GeoJSON boundary file as one batch."""
    require(operator, Action.UPLOAD, con=con, target=path.name)
    try:
        rows, report, code_property = read_boundaries(path, reference_queries.area_code_lookup(con))
    except BoundaryFileError as error:
        return LoadOutcome(
            file_name=path.name,
            kind="boundaries",
            status="refused",
            message=str(error),
            report=problems.file_problem(str(error)),
        )
    require_write_scope(
        con,
        operator,
        Action.UPLOAD,
        rows,
        target=path.name,
        row_column=None,
        where=f" of {path.name}",
    )
    outcome = LoadOutcome(
        file_name=path.name,
        kind="boundaries",
        status="refused",
        message="",
        report=report,
        rows_read=rows.height + report.height,
        rows_new=rows.height,
    )
    skipped = f"; {report.height} feature(s) skipped" if report.height else ""
    if dry_run:
        outcome.status = "dry-run"
        outcome.message = (
            f"Dry run of {path.name}: {rows.height} boundaries keyed by '{code_property}'{skipped}."
        )
        return outcome
    record = BatchRecord(
        kind="boundaries",
        file_name=path.name,
        sha256=sha256_of(path),
        operator=operator,
        rows_read=outcome.rows_read,
        rows_skipped=report.height,
        rows_new=rows.height,
        configuration={"code_property": code_property},
    )
    try:
        outcome.batch_id = commit_batch(con, record, rows, settings.write_retries)
    except (DuplicateBatch, WarehouseBusy) as error:
        outcome.status = "duplicate" if isinstance(error, DuplicateBatch) else "busy"
        outcome.message = str(error)
        return outcome
    outcome.status = "committed"
    outcome.message = (
        f"Loaded {rows.height} boundaries from {path.name} (codes in '{code_property}') "
        f"as batch {outcome.batch_id}{skipped}."
    )
    return outcome


def _unreadable_report(error: ValueError) -> pl.DataFrame:
    """Returns a one-line report for a file that could not be read, with its row and column
    when the reader could say where."""
    row, column = getattr(error, "row", None), getattr(error, "column", None)
    if row is None:
        return problems.file_problem(str(error), column=column)
    return pl.DataFrame(
        {
            "row": [row],
            "column": [column],
            "value": [None],
            "message": [str(error)],
            "severity": [problems.ERROR],
        },
        schema=problems.SCHEMA,
    )


def _log_run_outside_warehouse(
    settings: Settings, path: Path, outcome: LoadOutcome, started: datetime
) -> None:
    """Records a run that wrote nothing in a log file, so the warehouse stays byte-for-byte unchanged."""
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    entry = {
        "started_at": started.isoformat(),
        "finished_at": datetime.now().isoformat(),
        "file": str(path),
        "kind": outcome.kind,
        "outcome": outcome.status,
        "rows_read": outcome.rows_read,
        "problems": outcome.report.height,
        "message": outcome.message,
    }
    with (log_dir / "pipeline-runs.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry) + "\n")
