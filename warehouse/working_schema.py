"""Tables and current views of the working side of an outcome department (migration 0011).

The register of national programmes and their presence in areas, comments on numbers and
agreed actions are facts like indicator values: rows carry their batch, nothing is updated or
deleted, and the current row of each key is the newest live batch's (an edit is a new version;
withdrawing it brings back the one before).
"""

from __future__ import annotations

WORKING_SIDE_TABLES = """
CREATE TABLE IF NOT EXISTS programmes (
    programme_id VARCHAR, name VARCHAR, department_code VARCHAR, outcome_departments VARCHAR,
    indicator_ids VARCHAR, start_date DATE, end_date DATE, funding DOUBLE, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS programme_areas (
    programme_id VARCHAR, area_code VARCHAR, role VARCHAR, contact_name VARCHAR,
    contact_email VARCHAR, from_date DATE, to_date DATE, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS comments (
    comment_id VARCHAR, version INTEGER, region_code VARCHAR, outcome_department_id VARCHAR,
    indicator_id VARCHAR, area_code VARCHAR, goal_id VARCHAR, body VARCHAR, author VARCHAR,
    written_at TIMESTAMP, batch_id VARCHAR
);
CREATE TABLE IF NOT EXISTS agreed_actions (
    action_id VARCHAR, version INTEGER, region_code VARCHAR, outcome_department_id VARCHAR,
    indicator_id VARCHAR, area_code VARCHAR, what VARCHAR, owner VARCHAR, due_date DATE,
    status VARCHAR, discussed BOOLEAN, discussed_by VARCHAR, discussed_at TIMESTAMP,
    author VARCHAR, written_at TIMESTAMP, batch_id VARCHAR
);
CREATE OR REPLACE VIEW current_programmes AS
SELECT p.* FROM programmes p JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY p.programme_id ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
CREATE OR REPLACE VIEW current_programme_areas AS
SELECT p.* FROM programme_areas p JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY p.programme_id, p.area_code, p.role ORDER BY b.created_at DESC, b.batch_id DESC
) = 1;
CREATE OR REPLACE VIEW current_comments AS
SELECT c.* FROM comments c JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY c.comment_id ORDER BY b.created_at DESC, c.version DESC, b.batch_id DESC
) = 1;
CREATE OR REPLACE VIEW current_agreed_actions AS
SELECT a.* FROM agreed_actions a JOIN live_batches b USING (batch_id)
QUALIFY row_number() OVER (
    PARTITION BY a.action_id ORDER BY b.created_at DESC, a.version DESC, b.batch_id DESC
) = 1;
"""
