"""Our own markup: status words always present, uploaded text always escaped."""

import polars as pl

from dashboard import charts, components
from dashboard.theme import status_style
from warehouse.assessments.status import Comparison, TargetStatus, Trend


def test_every_status_word_has_a_colour_and_a_shape():
    for vocabulary in (TargetStatus, Comparison, Trend):
        for word in vocabulary:
            fill, ink, shape = status_style(word)
            assert fill.startswith("#") and ink.startswith("#") and shape


def test_a_badge_carries_the_word_and_count_not_just_a_colour():
    html = components.badge("Worse", 12)
    assert "▼ Worse 12" in html
    assert "background:#801650" in html


def test_names_from_uploads_are_escaped_in_cards():
    row = {
        "name": "<script>alert(1)</script>",
        "indicators": 3,
        "latest_period": "2009/10",
        "target_on_track": 1,
        "england_worse": 2,
    }
    html = components.outcome_card(row, {"target_on_track": "On track"}, {"england_worse": "Worse"})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "On track 1" in html and "Worse 2" in html


def test_charts_come_with_alt_text_that_states_the_figures():
    frame = pl.DataFrame(
        {
            "area_name": ["A", "B"],
            "value": [10.0, 20.0],
            "lower_ci_95": [9.0, 18.0],
            "upper_ci_95": [11.0, 22.0],
            "compared_to_england": ["Better", "Worse"],
        }
    )
    _, alt = charts.compare_areas_chart(
        frame, title="Test", unit="%", benchmark_value=15.0, benchmark_name="England"
    )
    assert alt == (
        "Bar chart of Test for 2 areas with 95% confidence intervals, against England (15.0%): "
        "1 better, 1 worse."
    )
