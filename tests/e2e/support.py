"""What the browser tests do to a page: open it, check it with axe, look at charts and focus,
and save a screenshot.

Streamlit renders in the browser after the page has loaded, so nothing here waits for
"load": ``open_page`` waits for text the user reads, then for the script run to finish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from dashboard.navigation import PageSpec

REPO = Path(__file__).resolve().parents[2]
AXE_JS = REPO / ".ci" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"

VIEWPORT = {"width": 1366, "height": 768}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")
# A cold server answers its first page in about 25 s (caches empty); later pages in 2-10 s.
RENDER_TIMEOUT_MS = 90_000
CHART = '[data-testid="stPlotlyChart"]'
FINISHED_RUN = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass(frozen=True)
class AxeExclusion:
    """One axe finding we accept because it is provably Streamlit's own markup, not ours."""

    rule_id: str
    selector: str
    why: str


# Narrow, documented exclusions by rule id and CSS selector of the failing node. Each one
# must name Streamlit's markup and say why our code cannot change it. Empty so far: every
# serious or critical finding fails the test.
AXE_EXCLUSIONS: tuple[AxeExclusion, ...] = ()


def open_page(page: Page, base_url: str, spec_or_path: PageSpec | str, query: str = "") -> None:
    """Opens a page of the app and returns once its script has run and its charts are drawn.

    ``spec_or_path`` is a ``PageSpec`` (its landmark text is awaited in the main area) or a
    URL path such as ``"catalogue"`` (only the end of the script run is awaited).
    """
    if isinstance(spec_or_path, PageSpec):
        path, landmark = spec_or_path.url_path, spec_or_path.landmark
    else:
        path, landmark = spec_or_path.strip("/"), None
    url = f"{base_url.rstrip('/')}/{path}" + (f"?{query}" if query else "")
    page.goto(url)
    if landmark:
        main = page.locator('[data-testid="stMain"]')
        main.get_by_text(landmark).first.wait_for(timeout=RENDER_TIMEOUT_MS)
    settle(page)


def settle(page: Page) -> None:
    """Waits until the script run has finished, lazy components are fetched and charts drawn."""
    page.locator(FINISHED_RUN).wait_for(timeout=RENDER_TIMEOUT_MS)
    # The websocket does not count here; this waits for lazily loaded component code.
    page.wait_for_load_state("networkidle", timeout=RENDER_TIMEOUT_MS)
    # Streamlit shows a grey skeleton until an element's code has loaded (charts, tables),
    # then Plotly draws each chart into an SVG.
    page.wait_for_function(
        """chart => !document.querySelector('[data-testid="stSkeleton"]')
             && [...document.querySelectorAll(chart)].every(c => c.querySelector('.main-svg'))""",
        arg=CHART,
        timeout=RENDER_TIMEOUT_MS,
    )


def error_dialog_text(page: Page) -> str | None:
    """Returns the text of a Streamlit error dialog on the page (such as "Page not found")."""
    dialog = page.locator('[data-testid="stDialog"]')
    return dialog.first.inner_text() if dialog.count() and dialog.first.is_visible() else None


def run_axe(page: Page) -> list[dict]:
    """Returns axe's serious and critical WCAG 2.2 A/AA violations on the page, exclusions removed."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async tags => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    blocking = [v for v in result["violations"] if v["impact"] in BLOCKING_IMPACTS]
    return [kept for v in blocking if (kept := _without_excluded_nodes(page, v))]


def _without_excluded_nodes(page: Page, violation: dict) -> dict | None:
    rules = [x for x in AXE_EXCLUSIONS if x.rule_id == violation["id"]]
    if not rules:
        return violation
    nodes = [
        node
        for node in violation["nodes"]
        if not any(_matches(page, node["target"], rule.selector) for rule in rules)
    ]
    return {**violation, "nodes": nodes} if nodes else None


def _matches(page: Page, target: list, selector: str) -> bool:
    # axe gives a path of selectors (more than one only inside iframes or shadow roots).
    if len(target) != 1 or not isinstance(target[0], str):
        return False
    return page.evaluate(
        "([target, selector]) => !!document.querySelector(target)?.matches(selector)",
        [target[0], selector],
    )


def format_violations(violations: list[dict]) -> str:
    """Returns axe violations as lines a person can act on: rule, impact, help, where."""
    if not violations:
        return "no serious or critical axe violations"
    lines = [f"{len(violations)} serious or critical axe violation(s):"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v["nodes"][:3]:
            lines.append(f"    at {' >> '.join(map(str, node['target']))}: {node['html'][:160]}")
        if len(v["nodes"]) > 3:
            lines.append(f"    … and {len(v['nodes']) - 3} more")
    return "\n".join(lines)


def chart_names(page: Page) -> list[dict]:
    """Returns, for each Plotly chart, its role and accessible name as the page declares them.

    Streamlit 1.67 puts ``st.plotly_chart(alt=...)`` on the chart's wrapper as
    ``role="figure" aria-label="<alt>"``; without ``alt`` the wrapper has neither.
    """
    return page.locator(CHART).evaluate_all(
        """charts => charts.map((chart, index) => {
             const labelled = chart.getAttribute('aria-labelledby');
             const byId = labelled && document.getElementById(labelled);
             const name = (chart.getAttribute('aria-label')
                           || (byId && byId.textContent) || '').trim();
             const title = chart.querySelector('.gtitle');
             return {index, role: chart.getAttribute('role'), name,
                     title: title ? title.textContent : ''};
           })"""
    )


def unnamed_charts(page: Page) -> list[dict]:
    """Returns the Plotly charts that a screen reader cannot name (no figure/img role or name)."""
    return [c for c in chart_names(page) if c["role"] not in ("figure", "img") or not c["name"]]


def low_contrast_chart_text(page: Page) -> list[dict]:
    """Returns chart text (titles, axes, ticks, legend, notes) below WCAG AA contrast.

    axe leaves SVG text as "needs review", so this measures it: each text's fill against
    the chart's paper colour, or for a label drawn inside a bar against that bar's fill,
    needing 4.5:1, or 3:1 for large text (24px, or 18.66px bold).
    """
    return page.locator(CHART).evaluate_all(
        """charts => {
             const rgb = c => (c.match(/[\\d.]+/g) || []).map(Number);
             const lum = ([r, g, b]) => [r, g, b]
               .map(v => v / 255)
               .map(v => v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4)
               .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
             const ratio = (a, b) => {
               const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
               return (hi + 0.05) / (lo + 0.05);
             };
             const found = [];
             charts.forEach((chart, index) => {
               const paper = chart.querySelector('svg.main-svg');
               const bg = paper ? rgb(getComputedStyle(paper).backgroundColor) : [255, 255, 255];
               const paperRgb = bg.length >= 3 && (bg.length < 4 || bg[3] > 0)
                 ? bg.slice(0, 3) : [255, 255, 255];
               const texts = chart.querySelectorAll(
                 '.gtitle, .g-xtitle text, .g-ytitle text, .xtick text, .ytick text, '
                 + '.legendtext, .annotation-text, .bartext');
               for (const text of texts) {
                 const bar = text.classList.contains('bartext-inside')
                   && text.closest('.point')?.querySelector('path');
                 const behind = bar ? rgb(getComputedStyle(bar).fill).slice(0, 3) : paperRgb;
                 const style = getComputedStyle(text);
                 const size = parseFloat(style.fontSize);
                 const bold = parseInt(style.fontWeight, 10) >= 700;
                 const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
                 const measured = ratio(rgb(style.fill).slice(0, 3), behind);
                 if (text.textContent.trim() && measured < needed) {
                   found.push({chart: index, text: text.textContent.trim().slice(0, 40),
                               fill: style.fill, on: bar ? `bar ${getComputedStyle(bar).fill}` : 'paper',
                               size: style.fontSize,
                               ratio: Math.round(measured * 100) / 100, needed});
                 }
               }
             });
             return found;
           }"""
    )


def focus_indicator(page: Page) -> dict:
    """Returns the focused element (tag, name, test id) and whether its focus is visible.

    Visible means a drawn outline (style not ``none``, width above zero, colour not
    transparent) or a box shadow; the house style adds both on ``:focus-visible``.
    """
    return page.evaluate(
        """() => {
             const e = document.activeElement;
             if (!e || e === document.body) return {tag: 'BODY', visible: false};
             const s = getComputedStyle(e);
             const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                             && s.outlineColor !== 'rgba(0, 0, 0, 0)';
             const shadow = s.boxShadow && s.boxShadow !== 'none';
             return {
               tag: e.tagName,
               name: (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().slice(0, 60),
               testid: e.dataset.testid || e.closest('[data-testid]')?.dataset.testid || '',
               outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
               boxShadow: s.boxShadow,
               visible: Boolean(outline || shadow),
             };
           }"""
    )


def screenshot(page: Page, name: str) -> Path:
    """Returns the path of a full-page PNG of the page saved as test-artifacts/screenshots/NAME.png.

    Streamlit scrolls its main area and sidebar inside a viewport-high frame, so a plain
    full-page screenshot stops at the fold: the viewport is stretched to the content for the
    shot and put back afterwards.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_safe(name)}.png"
    viewport = page.viewport_size or {"width": 1366, "height": 768}
    content_height = page.evaluate(
        """() => Math.max(window.innerHeight, ...[...document.querySelectorAll(
             '[data-testid="stMain"], [data-testid="stSidebarContent"]')]
             .map(e => e.scrollHeight))"""
    )
    tall = min(int(content_height), 16_000)
    if tall > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": tall})
        page.wait_for_timeout(500)  # Streamlit and Plotly re-lay out on resize
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if tall > viewport["height"]:
            page.set_viewport_size(viewport)
    return path


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "page"
