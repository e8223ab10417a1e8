"""Every write function checks the operator's role itself, and every refusal is audited."""

from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.demo import build_demo_warehouse
from pipelines.load import load_boundaries, load_file, load_frame
from warehouse.access import PermissionRefused, Role, User
from warehouse.audit import audit_entries
from warehouse.batches import BatchRecord, commit_batch, list_batches, withdraw_batch
from warehouse.settings import Settings

VALUES = "indicator_id,area_code,period,value\nNI 116,E06000001,2008/09,28.1\n"


def person(role: str | None, email: str | None = None) -> User:
    return User(
        email=email or f"{role or 'nobody'}@example.test",
        roles=frozenset({Role(role)}) if role else frozenset(),
        regions=frozenset({"E12000001"}),
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=":memory:", data_dir=tmp_path, demo_on_first_start=False)


@pytest.fixture
def values_file(tmp_path: Path) -> Path:
    path = tmp_path / "values.csv"
    path.write_text(VALUES, encoding="utf-8")
    return path


def refused(con) -> list[tuple]:
    return audit_entries(con, outcome="refused").select("actor", "action", "target").rows()


@pytest.mark.parametrize("role", ["minister", "official", None])
def test_uploads_are_refused_for_anyone_but_analysts_and_admins(
    memory_con, settings, values_file, role
):
    user = person(role)
    with pytest.raises(PermissionRefused, match="You do not have access"):
        load_file(memory_con, values_file, kind="indicators", operator=user, settings=settings)
    with pytest.raises(PermissionRefused):
        load_file(
            memory_con,
            values_file,
            kind="indicators",
            operator=user,
            settings=settings,
            dry_run=True,
        )
    with pytest.raises(PermissionRefused):
        load_boundaries(memory_con, values_file, operator=user, settings=settings)
    with pytest.raises(PermissionRefused):
        build_demo_warehouse(memory_con, operator=user)
    assert (
        list_batches(memory_con).filter(list_batches(memory_con)["kind"] != "reference").is_empty()
    )
    assert refused(memory_con) == [
        (user.email, "upload", target)
        for target in ("demonstration data", "values.csv", "values.csv", "values.csv")
    ]


def test_the_lower_level_writes_check_too(memory_con):
    import polars as pl

    minister = person("minister")
    with pytest.raises(PermissionRefused, match="upload data"):
        load_frame(
            memory_con,
            pl.DataFrame({"_row": [2]}),
            kind="indicators",
            file_name="f.csv",
            sha256="x",
            operator=minister,
        )
    record = BatchRecord(
        kind="indicators", file_name="g.csv", sha256="y", operator=minister, rows_read=0
    )
    with pytest.raises(PermissionRefused):
        commit_batch(memory_con, record, pl.DataFrame())
    with pytest.raises(PermissionRefused, match="roll back batches"):
        withdraw_batch(memory_con, "no-such-batch", person("official"))
    assert [action for _, action, _ in refused(memory_con)] == ["rollback", "upload", "upload"]


def test_an_analyst_uploads_and_rolls_back_and_both_are_audited(memory_con, settings, values_file):
    analyst = person("analyst", "ana@example.test")
    outcome = load_file(
        memory_con, values_file, kind="indicators", operator=analyst, settings=settings
    )
    assert outcome.status == "committed", outcome.message
    batch = list_batches(memory_con).row(0, named=True)
    assert batch["operator"] == "ana@example.test"
    withdraw_batch(memory_con, outcome.batch_id, analyst, "wrong file")
    entries = audit_entries(memory_con, actor="ana@")
    assert entries.select("action", "outcome", "target").rows() == [
        ("rollback", "succeeded", outcome.batch_id),
        ("upload", "succeeded", "values.csv"),
    ]


def test_the_command_line_records_its_operator_on_the_batch_and_the_audit_log(
    empty_lake, values_file
):
    assert main(["load", str(values_file), "--operator", "ana.cli"], settings=empty_lake) == 0
    from warehouse import open_warehouse

    con = open_warehouse(empty_lake)
    assert list_batches(con)["operator"][0] == "ana.cli"
    entry = audit_entries(con).row(0, named=True)
    assert (entry["actor"], entry["roles"], entry["action"]) == (
        "ana.cli",
        "admin (local operator)",
        "upload",
    )
