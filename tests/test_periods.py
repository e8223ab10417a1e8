import datetime as dt

import pytest

from pipelines.periods import parse_period


@pytest.mark.parametrize(
    ("label", "canonical", "start", "end", "frequency"),
    [
        ("2008/09", "2008/09", dt.date(2008, 4, 1), dt.date(2009, 3, 31), "financial_year"),
        ("2008-09", "2008/09", dt.date(2008, 4, 1), dt.date(2009, 3, 31), "financial_year"),
        ("2008/2009", "2008/09", dt.date(2008, 4, 1), dt.date(2009, 3, 31), "financial_year"),
        ("1999/00", "1999/00", dt.date(1999, 4, 1), dt.date(2000, 3, 31), "financial_year"),
        ("2008", "2008", dt.date(2008, 1, 1), dt.date(2008, 12, 31), "calendar_year"),
        (
            "2008/09 Q1",
            "2008/09 Q1",
            dt.date(2008, 4, 1),
            dt.date(2008, 6, 30),
            "financial_quarter",
        ),
        (
            "2008/09 q4",
            "2008/09 Q4",
            dt.date(2009, 1, 1),
            dt.date(2009, 3, 31),
            "financial_quarter",
        ),
        ("2008 Q3", "2008 Q3", dt.date(2008, 7, 1), dt.date(2008, 9, 30), "calendar_quarter"),
        (" 2010 ", "2010", dt.date(2010, 1, 1), dt.date(2010, 12, 31), "calendar_year"),
    ],
)
def test_period_labels_are_read_into_dates(label, canonical, start, end, frequency):
    assert parse_period(label) == {
        "period": canonical,
        "period_start": start,
        "period_end": end,
        "frequency": frequency,
    }


@pytest.mark.parametrize("label", ["2008/10", "Q3 2008", "200809", "next year", "2008 Q5", ""])
def test_unreadable_periods_parse_to_nothing(label):
    assert parse_period(label)["period_end"] is None
