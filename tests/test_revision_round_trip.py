"""Upload A, upload B revising a tenth of A, roll B back: A's values are current again."""

import polars as pl
import pytest

from pipelines.load import load_file
from warehouse import open_warehouse
from warehouse.batches import batch_history, withdraw_batch

AREAS = [
    "E06000001",
    "E06000002",
    "E06000003",
    "E06000004",
    "E06000005",
    "E08000021",
    "E08000022",
    "E08000023",
    "E08000024",
    "E08000037",
]
PERIODS = ["2005/06", "2006/07", "2007/08", "2008/09", "2009/10"]


def file_a(tmp_path):
    rows = [
        (f"NI {n}", area, period, f"{10 + i * 0.5:.1f}")
        for i, (n, area, period) in enumerate(
            (n, a, p) for n in (116, 117) for a in AREAS for p in PERIODS
        )
    ]
    frame = pl.DataFrame(
        rows, schema=["indicator_id", "area_code", "period", "value"], orient="row"
    )
    path = tmp_path / "a.csv"
    frame.write_csv(path)
    return frame, path


def current(con):
    return con.execute(
        "SELECT indicator_id, area_code, period, value FROM current_observations ORDER BY ALL"
    ).pl()


@pytest.mark.both_catalogs
def test_revision_round_trip(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    a, a_path = file_a(tmp_path)
    assert (
        load_file(con, a_path, kind="indicators", operator="ana", settings=empty_lake).status
        == "committed"
    )
    values_a = current(con)

    revised_rows = a.with_row_index().filter(pl.col("index") % 10 == 3)  # a tenth of the rows
    b = (
        a.with_row_index()
        .with_columns(
            value=pl.when(pl.col("index") % 10 == 3)
            .then((pl.col("value").cast(pl.Float64) + 1.25).cast(pl.String))
            .otherwise(pl.col("value"))
        )
        .drop("index")
    )
    b_path = tmp_path / "b.csv"
    b.write_csv(b_path)

    preview = load_file(
        con, b_path, kind="indicators", operator="ana", settings=empty_lake, dry_run=True
    )
    listed = preview.revisions().select("indicator_id", "area_code", "period").sort(pl.all())
    assert listed.equals(revised_rows.select("indicator_id", "area_code", "period").sort(pl.all()))
    assert (
        preview.rows_revised == a.height // 10
        and preview.rows_unchanged == a.height - a.height // 10
    )

    landed = load_file(
        con, b_path, kind="indicators", operator="ana", settings=empty_lake, confirm_revisions=True
    )
    assert landed.status == "committed"
    assert not current(con).equals(values_a)

    withdraw_batch(con, landed.batch_id, "ana", "wrong file")
    assert current(con).equals(values_a)
    events = batch_history(con).filter(pl.col("kind") == "indicators").sort("happened_at")
    assert events.select("file_name", "event").rows() == [
        ("a.csv", "committed"),
        ("b.csv", "committed"),
        ("b.csv", "withdrawn"),
    ]
