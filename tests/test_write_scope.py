"""Region scope on every write: a regional user writes, withdraws and configures only their regions.

Every refusal says which rows are for which region and is in the audit log with that
region; nothing is written. England and national rows (indicator metadata) need every region.
"""

from pathlib import Path

import polars as pl
import pytest

from pipelines.load import load_boundaries, load_file
from pipelines.outcome_department_config import Goal, configure_outcome_department
from warehouse.access import PermissionRefused, Role, User
from warehouse.audit import audit_entries
from warehouse.batches import BatchRecord, commit_batch, list_batches, withdraw_batch
from warehouse.outcome_configuration import department_configuration
from warehouse.scope import row_numbers
from warehouse.settings import Settings

NORTH_EAST, LONDON, ENGLAND = "E12000001", "E12000007", "E92000001"
HARTLEPOOL, MIDDLESBROUGH = "E06000001", "E06000002"  # North East
CITY, BARKING = "E09000001", "E09000002"  # London


def person(*roles: str, regions=(NORTH_EAST,), everywhere=False) -> User:
    scope = "all" if everywhere else "-".join(sorted(regions))
    return User(
        email=f"{'-'.join(roles)}.{scope}@example.test",
        roles=frozenset(Role(r) for r in roles),
        regions=frozenset() if everywhere else frozenset(regions),
        all_regions=everywhere,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(warehouse=":memory:", data_dir=tmp_path, demo_on_first_start=False)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def values(*areas: str) -> str:
    """One NI 116 value per area, in file rows 2, 3, … (the header is row 1)."""
    lines = [f"NI 116,{area},2008/09,{20 + n}" for n, area in enumerate(areas)]
    return "indicator_id,area_code,period,value\n" + "\n".join(lines) + "\n"


def data_batches(con) -> pl.DataFrame:
    return list_batches(con).filter(pl.col("kind") != "reference")


def refusals(con) -> list[tuple]:
    return audit_entries(con, outcome="refused").select("actor", "action", "region_code").rows()


def test_row_numbers_are_named_in_runs():
    assert row_numbers([12, 4, 5, 6, 7, 8, 9]) == "Rows 4–9 and 12 are"
    assert row_numbers([3]) == "Row 3 is"
    assert row_numbers([2, 4, 5, 9]) == "Rows 2, 4–5 and 9 are"


def test_a_north_east_analyst_committing_london_values_is_refused_and_nothing_is_written(
    memory_con, settings, tmp_path
):
    # Rows 2 and 3 are the North East's; 4 and 5 are London's.
    path = write(tmp_path, "values.csv", values(HARTLEPOOL, MIDDLESBROUGH, CITY, BARKING))
    analyst = person("analyst")
    for dry_run in (True, False):
        with pytest.raises(PermissionRefused) as refused:
            load_file(
                memory_con,
                path,
                kind="indicators",
                operator=analyst,
                settings=settings,
                dry_run=dry_run,
            )
        assert str(refused.value) == (
            "Rows 4–5 are for areas in London (E12000007); you may write only for North East. "
            "Remove those rows or ask an administrator."
        )
    assert data_batches(memory_con).is_empty()
    assert memory_con.execute("SELECT count(*) FROM observations").fetchone()[0] == 0
    assert refusals(memory_con) == [(analyst.email, "upload", LONDON)] * 2


def test_london_targets_are_refused_too(memory_con, settings, tmp_path):
    text = (
        "indicator_id,area_code,source,baseline_period,baseline_value,target_period,target_value\n"
        f"NI 116,{HARTLEPOOL},LAA,2007/08,25,2010/11,20\n"
        f"NI 116,{BARKING},LAA,2007/08,25,2010/11,20\n"
    )
    analyst = person("analyst")
    with pytest.raises(PermissionRefused, match=r"^Row 3 is for areas in London \(E12000007\)"):
        load_file(
            memory_con,
            write(tmp_path, "t.csv", text),
            kind="targets",
            operator=analyst,
            settings=settings,
        )
    assert memory_con.execute("SELECT count(*) FROM targets").fetchone()[0] == 0
    assert refusals(memory_con) == [(analyst.email, "upload", LONDON)]


def test_england_rows_need_the_all_regions_scope(memory_con, settings, tmp_path):
    path = write(tmp_path, "values.csv", values(HARTLEPOOL, ENGLAND))
    with pytest.raises(
        PermissionRefused, match=r"^Row 3 is for England \(E92000001\).*all-regions"
    ):
        load_file(
            memory_con, path, kind="indicators", operator=person("analyst"), settings=settings
        )
    assert refusals(memory_con)[0][2] == ENGLAND
    national = person("analyst", everywhere=True)
    outcome = load_file(memory_con, path, kind="indicators", operator=national, settings=settings)
    assert outcome.status == "committed", outcome.message


def test_an_in_scope_write_succeeds_and_records_its_region(memory_con, settings, tmp_path):
    path = write(tmp_path, "values.csv", values(HARTLEPOOL, MIDDLESBROUGH))
    analyst = person("analyst")
    outcome = load_file(memory_con, path, kind="indicators", operator=analyst, settings=settings)
    assert outcome.status == "committed", outcome.message
    entry = audit_entries(memory_con, actor=analyst.email).row(0, named=True)
    assert (entry["action"], entry["outcome"], entry["region_code"]) == (
        "upload",
        "succeeded",
        NORTH_EAST,
    )
    # A user of two regions writing both: both regions are recorded, and found by either.
    both = person("analyst", regions=(NORTH_EAST, LONDON))
    path = write(tmp_path, "both.csv", values(HARTLEPOOL, BARKING).replace("2008/09", "2009/10"))
    assert load_file(memory_con, path, kind="indicators", operator=both, settings=settings).ok
    assert audit_entries(memory_con, actor=both.email)["region_code"].to_list() == [
        f"{NORTH_EAST},{LONDON}"
    ]
    assert audit_entries(memory_con, actor=both.email, region_code=LONDON).height == 1


def test_the_single_writer_checks_rows_itself(memory_con):
    """commit_batch refuses rows outside the scope even when called without the loader."""
    analyst = person("analyst")
    record = BatchRecord(
        kind="boundaries", file_name="b.geojson", sha256="z", operator=analyst, rows_read=1
    )
    rows = pl.DataFrame({"area_code": [BARKING], "name": ["Barking"], "geometry": ["{}"]})
    with pytest.raises(PermissionRefused, match=r"^1 row of this batch is for areas in London"):
        commit_batch(memory_con, record, rows)
    assert data_batches(memory_con).is_empty()
    assert refusals(memory_con) == [(analyst.email, "upload", LONDON)]


def test_withdrawing_an_administrators_london_batch_is_refused_and_audited(
    memory_con, settings, tmp_path
):
    root = person("admin", everywhere=True)
    path = write(tmp_path, "london.csv", values(CITY, BARKING))
    batch_id = load_file(
        memory_con, path, kind="indicators", operator=root, settings=settings
    ).batch_id
    analyst = person("analyst")
    with pytest.raises(PermissionRefused) as refused:
        withdraw_batch(memory_con, batch_id, analyst, "not mine")
    assert str(refused.value) == (
        f"2 rows of batch {batch_id} are for areas in London (E12000007); you may roll back "
        "only batches whose every row is for North East. Ask an administrator with those "
        "regions to roll it back."
    )
    assert data_batches(memory_con)["status"].to_list() == ["live"]
    assert refusals(memory_con) == [(analyst.email, "rollback", LONDON)]
    # The same analyst may withdraw a batch wholly in their region, and the region is recorded.
    own = load_file(
        memory_con,
        write(tmp_path, "ne.csv", values(HARTLEPOOL)),
        kind="indicators",
        operator=analyst,
        settings=settings,
    ).batch_id
    withdraw_batch(memory_con, own, analyst, "mine")
    entry = audit_entries(memory_con, action="rollback", outcome="succeeded").row(0, named=True)
    assert (entry["target"], entry["region_code"]) == (own, NORTH_EAST)


def test_membership_for_another_region_is_refused(memory_con, settings, tmp_path):
    text = (
        "region_code,outcome_department,indicator_id,member\n"
        f"{NORTH_EAST},children_young_people,NI 1,yes\n"
        f"{LONDON},children_young_people,NI 1,yes\n"
    )
    admin = person("admin")
    with pytest.raises(PermissionRefused, match=r"^Row 3 is for areas in London \(E12000007\)"):
        load_file(
            memory_con,
            write(tmp_path, "m.csv", text),
            kind="membership",
            operator=admin,
            settings=settings,
        )
    assert refusals(memory_con) == [(admin.email, "configure", LONDON)]
    assert data_batches(memory_con).is_empty()


def test_configuring_another_regions_department_is_refused_with_its_region(memory_con):
    london = f"{LONDON}:children_young_people"
    before = department_configuration(memory_con, london)
    admin = person("admin")
    with pytest.raises(PermissionRefused):
        configure_outcome_department(
            memory_con,
            admin,
            london,
            chair="Someone",
            members=before.members,
            goals=[
                Goal(g["goal"], g["indicator_id"], g["priority"], g["goal_id"])
                for g in before.goals.to_dicts()
            ],
        )
    assert refusals(memory_con) == [(admin.email, "configure", LONDON)]
    assert data_batches(memory_con).is_empty()


METADATA = (
    "indicator_id,name,unit,value_type,polarity,owner_department_code\n"
    "NI 900,A new indicator,%,proportion,higher,DCSF\n"
)


def test_indicator_metadata_by_a_regional_analyst_is_refused(memory_con, settings, tmp_path):
    path = write(tmp_path, "meta.csv", METADATA)
    analyst = person("analyst")
    with pytest.raises(PermissionRefused) as refused:
        load_file(memory_con, path, kind="metadata", operator=analyst, settings=settings)
    message = str(refused.value)
    assert message.startswith("Row 2 is national indicator metadata")
    assert "all-regions scope" in message and "every region" in message
    assert refusals(memory_con) == [(analyst.email, "upload", ENGLAND)]
    assert (
        memory_con.execute(
            "SELECT count(*) FROM indicators WHERE indicator_id = 'NI 900'"
        ).fetchone()[0]
        == 0
    )
    national = person("analyst", everywhere=True)
    outcome = load_file(memory_con, path, kind="metadata", operator=national, settings=settings)
    assert outcome.status == "committed", outcome.message


def test_boundaries_for_another_region_are_refused(memory_con, settings, tmp_path):
    feature = (
        '{{"type":"Feature","properties":{{"ladcd":"{code}","ladnm":"x"}},'
        '"geometry":{{"type":"Polygon","coordinates":[[[0,51],[0.1,51],[0.1,51.1],[0,51]]]}}}}'
    )
    text = (
        '{"type":"FeatureCollection","features":['
        + ",".join(feature.format(code=code) for code in (HARTLEPOOL, BARKING))
        + "]}"
    )
    path = write(tmp_path, "b.geojson", text)
    analyst = person("analyst")
    with pytest.raises(PermissionRefused, match="London"):
        load_boundaries(memory_con, path, operator=analyst, settings=settings, dry_run=True)
    assert refusals(memory_con) == [(analyst.email, "upload", LONDON)]
