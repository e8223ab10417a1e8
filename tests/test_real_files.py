"""Real files an analyst uploads (Fingertips exports, ONS tidy files, wide tables): issue 12,
items 5 to 9. Each test names the behaviour the analyst relies on."""

from pathlib import Path

import pytest

from pipelines.load import load_file
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
# One breakdown row (left out by the conversion).
FINGERTIPS_SKIPPING = FINGERTIPS_CLEAN + (
    "10101,Children in low income families,E06000001,Hartlepool,Counties & UAs,Persons,"
    "<16 yrs,Deprivation decile,Most deprived decile,2008,35.0,34.0,36.0,100,300,\n"
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
        (FINGERTIPS_SKIPPING, 1, 2),
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
