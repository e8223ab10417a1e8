"""The warehouse schema as ordered, named migrations recorded in ``schema_migrations``.

Applying them again is harmless: each migration runs once, in its own transaction, and is
recorded in the same transaction. DuckLake has no primary keys, unique constraints or
sequences, so ids come from Python and uniqueness is checked by the pipelines before writing.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from warehouse.breakdowns import BREAKDOWN_TABLES
from warehouse.connection import in_transaction
from warehouse.geography_schema import AREA_SUCCESSIONS
from warehouse.working_schema import WORKING_SIDE_TABLES

REFERENCE_TABLES = """
CREATE TABLE IF NOT EXISTS regions (
    region_code VARCHAR, name VARCHAR, government_office VARCHAR, gor_letter VARCHAR
);
CREATE TABLE IF NOT EXISTS areas (
    area_code VARCHAR, old_code VARCHAR, name VARCHAR, area_type VARCHAR, tier VARCHAR,
    parent_code VARCHAR, region_code VARCHAR, valid_from DATE, valid_to DATE
);
CREATE TABLE IF NOT EXISTS area_code_changes (
    previous_code VARCHAR, area_code VARCHAR, changed_on DATE, note VARCHAR
);
CREATE TABLE IF NOT EXISTS departments (department_code VARCHAR, name VARCHAR);
CREATE TABLE IF NOT EXISTS psas (
    psa_id INTEGER, title VARCHAR, lead_department_code VARCHAR, regional_delivery BOOLEAN
);
CREATE TABLE IF NOT EXISTS indicators (
    indicator_id VARCHAR, name VARCHAR, definition VARCHAR, unit VARCHAR, value_type VARCHAR,
    multiplier DOUBLE, polarity VARCHAR, owner_department_code VARCHAR, theme VARCHAR,
    source VARCHAR, verification VARCHAR, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS indicator_psas (indicator_id VARCHAR, psa_id INTEGER, batch_id VARCHAR);
"""

OUTCOME_DEPARTMENT_TABLES = """
CREATE TABLE IF NOT EXISTS outcome_departments (
    outcome_department_id VARCHAR, outcome_department_key VARCHAR, region_code VARCHAR,
    name VARCHAR, outcome VARCHAR, chair VARCHAR, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS outcome_department_psas (
    outcome_department_id VARCHAR, psa_id INTEGER, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS outcome_department_indicators (
    outcome_department_id VARCHAR, indicator_id VARCHAR, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS outcome_department_goals (
    outcome_department_id VARCHAR, goal_id VARCHAR, goal VARCHAR, indicator_id VARCHAR,
    priority BOOLEAN, batch_id VARCHAR
);
"""

FACT_TABLES = """
CREATE TABLE IF NOT EXISTS batches (
    batch_id VARCHAR, kind VARCHAR, file_name VARCHAR, sha256 VARCHAR, operator VARCHAR,
    created_at TIMESTAMP, rows_read BIGINT, rows_loaded BIGINT, rows_new BIGINT,
    rows_revised BIGINT, rows_unchanged BIGINT, rows_skipped BIGINT, note VARCHAR
);
CREATE TABLE IF NOT EXISTS batch_events (
    event_id VARCHAR, batch_id VARCHAR, event VARCHAR, operator VARCHAR, happened_at TIMESTAMP,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS pipeline_runs (
    run_id VARCHAR, batch_id VARCHAR, command VARCHAR, configuration VARCHAR,
    input_sha256 VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP, outcome VARCHAR,
    rows_read BIGINT, message VARCHAR
);
CREATE TABLE IF NOT EXISTS observations (
    indicator_id VARCHAR, area_code VARCHAR, period VARCHAR, period_start DATE,
    period_end DATE, frequency VARCHAR, value DOUBLE, lower_ci_95 DOUBLE, upper_ci_95 DOUBLE,
    lower_ci_99_8 DOUBLE, upper_ci_99_8 DOUBLE, count DOUBLE, denominator DOUBLE,
    note VARCHAR, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS targets (
    target_id VARCHAR, indicator_id VARCHAR, area_code VARCHAR, level VARCHAR, source VARCHAR,
    baseline_period VARCHAR, baseline_period_end DATE, baseline_value DOUBLE,
    target_period VARCHAR, target_period_end DATE, target_value DOUBLE, tolerance DOUBLE,
    milestones VARCHAR, batch_id VARCHAR
);
"""

# A batch is live until a 'withdrawn' event is recorded for it; the latest live batch
# wins for each key, so withdrawing a revision makes its predecessor current again.
CURRENT_VIEWS = """
CREATE OR REPLACE VIEW live_batches AS
SELECT b.* FROM batches b
WHERE NOT EXISTS (
    SELECT 1 FROM batch_events e WHERE e.batch_id = b.batch_id AND e.event = 'withdrawn'
);
CREATE OR REPLACE VIEW current_observations AS
SELECT o.*, b.created_at AS loaded_at
FROM observations o JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY o.indicator_id, o.area_code, o.period
    ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
CREATE OR REPLACE VIEW current_targets AS
SELECT t.*
FROM targets t JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY t.indicator_id, t.area_code, t.source, t.target_period
    ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
"""

BOUNDARY_TABLES = """
CREATE TABLE IF NOT EXISTS boundaries (
    area_code VARCHAR, name VARCHAR, geometry VARCHAR, batch_id VARCHAR
);
CREATE OR REPLACE VIEW current_boundaries AS
SELECT g.* FROM boundaries g JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (PARTITION BY g.area_code ORDER BY b.created_at DESC, b.batch_id DESC) = 1;
"""

# An administrator's change of an outcome department (its chair, its goals and which are
# priorities) is a batch of new rows; the latest live batch wins per department and per goal,
# so rolling the change back brings back what it replaced.
OUTCOME_DEPARTMENT_CONFIGURATION = """
CREATE OR REPLACE VIEW current_outcome_departments AS
SELECT d.* FROM outcome_departments d JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY d.outcome_department_id ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
CREATE OR REPLACE VIEW current_outcome_department_goals AS
SELECT g.* FROM outcome_department_goals g JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY g.outcome_department_id, g.goal_id ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
"""

# Who did what, when, and whether it was allowed: appended to, never updated or deleted.
AUDIT_LOG = """
CREATE TABLE IF NOT EXISTS audit_log (
    entry_id VARCHAR, happened_at TIMESTAMP, actor VARCHAR, actor_name VARCHAR, roles VARCHAR,
    action VARCHAR, region_code VARCHAR, target VARCHAR, outcome VARCHAR, detail VARCHAR
);
"""

# Indicator metadata and outcome-department membership are uploaded as batches too, so their
# current rows follow live batches as values do: withdrawing a metadata or membership upload
# brings back what it replaced. A membership row with included = false takes an indicator out
# of a department; rows written before 0006 have no flag and count as members.
CURRENT_INDICATORS_AND_MEMBERSHIP = """
ALTER TABLE outcome_department_indicators ADD COLUMN included BOOLEAN;
CREATE OR REPLACE VIEW current_indicators AS
SELECT i.*
FROM indicators i JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY i.indicator_id ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
CREATE OR REPLACE VIEW current_outcome_department_indicators AS
SELECT outcome_department_id, indicator_id, batch_id FROM (
    SELECT m.*
    FROM outcome_department_indicators m JOIN live_batches b USING (batch_id)
    QUALIFY row_number() OVER (
        PARTITION BY m.outcome_department_id, m.indicator_id
        ORDER BY b.created_at DESC, b.batch_id DESC
    ) = 1
)
WHERE coalesce(included, true);
"""


def _assessment_columns(c: duckdb.DuckDBPyConnection) -> None:
    """Interval method, late-target judgement and "Not assessed" columns (issue 13)."""
    from warehouse.analytics.materialised import add_assessment_columns

    add_assessment_columns(c)


def _assessed_latest(c: duckdb.DuckDBPyConnection) -> None:
    """Derived tables of assessed latest values, filled from the facts already there."""
    from warehouse.analytics.materialised import create_and_fill

    create_and_fill(c)


#: A migration is SQL text, or a function given the connection inside the transaction.
MIGRATIONS: list[tuple[str, str | Callable[[duckdb.DuckDBPyConnection], None]]] = [
    ("0001_reference_tables", REFERENCE_TABLES),
    ("0002_outcome_departments", OUTCOME_DEPARTMENT_TABLES),
    ("0003_facts_and_lineage", FACT_TABLES),
    ("0004_current_views", CURRENT_VIEWS),
    ("0005_boundaries", BOUNDARY_TABLES),
    ("0006_current_indicators_and_membership", CURRENT_INDICATORS_AND_MEMBERSHIP),
    # Before 0007: the derived tables it fills read these views.
    ("0006_outcome_department_configuration", OUTCOME_DEPARTMENT_CONFIGURATION),
    ("0007_assessed_latest", _assessed_latest),
    ("0008_audit_log", AUDIT_LOG),
    ("0009_area_successions", AREA_SUCCESSIONS),
    ("0010_assessment_columns", _assessment_columns),
    ("0011_programmes_comments_actions", WORKING_SIDE_TABLES),
    ("0012_observation_breakdowns", BREAKDOWN_TABLES),
]


def applied_migrations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Returns the names of the migrations already applied, in order."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR, applied_at TIMESTAMP)")
    rows = con.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    return [name for (name,) in rows]


def migrate(con: duckdb.DuckDBPyConnection, retries: int = 8) -> list[str]:
    """Returns the names of the migrations this call applied (empty when up to date)."""
    newly_applied: list[str] = []
    for name, statements in MIGRATIONS:
        if name in applied_migrations(con):
            continue

        def apply(c: duckdb.DuckDBPyConnection, name: str = name, sql=statements) -> bool:
            # Checked again inside the transaction: another process may have got there first.
            if c.execute(
                "SELECT count(*) FROM schema_migrations WHERE name = ?", [name]
            ).fetchone()[0]:
                return False
            if callable(sql):
                sql(c)
            else:
                for statement in _split(sql):
                    c.execute(statement)
            c.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [name])
            return True

        if in_transaction(con, apply, retries):
            newly_applied.append(name)
    return newly_applied


def _split(sql: str) -> list[str]:
    return [part.strip() for part in sql.split(";") if part.strip()]
