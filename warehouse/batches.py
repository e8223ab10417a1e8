"""Batches: the unit of every write, with lineage, history and withdrawal (rollback).

Facts are append-only. A batch is written in one transaction together with its lineage
row, its 'committed' event and its pipeline run; withdrawing a batch appends a 'withdrawn'
event, after which the views of current values fall back to the batch before it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import duckdb
import polars as pl

from warehouse.access import Action, User, actor_name, require
from warehouse.analytics.materialised import indicators_in, indicators_of_batch
from warehouse.analytics.materialised import refresh as refresh_derived
from warehouse.audit import append_entry
from warehouse.connection import in_transaction
from warehouse.frames import insert_frame, query
from warehouse.scope import batch_region_rows, require_write_scope, rows_touched

FACT_TABLES = {
    "indicators": "observations",
    "targets": "targets",
    "boundaries": "boundaries",
    "metadata": "indicators",
    "membership": "outcome_department_indicators",
    "programmes": "programmes",
    "programme_areas": "programme_areas",
    "comment": "comments",
    "action": "agreed_actions",
    "action-discussed": "agreed_actions",
}

#: Batch kinds that configure outcome departments rather than load data (admins only).
CONFIGURATION_KINDS = frozenset({"outcome-department-configuration", "membership"})
#: Batch kinds of the working side (commentary, actions): who writes them is not who uploads.
WORKING_KINDS = {
    "comment": Action.COMMENT,
    "action": Action.COMMENT,
    "action-discussed": Action.MARK_DISCUSSED,
}
#: Batch kinds whose rows no assessment reads (programmes, comments, actions).
UNASSESSED_KINDS = frozenset({"programmes", "programme_areas", *WORKING_KINDS})


def required_action(kind: str) -> Action:
    """Returns what writing a batch of this kind needs: configuration, commenting or an upload."""
    if kind in WORKING_KINDS:
        return WORKING_KINDS[kind]
    return Action.CONFIGURE if kind in CONFIGURATION_KINDS else Action.UPLOAD


class DuplicateBatch(ValueError):
    """The same content was already loaded and is live; nothing was written."""


class UnknownBatch(LookupError):
    """No batch has the given id."""


@dataclass
class BatchRecord:
    """What is known about a batch before it is written."""

    kind: str
    file_name: str
    sha256: str
    operator: User | str
    rows_read: int
    rows_skipped: int = 0
    rows_new: int = 0
    rows_revised: int = 0
    rows_unchanged: int = 0
    note: str | None = None
    configuration: dict = field(default_factory=dict)
    #: The one region the batch's rows belong to, when they have one (recorded in the audit log).
    region_code: str | None = None
    batch_id: str = field(default_factory=lambda: uuid.uuid4().hex[:16])


def find_live_batch_by_content(
    con: duckdb.DuckDBPyConnection, kind: str, sha256: str
) -> str | None:
    """Returns the id of a live batch of this kind with the same content hash, if any."""
    row = con.execute(
        "SELECT batch_id FROM live_batches WHERE kind = ? AND sha256 = ? LIMIT 1", [kind, sha256]
    ).fetchone()
    return row[0] if row else None


def commit_batch(
    con: duckdb.DuckDBPyConnection,
    record: BatchRecord,
    rows: pl.DataFrame,
    retries: int = 8,
    extra: dict[str, pl.DataFrame] | None = None,
) -> str:
    """Returns the batch id after writing ``rows`` and its lineage in one transaction.

    Raises ``DuplicateBatch`` when identical content is already live (checked inside the
    transaction, so two identical uploads at once cannot both land). ``extra`` frames (for
    example indicators created from an upload's metadata) are written in the same batch.
    """
    actor = require(
        record.operator,
        required_action(record.kind),
        region_code=record.region_code,
        con=con,
        target=record.file_name,
    )
    table = FACT_TABLES.get(record.kind)
    # Every row's region is checked against the user's scope (England and national rows
    # need every region); the regions are recorded with the write.
    actor, regions = require_write_scope(
        con,
        actor,
        required_action(record.kind),
        rows_touched([rows] if table is not None else [], extra),
        target=record.file_name,
        row_column=None,
        where=" of this batch",
    )
    started = datetime.now()

    def write(c: duckdb.DuckDBPyConnection) -> str:
        if existing := find_live_batch_by_content(c, record.kind, record.sha256):
            raise DuplicateBatch(
                f"This file's content was already loaded as batch {existing}; nothing was written."
            )
        now = datetime.now()
        if table is not None:
            insert_frame(c, table, rows.with_columns(batch_id=pl.lit(record.batch_id)))
        for other, frame in (extra or {}).items():
            insert_frame(c, other, frame.with_columns(batch_id=pl.lit(record.batch_id)))
        insert_frame(
            c,
            "batches",
            pl.DataFrame(
                {
                    "batch_id": [record.batch_id],
                    "kind": [record.kind],
                    "file_name": [record.file_name],
                    "sha256": [record.sha256],
                    "operator": [actor_name(record.operator)],
                    "created_at": [now],
                    "rows_read": [record.rows_read],
                    "rows_loaded": [rows.height],
                    "rows_new": [record.rows_new],
                    "rows_revised": [record.rows_revised],
                    "rows_unchanged": [record.rows_unchanged],
                    "rows_skipped": [record.rows_skipped],
                    "note": [record.note],
                }
            ),
        )
        _record_event(c, record.batch_id, "committed", actor_name(record.operator), now)
        append_entry(
            c,
            actor,
            required_action(record.kind),
            "succeeded",
            region_code=",".join(regions) or record.region_code,
            target=record.file_name,
            detail=f"batch {record.batch_id} ({record.kind}, {rows.height} rows)",
        )
        insert_frame(
            c,
            "pipeline_runs",
            pl.DataFrame(
                {
                    "run_id": [uuid.uuid4().hex],
                    "batch_id": [record.batch_id],
                    "command": [f"load --kind {record.kind}"],
                    "configuration": [
                        json.dumps(record.configuration, default=str, sort_keys=True)
                    ],
                    "input_sha256": [record.sha256],
                    "started_at": [started],
                    "finished_at": [datetime.now()],
                    "outcome": ["committed"],
                    "rows_read": [record.rows_read],
                    "message": [f"{rows.height} rows written"],
                }
            ),
        )
        # The derived tables follow in the same transaction: no reader sees one without the other.
        unassessed = record.kind in UNASSESSED_KINDS
        refresh_derived(c, [] if unassessed else indicators_in([rows, *(extra or {}).values()]))
        return record.batch_id

    return in_transaction(con, write, retries)


def _record_event(
    c: duckdb.DuckDBPyConnection,
    batch_id: str,
    event: str,
    operator: str,
    at: datetime,
    note: str | None = None,
) -> None:
    insert_frame(
        c,
        "batch_events",
        pl.DataFrame(
            {
                "event_id": [uuid.uuid4().hex],
                "batch_id": [batch_id],
                "event": [event],
                "operator": [operator],
                "happened_at": [at],
                "note": [note],
            },
            schema_overrides={"note": pl.String},
        ),
    )


def withdraw_batch(
    con: duckdb.DuckDBPyConnection,
    batch_id: str,
    operator: User | str,
    reason: str | None = None,
    retries: int = 8,
) -> None:
    """Marks a batch withdrawn, so the values it replaced are current again. Nothing is deleted.

    Needs the rollback permission (``PermissionRefused`` otherwise, recorded in the audit log).
    """
    # A batch is rolled back whole, so every one of its rows must be in the user's regions.
    actor, regions = require_write_scope(
        con,
        operator,
        Action.ROLLBACK,
        batch_region_rows(con, batch_id),
        target=batch_id,
        row_column=None,
        where=f" of batch {batch_id}",
        remedy="Ask an administrator with those regions to roll it back.",
    )

    def withdraw(c: duckdb.DuckDBPyConnection) -> None:
        kind = c.execute("SELECT kind FROM batches WHERE batch_id = ?", [batch_id]).fetchone()
        if kind is None:
            raise UnknownBatch(
                f"There is no batch {batch_id}. `python -m pipelines batches` lists them."
            )
        if kind[0] == "reference":
            raise ValueError("Reference data shipped with the product cannot be withdrawn.")
        if c.execute(
            "SELECT count(*) FROM batch_events WHERE batch_id = ? AND event = 'withdrawn'",
            [batch_id],
        ).fetchone()[0]:
            raise ValueError(f"Batch {batch_id} is already withdrawn.")
        _record_event(c, batch_id, "withdrawn", actor_name(actor), datetime.now(), reason)
        refresh_derived(c, indicators_of_batch(c, batch_id))
        append_entry(
            c,
            actor,
            Action.ROLLBACK,
            "succeeded",
            region_code=",".join(regions) or None,
            target=batch_id,
            detail=reason,
        )

    in_transaction(con, withdraw, retries)


def list_batches(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns every batch, newest first, with its status (live or withdrawn) and who withdrew it."""
    return query(
        con,
        """
        SELECT b.batch_id, b.kind, b.file_name, b.operator, b.created_at, b.rows_read,
               b.rows_loaded, b.rows_new, b.rows_revised, b.rows_unchanged, b.rows_skipped,
               CASE WHEN w.batch_id IS NULL THEN 'live' ELSE 'withdrawn' END AS status,
               w.operator AS withdrawn_by, w.happened_at AS withdrawn_at, b.sha256, b.note
        FROM batches b
        LEFT JOIN (SELECT * FROM batch_events WHERE event = 'withdrawn') w USING (batch_id)
        ORDER BY b.created_at DESC, b.batch_id DESC
        """,
    )


def batch_history(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Returns every batch event (committed, withdrawn), newest first."""
    return query(
        con,
        """
        SELECT e.happened_at, e.event, e.batch_id, b.kind, b.file_name, e.operator, e.note
        FROM batch_events e JOIN batches b USING (batch_id)
        ORDER BY e.happened_at DESC
        """,
    )


def data_version(con: duckdb.DuckDBPyConnection) -> str:
    """Returns a token that changes whenever a batch lands or is withdrawn (for cache keys)."""
    count, latest = con.execute("SELECT count(*), max(happened_at) FROM batch_events").fetchone()
    return f"{count}:{latest}"
