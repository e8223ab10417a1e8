"""Real files an analyst uploads (Fingertips exports, ONS tidy files, wide tables): issue 12,
items 5 to 9. Each test names the behaviour the analyst relies on."""

from pathlib import Path

import polars as pl
import pytest

from pipelines.formats import ons
from pipelines.load import load_file
from pipelines.readers import read_table
from tests.conftest import shared_file
from warehouse import open_warehouse

FINGERTIPS_HEADER = (
    "Indicator ID,Indicator Name,Area Code,Area Name,Area Type,Sex,Age,Category Type,Category,"
    "Time period,Value,Lower CI 95.0 limit,Upper CI 95.0 limit,Count,Denominator,Value note\n"
)
# Every row is a headline row with a value for an April 2009 area: the conversion skips nothing.
FINGERTIPS_CLEAN = FINGERTIPS_HEADER + (
    "10101,Children in low income families,E06000001,Hartlepool,Counties & UAs,Persons,"
    "<16 yrs,,,2008,29.5,28.8,30.2,5230,17729,\n"
    "10101,Children in low income families,E06000002,Middlesbrough,Counties & UAs,Persons,"
    "<16 yrs,,,2008,33.3,32.6,34.0,9030,27117,\n"
)
# One breakdown row (loaded, as a breakdown: issue 12 item 11) and one row with neither a
# value nor a note (left out).
FINGERTIPS_SKIPPING = FINGERTIPS_CLEAN + (
    "10101,Children in low income families,E06000001,Hartlepool,Counties & UAs,Persons,"
    "<16 yrs,Deprivation decile,Most deprived decile,2008,35.0,34.0,36.0,105,300,\n"
    "10101,Children in low income families,E06000003,Redcar and Cleveland,Counties & UAs,"
    "Persons,<16 yrs,,,2008,,,,,,\n"
)
ONS_HEADER = "AREACD,AREANM,Geography,Indicator,Category,Period,Measure,Unit,Value,MAD\n"
ONS_CLEAN = ONS_HEADER + (
    "E06000001,Hartlepool,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,501.2,1\n"
    "E06000002,Middlesbrough,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,498.0,1\n"
)
# A Welsh area and an unpublished value (both left out).
ONS_SKIPPING = ONS_CLEAN + (
    "W06000001,Isle of Anglesey,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,480,1\n"
    "E06000003,Redcar and Cleveland,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,NA,\n"
)
WIDE_CLEAN = "indicator_id,area_code,2006/07,2007/08\nNI 116,E06000001,28.1,28.9\nNI 116,E06000002,32.0,33.3\n"
# An empty cell (left out).
WIDE_SKIPPING = (
    "indicator_id,area_code,2006/07,2007/08\nNI 116,E06000001,28.1,28.9\nNI 116,E06000002,32.0,\n"
)


def write(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "skipped", "new"),
    [
        (FINGERTIPS_CLEAN, 0, 2),
        (FINGERTIPS_SKIPPING, 1, 3),  # two headline rows and the breakdown
        (ONS_CLEAN, 0, 2),
        (ONS_SKIPPING, 2, 2),
        (WIDE_CLEAN, 0, 4),  # two areas times two periods
        (WIDE_SKIPPING, 1, 3),
    ],
    ids=[
        "fingertips-skips-none",
        "fingertips-skips-one",
        "ons-skips-none",
        "ons-skips-two",
        "wide-skips-none",
        "wide-skips-one",
    ],
)
def test_a_converted_file_previews_whether_or_not_rows_are_left_out(
    empty_lake, tmp_path, text, skipped, new
):
    con = open_warehouse(empty_lake)
    path = write(tmp_path, text, "upload.csv")
    outcome = load_file(
        con, path, kind="indicators", operator="ana", settings=empty_lake, dry_run=True
    )
    assert outcome.status == "dry-run", outcome.message
    left_out = 0 if outcome.skipped is None else outcome.skipped.height
    assert left_out == skipped
    assert outcome.rows_new == new


# Item 11: a Fingertips export's breakdown rows are loaded beside its default rows.
FINGERTIPS_EXPORT = Path(__file__).parent / "files" / "fingertips_export.csv"
LOADED_COLUMNS = [
    "Indicator ID", "Area Code", "Sex", "Age", "Category Type", "Category", "Time period",
    "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit",
    "Upper CI 99.8 limit", "Count", "Denominator", "Value note",
]  # fmt: skip


def test_a_fingertips_export_loads_its_breakdowns_and_skips_only_repeats(empty_lake):
    # Counted independently of the conversion: rows that repeat another in every column we
    # load are left out; of the rest, an indicator with Persons headline rows has those as
    # its default and every other row (another sex, or a category) as a breakdown.
    raw = pl.read_csv(FINGERTIPS_EXPORT, infer_schema=False)
    distinct = raw.unique(subset=LOADED_COLUMNS, keep="first")
    headline = pl.col("Category Type").is_null()
    persons = distinct.group_by("Indicator ID").agg(
        _persons=(headline & (pl.col("Sex") == "Persons")).any()
    )
    counted = distinct.join(persons, on="Indicator ID").select(
        breakdowns=(pl.col("_persons") & ~(headline & (pl.col("Sex") == "Persons"))).sum(),
        rows=pl.len(),
    )
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con, FINGERTIPS_EXPORT, kind="indicators", operator="ana", settings=empty_lake,
        dry_run=True,
    )  # fmt: skip
    assert outcome.status == "dry-run", outcome.message
    assert outcome.skipped.height == raw.height - distinct.height
    assert outcome.breakdowns.height == counted["breakdowns"][0]
    assert outcome.rows_new == counted["rows"][0]


# Item 6: ids made from names must be unique whatever the names, and stable.
ONS_DATA = "samples/ons_subnational_indicators_machine_readable.csv"
ONS_METADATA = "samples/ons_subnational_indicators_metadata.csv"
SIMILAR_NAMES = ONS_HEADER + (
    "E06000001,Hartlepool,Unitary Authority,"
    '"Average travel time in minutes to reach nearest large employment centre, by public transport",Travel,2019,Minutes,min,20,1\n'
    "E06000001,Hartlepool,Unitary Authority,"
    '"Average travel time in minutes to reach nearest large employment centre, by car",Travel,2019,Minutes,min,12,1\n'
    "E06000001,Hartlepool,Unitary Authority,"
    '"Average travel time in minutes to reach nearest large employment centre, by cycle",Travel,2019,Minutes,min,15,1\n'
)


def ons_rows(tmp_path: Path, text: str, name: str = "ons.csv") -> pl.DataFrame:
    return read_table(write(tmp_path, text, name))


def test_ons_names_that_share_their_first_words_get_different_ids(tmp_path):
    converted = ons.to_native(ons_rows(tmp_path, SIMILAR_NAMES))
    ids = converted.table["indicator_id"].to_list()
    assert len(set(ids)) == 3, ids
    assert converted.proposed_indicators["indicator_id"].n_unique() == 3


def test_ons_ids_from_names_are_the_same_on_every_upload_of_the_file(tmp_path):
    first = ons.to_native(ons_rows(tmp_path, SIMILAR_NAMES)).table["indicator_id"].to_list()
    # Stable whatever else the file holds: the car journey alone gets the same id.
    car_only = ONS_HEADER + SIMILAR_NAMES.splitlines(keepends=True)[2]
    again = ons.to_native(ons_rows(tmp_path, car_only, "car.csv")).table["indicator_id"].to_list()
    assert again == [first[1]]


def test_metadata_that_gives_two_indicators_one_id_still_gives_unique_ids(tmp_path):
    metadata = pl.DataFrame(
        {
            "Worksheet": ["Journey", "Journey"],
            "Indicator": [
                "Average travel time in minutes to reach nearest large employment centre, by public transport",
                "Average travel time in minutes to reach nearest large employment centre, by car",
            ],
            "Shortened": [None, None],
            "Polarity": ["Negative", "Negative"],
            "Unit": ["min", "min"],
        },
        schema_overrides={"Shortened": pl.String},
    )
    converted = ons.to_native(ons_rows(tmp_path, SIMILAR_NAMES), metadata)
    assert converted.table["indicator_id"].n_unique() == 3


def test_the_real_ons_file_alone_has_no_duplicate_rows(empty_lake):
    con = open_warehouse(empty_lake)
    outcome = load_file(
        con,
        shared_file(ONS_DATA),
        kind="indicators",
        operator="ana",
        settings=empty_lake,
        dry_run=True,
    )
    duplicates = outcome.report.filter(
        pl.col("message").str.contains("(?i)duplicate|more than once")
    )
    assert duplicates.height == 0, duplicates.head(3)["message"].to_list()
    assert outcome.status == "dry-run", outcome.message


# The 2025 ONS file gives one Buckinghamshire row the code of West Northamptonshire (and three
# Inner London rows the code of Outer London): the code and the name disagree.
MISCODED = ONS_HEADER + (
    "E06000060,Buckinghamshire,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,610,1\n"
    "E06000060,Buckinghamshire,Unitary Authority,Gross median weekly pay,Pay,2022,Pounds,£,620,1\n"
    "E06000062,West Northamptonshire,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,560,1\n"
    "E06000062,West Northamptonshire,Unitary Authority,Gross median weekly pay,Pay,2022,Pounds,£,570,1\n"
    "E06000062,Buckinghamshire,Unitary Authority,Gross median weekly pay,Pay,2022,Pounds,£,621,1\n"
)


def test_an_ons_row_whose_code_and_name_disagree_is_left_out_with_both_names(tmp_path):
    converted = ons.to_native(ons_rows(tmp_path, MISCODED))
    # Rows are numbered from the header line as 1: the mis-coded row is the file's 6th line.
    assert converted.table["value"].to_list() == ["610", "620", "560", "570"]
    message = converted.skipped.filter(pl.col("row") == 6)["message"].to_list()
    assert len(message) == 1
    assert "West Northamptonshire" in message[0] and "Buckinghamshire" in message[0]
    assert "E06000060" in message[0]


def test_a_renamed_area_keeps_its_rows(tmp_path):
    # A name that no other code carries is a rename, not a mistake: nothing is left out.
    renamed = ONS_HEADER + (
        "E06000023,Bristol,Unitary Authority,Gross median weekly pay,Pay,2021,Pounds,£,600,1\n"
        "E06000023,Bristol,Unitary Authority,Gross median weekly pay,Pay,2022,Pounds,£,610,1\n"
        'E06000023,"Bristol, City of",Unitary Authority,Gross median weekly pay,Pay,2023,'
        "Pounds,£,620,1\n"
    )
    converted = ons.to_native(ons_rows(tmp_path, renamed))
    assert converted.table.height == 3
    assert converted.skipped.height == 0


def test_the_real_ons_file_leaves_out_its_miscoded_buckinghamshire_row():
    converted = ons.to_native(read_table(shared_file(ONS_DATA)))
    disagree = converted.skipped.filter(pl.col("message").str.contains("disagree"))
    buckinghamshire = disagree.filter(pl.col("value") == "E06000062")
    assert buckinghamshire.height == 1
    assert "Buckinghamshire" in buckinghamshire["message"][0]
