"""Issue 12 item 7: indicators a file of values would create have their own confirmation,
with name, unit, value type, multiplier and polarity editable first; the edited values are
what is written, checked as an indicator metadata upload is."""

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from pipelines.load import load_file
from pipelines.metadata import POLARITIES, VALUE_TYPES
from pipelines.new_indicators import apply_edits, for_review
from tests.conftest import shared_file
from warehouse import open_warehouse
from warehouse.connection import latest_snapshot

FILES = Path(__file__).parent / "files"
ONS_DATA = "samples/ons_subnational_indicators_machine_readable.csv"
ONS_METADATA = "samples/ons_subnational_indicators_metadata.csv"
# Two ONS indicators for two areas, with a metadata file that gives one a polarity.
SMALL_ONS = (
    "AREACD,AREANM,Geography,Indicator,Category,Period,Measure,Unit,Value,MAD\n"
    "E06000001,Hartlepool,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,501.2,1\n"
    "E06000002,Middlesbrough,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,498.0,1\n"
    "E06000001,Hartlepool,Unitary Authority,Cigarette smokers,Health,2021,Percentage,%,14.2,1\n"
    "E06000002,Middlesbrough,Unitary Authority,Cigarette smokers,Health,2021,Percentage,%,16.9,1\n"
)
SMALL_METADATA = (
    "Worksheet,Indicator,Shortened,Category,Polarity,Period,Measure,Unit\n"
    "PAYweekMEDIAN,Gross median weekly pay,Gross median weekly pay,Pay,,2021,Pounds,£\n"
    "Smoking,Cigarette smokers,Smoking,Health,Negative,2021,Percentage,%\n"
)
PAY, SMOKING = "ONS PAYweekMEDIAN", "ONS Smoking"


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def created_indicators(con, prefix: str) -> pl.DataFrame:
    return con.execute(
        "SELECT indicator_id, name, unit, value_type, multiplier, polarity FROM indicators "
        "WHERE indicator_id LIKE ? ORDER BY indicator_id",
        [f"{prefix}%"],
    ).pl()


def load_small_ons(con, settings, tmp_path, **options):
    return load_file(
        con,
        write(tmp_path, SMALL_ONS, "ons.csv"),
        kind="indicators",
        operator="ana",
        settings=settings,
        metadata_path=write(tmp_path, SMALL_METADATA, "meta.csv"),
        **options,
    )


def test_new_indicators_are_not_created_until_they_are_confirmed(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    before = latest_snapshot(con)
    outcome = load_small_ons(con, empty_lake, tmp_path)
    assert outcome.status == "needs-indicator-confirmation"
    assert "2 new indicator(s) would be created" in outcome.message
    assert "Nothing was written" in outcome.message
    assert latest_snapshot(con) == before
    assert created_indicators(con, "ONS ").is_empty()


def test_the_edited_values_are_the_ones_written(empty_lake, tmp_path):
    con = open_warehouse(empty_lake)
    edits = pl.DataFrame(
        {
            "indicator_id": [PAY],
            "name": ["Median weekly pay"],
            "unit": ["£ a week"],
            "value_type": ["mean"],
            "polarity": ["higher"],
        }
    )
    outcome = load_small_ons(
        con, empty_lake, tmp_path, new_indicators=edits, confirm_new_indicators=True
    )
    assert outcome.status == "committed", outcome.message
    assert created_indicators(con, "ONS ").rows() == [
        (PAY, "Median weekly pay", "£ a week", "mean", None, "higher"),
        # Not edited: as proposed from the metadata (Negative is lower; % is a proportion of 100).
        (SMOKING, "Cigarette smokers", "%", "proportion", 100.0, "lower"),
    ]


@pytest.mark.parametrize(
    ("column", "cell", "says"),
    [
        ("polarity", "up", "Unknown polarity 'up'"),
        ("polarity", None, "polarity is required"),
        ("value_type", "average", "Unknown value type 'average'"),
        ("unit", None, "unit is required"),
        ("multiplier", -5.0, "is not a multiplier"),
    ],
)
def test_an_edit_that_a_metadata_upload_would_refuse_is_refused_and_nothing_is_written(
    empty_lake, tmp_path, column, cell, says
):
    con = open_warehouse(empty_lake)
    before = latest_snapshot(con)
    edits = for_review(
        load_small_ons(con, empty_lake, tmp_path, dry_run=True).proposed_indicators
    ).with_columns(
        pl.when(pl.col("indicator_id") == PAY).then(pl.lit(cell)).otherwise(pl.col(column))
        .cast(pl.Float64 if column == "multiplier" else pl.String)
        .alias(column)
    )  # fmt: skip
    outcome = load_small_ons(
        con, empty_lake, tmp_path, new_indicators=edits, confirm_new_indicators=True
    )
    assert outcome.status == "refused"
    problem = outcome.report.filter(pl.col("column") == column).row(0, named=True)
    assert problem["message"].startswith(f"New indicator {PAY}: ")
    assert says in problem["message"]
    assert latest_snapshot(con) == before


def test_a_fingertips_export_needs_unit_value_type_and_polarity_before_its_indicators_are_created(
    empty_lake, tmp_path
):
    con = open_warehouse(empty_lake)
    path = FILES / "fingertips_export.csv"
    refused = load_file(
        con, path, kind="indicators", operator="ana", settings=empty_lake,
        confirm_new_indicators=True,
    )  # fmt: skip
    assert refused.status == "refused"
    # Three indicators (10101, and 90366 split by sex), each lacking all three.
    missing = refused.report.filter(pl.col("message").str.contains("is required"))
    assert sorted(set(missing["column"])) == ["polarity", "unit", "value_type"]
    assert missing.height == 9
    edits = pl.DataFrame(
        {
            "indicator_id": ["FT 10101", "FT 90366 (Male)", "FT 90366 (Female)"],
            "unit": ["%", "years", "years"],
            "value_type": ["proportion", "mean", "mean"],
            "multiplier": [100.0, None, None],
            "polarity": ["lower", "higher", "higher"],
        }
    )
    outcome = load_file(
        con, path, kind="indicators", operator="ana", settings=empty_lake,
        confirm_new_indicators=True, new_indicators=edits,
    )  # fmt: skip
    assert outcome.status == "committed", outcome.message
    assert created_indicators(con, "FT ").select("indicator_id", "polarity").rows() == [
        ("FT 10101", "lower"),
        ("FT 90366 (Female)", "higher"),
        ("FT 90366 (Male)", "higher"),
    ]


def test_the_real_ons_file_creates_33_indicators_with_the_polarities_the_analyst_set(empty_lake):
    data, metadata = shared_file(ONS_DATA), shared_file(ONS_METADATA)
    con = open_warehouse(empty_lake)
    preview = load_file(
        con, data, kind="indicators", operator="ana", settings=empty_lake,
        metadata_path=metadata, dry_run=True,
    )  # fmt: skip
    proposed = for_review(preview.proposed_indicators)
    assert proposed.height == 33
    # The metadata marks only where lower is better (9 "Negative"); the rest come as none.
    assert proposed.group_by("polarity").len().sort("polarity").rows() == [
        ("lower", 9),
        ("none", 24),
    ]
    higher = proposed.filter(pl.col("polarity") == "none")["indicator_id"].head(2).to_list()
    edits = proposed.with_columns(
        polarity=pl.when(pl.col("indicator_id").is_in(higher))
        .then(pl.lit("higher"))
        .otherwise(pl.col("polarity"))
    )
    outcome = load_file(
        con, data, kind="indicators", operator="ana", settings=empty_lake,
        metadata_path=metadata, new_indicators=edits, confirm_new_indicators=True,
    )  # fmt: skip
    assert outcome.status == "committed", outcome.message
    written = created_indicators(con, "ONS ")
    assert written.height == 33
    assert written.group_by("polarity").len().sort("polarity").rows() == [
        ("higher", 2),
        ("lower", 9),
        ("none", 22),
    ]


def test_edits_replace_the_proposal_cell_for_cell_and_ignore_other_ids():
    proposed = for_review(
        pl.DataFrame(
            {
                "indicator_id": ["A", "B"],
                "name": ["Alpha", "Beta"],
                "unit": ["%", "%"],
                "value_type": ["proportion", "proportion"],
                "multiplier": [100.0, 100.0],
                "polarity": ["none", "none"],
            }
        )
    )
    edits = pl.DataFrame(
        {"indicator_id": ["A", "Z"], "unit": [None, "km"], "polarity": ["lower", "higher"]},
        schema={"indicator_id": pl.String, "unit": pl.String, "polarity": pl.String},
    )
    edited = apply_edits(proposed, edits)
    assert edited.select("indicator_id", "unit", "polarity", "name").rows() == [
        ("A", None, "lower", "Alpha"),  # a cleared cell is cleared
        ("B", "%", "none", "Beta"),  # not edited
    ]


def test_the_vocabulary_offered_is_the_metadata_uploads_own():
    # The editor's choices and the check share one source: the Indicator record's own types.
    from warehouse.reference_data import Indicator

    assert set(VALUE_TYPES) == set(Indicator.model_fields["value_type"].annotation.__args__)
    assert set(POLARITIES) == {"higher", "lower", "none"}


def test_the_command_line_creates_new_indicators_from_an_edits_file(empty_lake, tmp_path):
    data = write(tmp_path, SMALL_ONS, "ons.csv")
    meta = write(tmp_path, SMALL_METADATA, "meta.csv")
    edits = write(tmp_path, f"indicator_id,polarity\n{PAY},higher\n", "edits.csv")
    env = {
        "OUTCOMES_DATA_DIR": str(empty_lake.data_dir),
        "OUTCOMES_WRITE_RETRIES": "30",
        "OUTCOMES_WAREHOUSE": empty_lake.warehouse,
        "PATH": "/usr/bin:/bin",
    }

    def cli(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipelines", "load", str(data), "--metadata", str(meta), *extra],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip

    asked = cli()
    assert asked.returncode == 1
    assert "--confirm-new-indicators" in asked.stderr and PAY in asked.stdout
    done = cli("--confirm-new-indicators", "--new-indicators", str(edits))
    assert done.returncode == 0, done.stderr
    con = open_warehouse(empty_lake)
    assert created_indicators(con, "ONS ").select("indicator_id", "polarity").rows() == [
        (PAY, "higher"),
        (SMOKING, "lower"),
    ]
