"""The command-line export round-trips through load; boundary files load keyed by ONS codes."""

import polars as pl

from pipelines.cli import main
from pipelines.load import load_file
from tests.conftest import shared_file
from warehouse import open_warehouse
from warehouse.boundaries import boundaries_geojson, has_boundaries, map_features_for_region


def test_an_exported_table_loads_back_to_the_same_values(demo_copy, tmp_path, capsys):
    output = tmp_path / "export.csv"
    assert (
        main(
            [
                "export",
                "--region",
                "E12000002",
                "--outcome-department",
                "Health and wellbeing",
                "--output",
                str(output),
            ],
            settings=demo_copy,
        )
        == 0
    )
    exported = pl.read_csv(output, infer_schema=False)
    assert exported.height > 100
    assert {
        "indicator_id",
        "indicator_name",
        "area_code",
        "area_name",
        "period",
        "value",
        "lower_ci_95",
        "upper_ci_95",
        "compared_to_england",
        "compared_to_region",
        "target_status",
        "recent_trend",
    } <= set(exported.columns)
    con = open_warehouse(demo_copy)
    outcome = load_file(
        con, output, kind="indicators", operator="ana", settings=demo_copy, dry_run=True
    )
    assert outcome.status == "dry-run", outcome.message
    assert (outcome.rows_new, outcome.rows_revised, outcome.rows_unchanged) == (
        0,
        0,
        exported.height,
    )


def test_export_refuses_an_unknown_outcome_department_by_name(demo_copy, capsys):
    assert (
        main(
            ["export", "--region", "E12000002", "--outcome-department", "Nope"], settings=demo_copy
        )
        == 2
    )
    assert "choose one of: Children and young people" in capsys.readouterr().err


def test_xlsx_export_neutralises_formulas(demo_copy, tmp_path):
    output = tmp_path / "export.xlsx"
    assert (
        main(
            [
                "export",
                "--region",
                "E12000007",
                "--indicator",
                "ni116",
                "--format",
                "xlsx",
                "--output",
                str(output),
            ],
            settings=demo_copy,
        )
        == 0
    )
    sheet = pl.read_excel(output)
    assert set(sheet["indicator_id"]) == {"NI 116"}
    assert sheet.height == 34  # London and its 33 boroughs


def test_district_boundaries_load_with_the_code_property_detected(demo_copy):
    path = shared_file("reference/england_lad_2009_2019_bsc.geojson")
    con = open_warehouse(demo_copy)
    assert not has_boundaries(con)
    outcome = load_file(con, path, kind="boundaries", operator="ana", settings=demo_copy)
    assert outcome.status == "committed", outcome.message
    assert "'ladcd'" in outcome.message and outcome.rows_new == 326
    features = map_features_for_region(con, "E12000006")
    # Two-tier districts show their county: St Albans is painted with Hertfordshire's value.
    assert dict(features.iter_rows())["E07000240"] == "E10000015"
    collection = boundaries_geojson(con, ["E06000001"])
    assert collection["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_region_boundaries_are_accepted_and_a_file_without_codes_is_refused(demo_copy, tmp_path):
    con = open_warehouse(demo_copy)
    outcome = load_file(
        con,
        shared_file("reference/england_regions_bsc.geojson"),
        kind="boundaries",
        operator="ana",
        settings=demo_copy,
    )
    assert outcome.status == "committed" and outcome.rows_new == 9
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"x": "y"}, '
        '"geometry": null}]}',
        encoding="utf-8",
    )
    refused = load_file(con, bad, kind="boundaries", operator="ana", settings=demo_copy)
    assert refused.status == "refused" and "holds ONS area codes" in refused.message


def test_the_ons_sample_loads_with_its_indicators_created_from_the_metadata(empty_lake):
    data = shared_file("samples/ons_subnational_indicators_machine_readable.csv")
    metadata = shared_file("samples/ons_subnational_indicators_metadata.csv")
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con,
        data,
        kind="indicators",
        operator="ana",
        settings=empty_lake,
        metadata_path=metadata,
        confirm_new_indicators=True,
    )
    assert outcome.status == "committed", outcome.message
    assert outcome.layout == "ons_tidy"
    created = con.execute(
        "SELECT count(*), count(DISTINCT polarity), count(unit) FROM indicators WHERE batch_id = ?",
        [outcome.batch_id],
    ).fetchone()
    assert created[0] == outcome.proposed_indicators.height > 30
    assert created[1] >= 2 and created[2] == created[0]  # polarities and units from the metadata
    loaded = con.execute(
        "SELECT count(*) FROM current_observations WHERE batch_id = ?", [outcome.batch_id]
    ).fetchone()[0]
    assert loaded == outcome.rows_new > 9000
    # Every row is accounted for: loaded, or skipped with a reason (non-English, or outside the 2009 structure).
    skipped = outcome.skipped
    assert skipped.height > 0
    assert (
        loaded + skipped.height
        == pl.read_csv(data, skip_rows=2, encoding="cp1252", infer_schema=False).height
    )
    assert skipped.filter(pl.col("message").str.contains("only English areas")).height > 0
