import pytest

from warehouse.connection import connect
from warehouse.migrations import MIGRATIONS, applied_migrations, migrate


@pytest.mark.both_catalogs
def test_migrations_apply_in_order_and_are_recorded(empty_lake):
    con = connect(empty_lake)
    assert applied_migrations(con) == [name for name, _ in MIGRATIONS]


@pytest.mark.both_catalogs
def test_applying_migrations_twice_is_harmless(empty_lake):
    con = connect(empty_lake)
    before = con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0]
    assert migrate(con) == []
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == before


def test_schema_has_every_table_and_view(memory_con):
    names = {
        row[0]
        for row in memory_con.execute("SELECT table_name FROM information_schema.tables").fetchall()
    }
    expected = {
        "regions",
        "areas",
        "area_code_changes",
        "departments",
        "psas",
        "indicators",
        "indicator_psas",
        "outcome_departments",
        "outcome_department_psas",
        "outcome_department_indicators",
        "outcome_department_goals",
        "targets",
        "observations",
        "batches",
        "batch_events",
        "pipeline_runs",
        "live_batches",
        "current_observations",
        "current_targets",
        "schema_migrations",
    }
    assert expected <= names


def test_observations_carry_every_field_the_brief_names(memory_con):
    columns = {
        row[0]
        for row in memory_con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'observations'"
        ).fetchall()
    }
    assert {
        "indicator_id",
        "area_code",
        "period",
        "period_start",
        "period_end",
        "frequency",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "lower_ci_99_8",
        "upper_ci_99_8",
        "count",
        "denominator",
        "note",
        "batch_id",
    } == columns
