"""Comments on numbers and agreed actions: versioned, append-only, audited, region-scoped.

A comment is written on an indicator in an area (or in the region, or on a goal); an agreed
action says what was agreed, who owns it, by when, and whether it is open, done or dropped.
Each save is one batch through the one writer (``warehouse.batches.commit_batch``): an edit
appends a new version, nothing is updated or deleted, and the current version of each comment
or action is the newest live batch's (``current_comments``, ``current_agreed_actions``).
Officials, analysts and administrators of a region write them; a minister reads them and may
mark an action discussed, which is a new version too.

Text is data: stored as typed, shown as plain text, size-limited here (``InvalidEntry``).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime

import duckdb
import polars as pl

from warehouse.access import Action, User, actor_name, require
from warehouse.batches import BatchRecord, commit_batch
from warehouse.frames import query

MAX_COMMENT_CHARS = 2000
MAX_ACTION_CHARS = 500
MAX_OWNER_CHARS = 120
STATUSES = ("open", "done", "dropped")

ACTION_COLUMNS = [
    "action_id",
    "version",
    "region_code",
    "outcome_department_id",
    "indicator_id",
    "area_code",
    "what",
    "owner",
    "due_date",
    "status",
    "discussed",
    "discussed_by",
    "discussed_at",
    "author",
    "written_at",
]
COMMENT_COLUMNS = [
    "comment_id",
    "version",
    "region_code",
    "outcome_department_id",
    "indicator_id",
    "area_code",
    "goal_id",
    "body",
    "author",
    "written_at",
]


class InvalidEntry(ValueError):
    """A comment or action that cannot be saved as written; the message says how to fix it."""


@dataclass(frozen=True)
class Subject:
    """What a comment or action is about: a region, and within it an indicator, area or goal."""

    region_code: str
    outcome_department_id: str | None = None
    indicator_id: str | None = None
    area_code: str | None = None
    goal_id: str | None = None


def check_subject(con: duckdb.DuckDBPyConnection, subject: Subject) -> None:
    """Raises ``InvalidEntry`` unless the area, department and goal belong to the region."""
    found = query(
        con,
        """
        SELECT
          (SELECT count(*) FROM regions WHERE region_code = $region) AS region,
          (SELECT count(*) FROM areas WHERE area_code = $area
             AND (region_code = $region OR area_code = $region)) AS area,
          (SELECT count(*) FROM current_outcome_departments
             WHERE outcome_department_id = $department AND region_code = $region) AS department,
          (SELECT count(*) FROM current_indicators WHERE indicator_id = $indicator) AS indicator,
          (SELECT count(*) FROM current_outcome_department_goals
             WHERE goal_id = $goal AND outcome_department_id = $department) AS goal
        """,
        {
            "region": subject.region_code,
            "area": subject.area_code,
            "department": subject.outcome_department_id,
            "indicator": subject.indicator_id,
            "goal": subject.goal_id,
        },
    ).row(0, named=True)
    problems = [
        (found["region"] == 0, f"There is no region {subject.region_code}."),
        (
            subject.area_code is not None and found["area"] == 0,
            f"Area {subject.area_code} is not in region {subject.region_code}.",
        ),
        (
            subject.outcome_department_id is not None and found["department"] == 0,
            f"Outcome department {subject.outcome_department_id} is not in region "
            f"{subject.region_code}.",
        ),
        (
            subject.indicator_id is not None and found["indicator"] == 0,
            f"There is no indicator {subject.indicator_id}.",
        ),
        (
            subject.goal_id is not None and found["goal"] == 0,
            f"Goal {subject.goal_id} is not a goal of that outcome department.",
        ),
    ]
    messages = [message for failed, message in problems if failed]
    if messages:
        raise InvalidEntry(" ".join(messages))


def checked_text(value: str | None, what: str, limit: int) -> str:
    """Returns the text stripped of surrounding spaces, or raises ``InvalidEntry``."""
    text = (value or "").strip()
    if not text:
        raise InvalidEntry(f"The {what} is empty. Write what you want to record.")
    if len(text) > limit:
        raise InvalidEntry(
            f"The {what} has {len(text):,} characters; the limit is {limit:,}. Shorten it, "
            "or split it into several entries."
        )
    if "\x00" in text:
        raise InvalidEntry(f"The {what} holds a NUL character. Remove it and save again.")
    return text


def _next_version(con: duckdb.DuckDBPyConnection, table: str, key: str, value: str) -> int:
    sql = f"SELECT coalesce(max(version), 0) FROM {table} WHERE {key} = ?"  # noqa: S608 - ours
    return int(con.execute(sql, [value]).fetchone()[0]) + 1


def _write(
    con: duckdb.DuckDBPyConnection,
    user: User | str,
    kind: str,
    row: dict,
    region_code: str,
    label: str,
) -> None:
    """Writes one row as one batch of ``kind`` (checked, audited with its region)."""
    content = json.dumps(row, default=str, sort_keys=True)
    record = BatchRecord(
        kind=kind,
        file_name=label,
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        operator=user,
        rows_read=1,
        rows_new=1 if row["version"] == 1 else 0,
        rows_revised=0 if row["version"] == 1 else 1,
        region_code=region_code,
        configuration={"form": kind},
    )
    commit_batch(con, record, pl.DataFrame([row], infer_schema_length=None))


def write_comment(
    con: duckdb.DuckDBPyConnection,
    user: User | str,
    subject: Subject,
    body: str,
    comment_id: str | None = None,
) -> tuple[str, int]:
    """Returns (comment id, version) after saving a new comment, or a new version of one.

    Raises ``PermissionRefused`` (audited) outside the user's role or regions, and
    ``InvalidEntry`` for an empty or too long text or a subject outside the region.
    """
    actor = require(user, Action.COMMENT, region_code=subject.region_code, con=con)
    text = checked_text(body, "comment", MAX_COMMENT_CHARS)
    if comment_id is not None:
        subject = _subject_of(con, "current_comments", "comment_id", comment_id, subject)
    check_subject(con, subject)
    comment_id = comment_id or f"c-{uuid.uuid4().hex[:12]}"
    version = _next_version(con, "comments", "comment_id", comment_id)
    row = {
        "comment_id": comment_id,
        "version": version,
        **asdict(subject),
        "body": text,
        "author": actor_name(actor),
        "written_at": datetime.now(),
    }
    _write(con, actor, "comment", row, subject.region_code, f"comment {comment_id} v{version}")
    return comment_id, version


def write_action(
    con: duckdb.DuckDBPyConnection,
    user: User | str,
    subject: Subject,
    what: str,
    owner: str,
    due_date: date,
    status: str = "open",
    action_id: str | None = None,
) -> tuple[str, int]:
    """Returns (action id, version) after saving a new agreed action, or a new version of one.

    Raises ``PermissionRefused`` (audited) outside the user's role or regions, and
    ``InvalidEntry`` for empty or too long text, an unknown status or a subject outside
    the region. Whether the action was discussed carries over from the version before.
    """
    actor = require(user, Action.COMMENT, region_code=subject.region_code, con=con)
    what = checked_text(what, "action", MAX_ACTION_CHARS)
    owner = checked_text(owner, "owner", MAX_OWNER_CHARS)
    if status not in STATUSES:
        raise InvalidEntry(f"Status {status!r} is not one of {', '.join(STATUSES)}.")
    if not isinstance(due_date, date):
        raise InvalidEntry("The due date is missing. Choose the date the action is due.")
    previous = None
    if action_id is not None:
        subject = _subject_of(con, "current_agreed_actions", "action_id", action_id, subject)
        previous = current_action(con, action_id)
    check_subject(con, subject)
    action_id = action_id or f"a-{uuid.uuid4().hex[:12]}"
    version = _next_version(con, "agreed_actions", "action_id", action_id)
    row = {
        "action_id": action_id,
        "version": version,
        "region_code": subject.region_code,
        "outcome_department_id": subject.outcome_department_id,
        "indicator_id": subject.indicator_id,
        "area_code": subject.area_code,
        "what": what,
        "owner": owner,
        "due_date": due_date,
        "status": status,
        "discussed": bool(previous and previous["discussed"]),
        "discussed_by": previous["discussed_by"] if previous else None,
        "discussed_at": previous["discussed_at"] if previous else None,
        "author": actor_name(actor),
        "written_at": datetime.now(),
    }
    _write(con, actor, "action", row, subject.region_code, f"action {action_id} v{version}")
    return action_id, version


def mark_discussed(con: duckdb.DuckDBPyConnection, user: User | str, action_id: str) -> int:
    """Returns the new version after recording that the action was discussed (by a minister).

    Raises ``InvalidEntry`` for an unknown action and ``PermissionRefused`` (audited)
    without the right or outside the user's regions.
    """
    previous = current_action(con, action_id)
    if previous is None:
        raise InvalidEntry(f"There is no agreed action {action_id}.")
    actor = require(user, Action.MARK_DISCUSSED, region_code=previous["region_code"], con=con)
    version = _next_version(con, "agreed_actions", "action_id", action_id)
    now = datetime.now()
    row = {
        **{column: previous[column] for column in ACTION_COLUMNS},
        "version": version,
        "discussed": True,
        "discussed_by": actor_name(actor),
        "discussed_at": now,
        "author": actor_name(actor),
        "written_at": now,
    }
    label = f"action {action_id} v{version} discussed"
    _write(con, actor, "action-discussed", row, previous["region_code"], label)
    return version


def _subject_of(
    con: duckdb.DuckDBPyConnection, view: str, key: str, value: str, given: Subject
) -> Subject:
    """Returns the subject of an existing entry (an edit keeps it); refuses a moved region."""
    goal = "goal_id" if view == "current_comments" else "NULL AS goal_id"
    sql = f"SELECT region_code, outcome_department_id, indicator_id, area_code, {goal} FROM {view} WHERE {key} = ?"  # noqa: S608, E501 - names are ours
    found = con.execute(sql, [value]).fetchone()
    if found is None:
        raise InvalidEntry(f"There is nothing with id {value} to edit.")
    if found[0] != given.region_code:
        raise InvalidEntry(f"{value} belongs to region {found[0]}, not {given.region_code}.")
    return Subject(*found)


def current_action(con: duckdb.DuckDBPyConnection, action_id: str) -> dict | None:
    """Returns the current version of one action as a dict, or None."""
    found = query(
        con,
        f"SELECT {', '.join(ACTION_COLUMNS)} FROM current_agreed_actions WHERE action_id = ?",  # noqa: S608
        [action_id],
    )
    return found.row(0, named=True) if found.height else None


def comment_versions(con: duckdb.DuckDBPyConnection, comment_id: str) -> pl.DataFrame:
    """Returns every live version of a comment, oldest first, with ``current`` marking one."""
    return _versions(con, "comments", "current_comments", "comment_id", comment_id, COMMENT_COLUMNS)


def action_versions(con: duckdb.DuckDBPyConnection, action_id: str) -> pl.DataFrame:
    """Returns every live version of an action, oldest first, with ``current`` marking one."""
    return _versions(
        con, "agreed_actions", "current_agreed_actions", "action_id", action_id, ACTION_COLUMNS
    )


def _versions(con, table, view, key, value, columns) -> pl.DataFrame:
    sql = f"""
        SELECT {", ".join(f"t.{c}" for c in columns)},
               t.batch_id IN (SELECT batch_id FROM {view} WHERE {key} = $value) AS current
        FROM {table} t JOIN live_batches b USING (batch_id)
        WHERE t.{key} = $value
        ORDER BY t.version
    """  # noqa: S608 - names are ours; the value is a parameter
    return query(con, sql, {"value": value})


_SUBJECT_FILTER = """
    WHERE x.region_code = $region
      AND ($department::VARCHAR IS NULL OR x.outcome_department_id = $department)
      AND ($indicator::VARCHAR IS NULL OR x.indicator_id = $indicator)
      AND ($area::VARCHAR IS NULL OR x.area_code = $area)
"""


def comments_for(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    outcome_department_id: str | None = None,
    indicator_id: str | None = None,
    area_code: str | None = None,
) -> pl.DataFrame:
    """Returns the current comments of a region (optionally of one department, indicator or
    area), newest first, with the area's and indicator's names."""
    sql = f"""
        SELECT {", ".join(f"x.{c}" for c in COMMENT_COLUMNS)}, a.name AS area_name,
               i.name AS indicator_name
        FROM current_comments x
        LEFT JOIN areas a ON a.area_code = x.area_code
        LEFT JOIN current_indicators i ON i.indicator_id = x.indicator_id
        {_SUBJECT_FILTER}
        ORDER BY x.written_at DESC, x.comment_id
    """  # noqa: S608 - the filter is our constant
    return query(con, sql, _params(region_code, outcome_department_id, indicator_id, area_code))


def actions_for(
    con: duckdb.DuckDBPyConnection,
    region_code: str,
    outcome_department_id: str | None = None,
    indicator_id: str | None = None,
    area_code: str | None = None,
) -> pl.DataFrame:
    """Returns the current agreed actions of a region (optionally narrowed), soonest due first,
    with the area's, indicator's and outcome department's names."""
    sql = f"""
        SELECT {", ".join(f"x.{c}" for c in ACTION_COLUMNS)}, a.name AS area_name,
               i.name AS indicator_name, d.name AS outcome_department
        FROM current_agreed_actions x
        LEFT JOIN areas a ON a.area_code = x.area_code
        LEFT JOIN current_indicators i ON i.indicator_id = x.indicator_id
        LEFT JOIN current_outcome_departments d
               ON d.outcome_department_id = x.outcome_department_id
        {_SUBJECT_FILTER}
        ORDER BY x.due_date, x.action_id
    """  # noqa: S608 - the filter is our constant
    return query(con, sql, _params(region_code, outcome_department_id, indicator_id, area_code))


def _params(region_code, outcome_department_id, indicator_id, area_code) -> dict:
    return {
        "region": region_code,
        "department": outcome_department_id,
        "indicator": indicator_id,
        "area": area_code,
    }


def overdue_actions(
    con: duckdb.DuckDBPyConnection, region_code: str, today: date | None = None
) -> pl.DataFrame:
    """Returns the region's open actions whose due date is before ``today`` (default: today)."""
    today = today or date.today()
    actions = actions_for(con, region_code)
    return actions.filter((pl.col("status") == "open") & (pl.col("due_date") < today))


def overdue_sentence(overdue: int) -> str:
    """Returns how many actions are past their due date, in words."""
    if overdue == 0:
        return "No open action is past its due date."
    if overdue == 1:
        return "1 action is past its due date."
    return f"{overdue} actions are past their due date."


#: The columns of an actions export, in the words of a meeting's minutes.
EXPORT_NAMES = {
    "action_id": "Action",
    "version": "Version",
    "outcome_department": "Outcome department",
    "indicator_id": "Indicator",
    "indicator_name": "Indicator name",
    "area_name": "Area",
    "what": "What was agreed",
    "owner": "Owner",
    "due_date": "Due",
    "status": "Status",
    "discussed": "Discussed",
    "author": "Last written by",
    "written_at": "Last written at",
}


def actions_export(con: duckdb.DuckDBPyConnection, region_code: str) -> pl.DataFrame:
    """Returns the region's current actions for the minutes, safe to open in a spreadsheet."""
    from warehouse.analytics import safe_for_spreadsheet

    frame = actions_for(con, region_code).select(list(EXPORT_NAMES)).rename(EXPORT_NAMES)
    return safe_for_spreadsheet(
        frame.with_columns(
            pl.col("Discussed").replace_strict(
                {True: "yes", False: "no"}, default="no", return_dtype=pl.String
            )
        )
    )
