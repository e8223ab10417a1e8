"""Plotly figures in the house template, each returned with its alt text.

Every function returns ``(figure, alt_text)``: pages pass both to ``st.plotly_chart`` and
show the figure's data as a table beside it. Statuses carry a marker shape as well as a
colour, and confidence intervals are drawn wherever they exist.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
import polars as pl

from dashboard.plain import plotly_text
from dashboard.theme import CATEGORICAL, DARK_BLUE, HIGHLIGHT_GREY, TEXT, status_style

TEMPLATE = "outcomes"

pio.templates[TEMPLATE] = go.layout.Template(
    layout=go.Layout(
        colorway=CATEGORICAL[:4],
        font={"family": "Arial, Helvetica, sans-serif", "size": 14, "color": TEXT},
        title={"font": {"size": 17}, "x": 0, "xanchor": "left"},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        xaxis={"showgrid": False, "linecolor": TEXT, "ticks": "outside", "automargin": True},
        yaxis={"gridcolor": "#D9D9D9", "zerolinecolor": "#D9D9D9", "automargin": True},
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        hoverlabel={"font": {"size": 14}},
    )
)


def _figure(title: str, x_title: str, y_title: str, height: int = 420) -> go.Figure:
    figure = go.Figure()
    figure.update_layout(
        template=TEMPLATE,
        title={"text": plotly_text(title)},
        height=height,
        xaxis_title=plotly_text(x_title),
        yaxis_title=plotly_text(y_title),
    )
    return figure


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "no value"
    text = f"{value:,.1f}"
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def series_chart(
    series: pl.DataFrame, *, title: str, unit: str, area_name: str
) -> tuple[go.Figure, str]:
    """Returns a time-series chart with a 95% interval band and, where set, the target trajectory.

    ``series`` columns: period, value, lower_ci_95, upper_ci_95 and optionally trajectory_value,
    target_value, ordered by period.
    """
    figure = _figure(title, "Period", unit)
    periods = series["period"].to_list()
    if series["lower_ci_95"].null_count() < series.height:
        figure.add_trace(
            go.Scatter(
                x=periods + periods[::-1],
                y=series["upper_ci_95"].to_list() + series["lower_ci_95"].to_list()[::-1],
                fill="toself",
                fillcolor="rgba(18,67,109,0.15)",
                line={"width": 0},
                name="95% confidence interval",
                hoverinfo="skip",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=periods,
            y=series["value"].to_list(),
            mode="lines+markers",
            name=plotly_text(area_name),
            line={"color": DARK_BLUE, "width": 3},
            marker={"size": 8},
        )
    )
    if (
        "trajectory_value" in series.columns
        and series["trajectory_value"].null_count() < series.height
    ):
        figure.add_trace(
            go.Scatter(
                x=periods,
                y=series["trajectory_value"].to_list(),
                mode="lines",
                name="Trajectory to target",
                line={"color": CATEGORICAL[3], "dash": "dash", "width": 2},
            )
        )
    last = series.drop_nulls("value").tail(1)
    alt = f"Line chart of {title} for {area_name}, {series.height} periods"
    if last.height:
        alt += f"; latest {last['period'][0]}: {_fmt(last['value'][0], unit)}"
        if last["lower_ci_95"][0] is not None:
            alt += f" (95% CI {_fmt(last['lower_ci_95'][0], unit)} to {_fmt(last['upper_ci_95'][0], unit)})"
    return figure, alt + "."


def compare_areas_chart(
    frame: pl.DataFrame,
    *,
    title: str,
    unit: str,
    benchmark_value: float | None,
    benchmark_name: str,
    status_column: str = "compared_to_england",
) -> tuple[go.Figure, str]:
    """Returns a horizontal bar chart of areas with 95% intervals and the benchmark as a line.

    ``frame`` columns: area_name, value, lower_ci_95, upper_ci_95 and the status column.
    """
    ordered = frame.drop_nulls("value").sort("value")
    figure = _figure(title, unit, "", height=max(320, 28 * ordered.height + 120))
    colours = [status_style(s)[0] for s in ordered[status_column].to_list()]
    figure.add_trace(
        go.Bar(
            y=[plotly_text(name) for name in ordered["area_name"]],
            x=ordered["value"].to_list(),
            orientation="h",
            marker={"color": colours, "line": {"color": TEXT, "width": 0.5}},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (ordered["upper_ci_95"] - ordered["value"]).to_list(),
                "arrayminus": (ordered["value"] - ordered["lower_ci_95"]).to_list(),
                "color": TEXT,
            },
            text=ordered[status_column].to_list(),
            textposition="inside",
            insidetextfont={
                "color": [status_style(s)[1] for s in ordered[status_column].to_list()]
            },
            insidetextanchor="start",
            name="Area value",
            hovertemplate="%{y}: %{x}<extra>%{text}</extra>",
        )
    )
    if benchmark_value is not None:
        figure.add_vline(
            x=benchmark_value,
            line={"color": TEXT, "dash": "dash", "width": 2},
            annotation_text=plotly_text(f"{benchmark_name}: {_fmt(benchmark_value, unit)}"),
            annotation_position="top",
        )
    counts = ordered[status_column].value_counts().sort(status_column)
    summary = ", ".join(f"{n} {s.lower()}" for s, n in counts.rows())
    alt = (
        f"Bar chart of {title} for {ordered.height} areas with 95% confidence intervals, "
        f"against {benchmark_name} ({_fmt(benchmark_value, unit)}): {summary}."
    )
    return figure, alt


def spine_chart(profile: pl.DataFrame, *, area_name: str) -> tuple[go.Figure, str]:
    """Returns a spine chart: each indicator's value placed within England's range.

    ``profile`` columns: indicator_name, value, england_value, england_min, england_q25,
    england_q75, england_max, polarity, compared_to_england. Values are scaled so the
    England value sits in the middle and "better" is always to the right.
    """
    rows = profile.drop_nulls(
        ["value", "england_min", "england_max", "england_value"]
    ).with_columns(
        # Long names squeeze the plot; the table beside the chart carries them in full.
        pl.col("indicator_name").str.slice(0, 45)
        + pl.when(pl.col("indicator_name").str.len_chars() > 45)
        .then(pl.lit("…"))
        .otherwise(pl.lit(""))
    )
    figure = _figure(
        f"{area_name} compared with the range across England",
        "Worse ← England → Better",
        "",
        height=max(320, 28 * rows.height + 140),
    )
    # Escaped after the cut, so an entity is never cut in half.
    names, spans = [plotly_text(name) for name in rows["indicator_name"]], []
    for row in rows.iter_rows(named=True):
        flip = -1.0 if row["polarity"] == "lower" else 1.0
        half = (
            max(
                abs(row["england_max"] - row["england_value"]),
                abs(row["england_value"] - row["england_min"]),
            )
            or 1.0
        )

        def scale(v: float, row=row, flip=flip, half=half) -> float:
            return flip * (v - row["england_value"]) / half

        low, high = sorted((scale(row["england_min"]), scale(row["england_max"])))
        q_low, q_high = sorted((scale(row["england_q25"]), scale(row["england_q75"])))
        spans.append((low, high, q_low, q_high, scale(row["value"])))
    figure.add_trace(
        go.Bar(
            y=names,
            x=[s[1] - s[0] for s in spans],
            base=[s[0] for s in spans],
            orientation="h",
            marker={"color": "#D9D9D9"},
            name="England lowest to highest",
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Bar(
            y=names,
            x=[s[3] - s[2] for s in spans],
            base=[s[2] for s in spans],
            orientation="h",
            marker={"color": HIGHLIGHT_GREY},
            name="England middle half (25th to 75th percentile)",
            hoverinfo="skip",
        )
    )
    statuses = rows["compared_to_england"].to_list()
    figure.add_trace(
        go.Scatter(
            y=names,
            x=[s[4] for s in spans],
            mode="markers",
            name=plotly_text(area_name),
            marker={
                "size": 13,
                "color": [status_style(s)[0] for s in statuses],
                "symbol": [status_style(s)[2] for s in statuses],
                "line": {"color": TEXT, "width": 1},
            },
            text=statuses,
            hovertemplate="%{y}: %{text}<extra></extra>",
        )
    )
    figure.add_vline(x=0, line={"color": TEXT, "width": 2})
    figure.update_layout(barmode="overlay", xaxis={"showticklabels": False, "range": [-1.1, 1.1]})
    counts = rows["compared_to_england"].value_counts().sort("compared_to_england")
    summary = ", ".join(f"{n} {s.lower()}" for s, n in counts.rows())
    alt = f"Spine chart of {rows.height} indicators for {area_name} against England's range: {summary}."
    return figure, alt


def ranked_dot_chart(
    frame: pl.DataFrame, *, title: str, unit: str, benchmark_value: float | None
) -> tuple[go.Figure, str]:
    """Returns areas ranked by value as dots with 95% intervals, shaped and coloured by comparison."""
    ordered = frame.drop_nulls("value").sort("value")
    figure = _figure(title, unit, "", height=max(320, 26 * ordered.height + 120))
    statuses = ordered["compared_to_england"].to_list()
    figure.add_trace(
        go.Scatter(
            y=[plotly_text(name) for name in ordered["area_name"]],
            x=ordered["value"].to_list(),
            mode="markers",
            marker={
                "size": 12,
                "color": [status_style(s)[0] for s in statuses],
                "symbol": [status_style(s)[2] for s in statuses],
                "line": {"color": TEXT, "width": 1},
            },
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (ordered["upper_ci_95"] - ordered["value"]).to_list(),
                "arrayminus": (ordered["value"] - ordered["lower_ci_95"]).to_list(),
                "color": TEXT,
            },
            text=statuses,
            hovertemplate="%{y}: %{x} (%{text})<extra></extra>",
            name="Area",
        )
    )
    if benchmark_value is not None:
        figure.add_vline(
            x=benchmark_value,
            line={"color": TEXT, "dash": "dash"},
            annotation_text=plotly_text(f"England: {_fmt(benchmark_value, unit)}"),
        )
    top = ordered.tail(1)
    alt = f"Dot chart ranking {ordered.height} areas on {title}"
    if top.height:
        alt += f"; highest {top['area_name'][0]} at {_fmt(top['value'][0], unit)}"
    return figure, alt + "."


def choropleth(
    frame: pl.DataFrame,
    features: pl.DataFrame,
    geojson: dict,
    *,
    title: str,
    status_column: str = "compared_to_england",
) -> tuple[go.Figure, str]:
    """Returns a map of areas coloured by status word (with the word in the legend and on hover).

    ``frame``: area_code, area_name, value, status column; ``features``: feature_code → area_code
    (districts of a two-tier county show the county's value).
    """
    shown = features.join(
        frame.select("area_code", "area_name", "value", status_column), on="area_code", how="inner"
    )
    figure = _figure(title, "", "", height=520)
    for status in shown[status_column].unique().sort().to_list():
        part = shown.filter(pl.col(status_column) == status)
        figure.add_trace(
            go.Choropleth(
                geojson=geojson,
                locations=part["feature_code"].to_list(),
                featureidkey="id",
                z=[1] * part.height,
                colorscale=[[0, status_style(status)[0]], [1, status_style(status)[0]]],
                showscale=False,
                name=status,
                showlegend=True,
                marker={"line": {"color": "#FFFFFF", "width": 0.6}},
                text=[
                    plotly_text(f"{n}: {v:,.1f} ({status})")
                    for n, v in zip(part["area_name"], part["value"], strict=True)
                ],
                hoverinfo="text",
            )
        )
    figure.update_geos(fitbounds="locations", visible=False)
    figure.update_layout(legend={"orientation": "h", "y": -0.05})
    counts = frame[status_column].value_counts().sort(status_column)
    alt = f"Map of {title}: " + ", ".join(f"{n} areas {s.lower()}" for s, n in counts.rows()) + "."
    return figure, alt
