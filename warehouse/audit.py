"""The audit log: an append-only record of sign-ins, writes, downloads and refused attempts.

Rows are only ever appended (``audit_log``, migration ``0008_audit_log``); nothing updates
or deletes them. Writes that land a batch append their entry in the batch's own transaction
(``append_entry``), so an entry exists exactly when the write happened; everything else
uses ``record``, its own small transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

import duckdb
import polars as pl

from warehouse.access import User, actor_name, local_operator
from warehouse.connection import in_transaction
from warehouse.frames import insert_frame, query

AUDIT_COLUMNS = [
    "happened_at",
    "actor",
    "actor_name",
    "roles",
    "action",
    "outcome",
    "region_code",
    "target",
    "detail",
    "entry_id",
]


class Event(StrEnum):
    """Audited events that are not permissions (those are ``warehouse.access.Action``)."""

    SIGN_IN = "sign-in"
    SIGN_OUT = "sign-out"
    SESSION_EXPIRED = "session-expired"


def _entry(
    actor: User | str,
    action: str,
    outcome: str,
    region_code: str | None,
    target: str | None,
    detail: str | None,
) -> pl.DataFrame:
    user = actor if isinstance(actor, User) else local_operator(actor)
    return pl.DataFrame(
        {
            "entry_id": [uuid.uuid4().hex],
            "happened_at": [datetime.now()],
            "actor": [actor_name(actor)],
            "actor_name": [user.name],
            "roles": [user.role_names + (" (local operator)" if user.local else "")],
            "action": [str(action)],
            "region_code": [region_code],
            "target": [target],
            "outcome": [outcome],
            "detail": [detail],
        },
        schema_overrides={
            "region_code": pl.String,
            "target": pl.String,
            "detail": pl.String,
        },
    )


def append_entry(
    con: duckdb.DuckDBPyConnection,
    actor: User | str,
    action: str,
    outcome: str,
    *,
    region_code: str | None = None,
    target: str | None = None,
    detail: str | None = None,
) -> None:
    """Appends one entry inside the caller's open transaction."""
    insert_frame(con, "audit_log", _entry(actor, action, outcome, region_code, target, detail))


def record(
    con: duckdb.DuckDBPyConnection,
    actor: User | str,
    action: str,
    outcome: str,
    *,
    region_code: str | None = None,
    target: str | None = None,
    detail: str | None = None,
    retries: int = 8,
) -> None:
    """Appends one entry in its own transaction.

    Parameters
    ----------
    actor : User or str
        Who acted (a plain name is a trusted local operator such as the command line).
    action : str
        A ``warehouse.access.Action`` or an ``Event`` (sign-in, sign-out, …).
    outcome : str
        ``succeeded``, ``refused`` or ``failed``.
    """
    frame = _entry(actor, action, outcome, region_code, target, detail)
    in_transaction(con, lambda c: insert_frame(c, "audit_log", frame), retries)


def audit_entries(
    con: duckdb.DuckDBPyConnection,
    *,
    actor: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    region_code: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> pl.DataFrame:
    """Returns audit entries, newest first, optionally filtered (every filter is optional).

    ``actor`` matches the e-mail or name case-insensitively as a substring. A write that
    touched several regions records them all, separated by commas ("E12000001,E12000007");
    ``region_code`` finds it under each.
    """
    sql = f"""
        SELECT {", ".join(AUDIT_COLUMNS)} FROM audit_log
        WHERE ($actor::VARCHAR IS NULL
               OR contains(lower(actor), lower($actor)) OR contains(lower(actor_name), lower($actor)))
          AND ($action::VARCHAR IS NULL OR action = $action)
          AND ($outcome::VARCHAR IS NULL OR outcome = $outcome)
          AND ($region::VARCHAR IS NULL
               OR list_contains(string_split(region_code, ','), $region))
          AND ($since::TIMESTAMP IS NULL OR happened_at >= $since)
          AND ($until::TIMESTAMP IS NULL OR happened_at <= $until)
        ORDER BY happened_at DESC, entry_id
        LIMIT $limit
    """  # noqa: S608 - the column list is our own constant
    return query(
        con,
        sql,
        {
            "actor": actor or None,
            "action": action or None,
            "outcome": outcome or None,
            "region": region_code or None,
            "since": since,
            "until": until,
            "limit": limit if limit is not None else 1_000_000_000,
        },
    )


def audited_actions(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the distinct actions in the log, for a filter."""
    return query(con, "SELECT DISTINCT action FROM audit_log ORDER BY action")["action"].to_list()
