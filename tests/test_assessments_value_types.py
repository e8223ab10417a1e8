"""The metadata vocabulary knows the standardised value types (issue 13)."""

import pytest

from pipelines.metadata import VALUE_TYPES
from warehouse.reference_data import Indicator

STANDARDISED = ["directly standardised rate", "indirectly standardised ratio"]


def _indicator(value_type: str) -> dict:
    return {
        "indicator_id": "NI 120",
        "name": "All-age all cause mortality rate",
        "definition": "Directly age-standardised death rate",
        "unit": "per 100,000 population",
        "value_type": value_type,
        "multiplier": 100000,
        "polarity": "lower",
        "owner_department_code": "DH",
        "psa_ids": "18",
        "theme": "Adult health and wellbeing",
        "source": "test",
        "verification": "test",
    }


@pytest.mark.parametrize("value_type", STANDARDISED)
def test_reference_data_accepts_the_standardised_types(value_type):
    assert Indicator.model_validate(_indicator(value_type)).value_type == value_type


def test_an_unknown_type_is_still_refused():
    with pytest.raises(ValueError):
        Indicator.model_validate(_indicator("age-standardised thing"))


def test_metadata_upload_offers_the_standardised_types():
    assert set(STANDARDISED) <= set(VALUE_TYPES)
    assert {"proportion", "rate", "mean", "count", "score"} <= set(VALUE_TYPES)
