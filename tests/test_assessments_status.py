"""Specification of the status vocabulary and the favourable/unfavourable helper."""

import polars as pl
import pytest

from warehouse.assessments import (
    Comparison,
    ExceptionFlag,
    Polarity,
    TargetStatus,
    Trend,
    is_good,
    validate_polarity,
)


def test_the_words_are_exactly_the_published_vocabulary():
    assert [s.value for s in TargetStatus] == [
        "On track",
        "Slipping",
        "Off track",
        "Met",
        "Not met",
        "Not assessed",
        "No target",
    ]
    assert [s.value for s in Comparison] == [
        "Better",
        "Similar",
        "Worse",
        "Higher",
        "Lower",
        "Not compared",
    ]
    assert [s.value for s in Trend] == [
        "Increasing and getting better",
        "Increasing and getting worse",
        "Decreasing and getting better",
        "Decreasing and getting worse",
        "Increasing",
        "Decreasing",
        "No significant change",
        "Cannot be calculated",
        "Cannot be calculated: quarterly data",
    ]
    assert [s.value for s in Polarity] == ["higher", "lower", "none"]
    assert [s.value for s in ExceptionFlag] == ["Red-red", "Green flag"]


def test_members_compare_equal_to_their_words():
    assert TargetStatus.MET == "Met"
    assert f"{Trend.INCREASING_BETTER}" == "Increasing and getting better"


@pytest.mark.parametrize(
    "status",
    [
        "On track",
        "Met",
        "Better",
        "Increasing and getting better",
        "Decreasing and getting better",
        "Green flag",
    ],
)
def test_favourable_statuses_are_good(status):
    assert is_good(status) is True


@pytest.mark.parametrize(
    "status",
    [
        "Slipping",
        "Off track",
        "Not met",
        "Worse",
        "Increasing and getting worse",
        "Decreasing and getting worse",
        "Red-red",
    ],
)
def test_unfavourable_statuses_are_not_good(status):
    assert is_good(status) is False


@pytest.mark.parametrize(
    "status",
    [
        "No target",
        "Not assessed",
        "Similar",
        "Higher",
        "Lower",
        "Not compared",
        "Increasing",
        "Decreasing",
        "No significant change",
        "Cannot be calculated",
        "Cannot be calculated: quarterly data",
        None,
    ],
)
def test_statuses_without_judgement_are_neutral(status):
    assert is_good(status) is None


def test_every_word_is_classified():
    for vocabulary in (TargetStatus, Comparison, Trend, ExceptionFlag):
        for member in vocabulary:
            assert is_good(member) in (True, False, None)


def test_an_unknown_status_is_an_error_not_neutral():
    with pytest.raises(ValueError, match="Unknown status"):
        is_good("On Track")  # wrong capitalisation


def test_validate_polarity_accepts_the_words_and_null_and_rejects_others():
    validate_polarity(pl.Series(["higher", "lower", "none", None]))
    with pytest.raises(ValueError, match="Higher is better"):
        validate_polarity(pl.Series(["higher", "Higher is better"]))
