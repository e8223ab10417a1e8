"""Text from files is data in charts too (issue 12, item 3): Plotly renders a subset of HTML
(links, bold, line breaks) in titles, axis titles, tick labels, legends, hover text and
annotations, so every piece of data text reaches a figure escaped."""

import json

import polars as pl

from dashboard import charts

LINK = '<a href="http://127.0.0.1:9/">click</a>'
BOLD = "<b>loud</b>"


def _json(figure) -> str:
    return json.dumps(figure.to_plotly_json(), ensure_ascii=False)


def _check(figure) -> None:
    text = _json(figure)
    # Worked out from html.escape: < > " become &lt; &gt; &quot;.
    assert "<a href" not in text and "<b>" not in text
    assert "&lt;a href=&quot;http://127.0.0.1:9/&quot;&gt;click&lt;/a&gt;" in text


def _profile(indicator_name: str) -> pl.DataFrame:
    """One indicator of an area profile, inside England's range, for a spine chart."""
    return pl.DataFrame(
        {
            "indicator_name": [indicator_name],
            "value": [10.0],
            "england_value": [11.0],
            "england_min": [5.0],
            "england_q25": [9.0],
            "england_q75": [13.0],
            "england_max": [20.0],
            "polarity": ["higher"],
            "compared_to_england": ["Similar"],
        }
    )


def test_a_series_chart_escapes_its_title_unit_and_area():
    series = pl.DataFrame(
        {"period": ["2008/09", "2009/10"], "value": [1.0, 2.0]},
    ).with_columns(lower_ci_95=pl.col("value") - 0.5, upper_ci_95=pl.col("value") + 0.5)
    figure, _ = charts.series_chart(series, title=f"Name {LINK}", unit=BOLD, area_name=LINK)
    _check(figure)
    assert "&lt;b&gt;loud&lt;/b&gt;" in _json(figure)


def test_bar_dot_and_spine_charts_escape_area_and_indicator_names():
    areas = pl.DataFrame(
        {
            "area_name": [LINK, "Darlington"],
            "value": [10.0, 12.0],
            "lower_ci_95": [9.0, 11.0],
            "upper_ci_95": [11.0, 13.0],
            "compared_to_england": ["Better", "Worse"],
        }
    )
    bars, _ = charts.compare_areas_chart(
        areas, title="T", unit="%", benchmark_value=11.0, benchmark_name=LINK
    )
    _check(bars)
    dots, _ = charts.ranked_dot_chart(areas, title=LINK, unit="%", benchmark_value=11.0)
    _check(dots)
    spine, _ = charts.spine_chart(_profile(LINK), area_name=LINK)
    _check(spine)


def test_a_long_name_is_cut_before_it_is_escaped():
    # 44 characters, then "<b>": the cut at 45 keeps "<" alone, which must still be escaped.
    name = "x" * 44 + BOLD
    spine, _ = charts.spine_chart(_profile(name), area_name="Hartlepool")
    assert "x" * 44 + "&lt;…" in _json(spine)
