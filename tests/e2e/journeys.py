"""What the journey tests read off the page and how they work Streamlit's widgets.

Streamlit draws ``st.dataframe`` on a canvas; beside it the grid keeps an accessibility table
(``role="grid"``) of the cells in view, which is what a screen reader reads. ``grid_rows``
scrolls the grid through, as a user would, and collects every cell of that table. Number
cells there carry the value itself (the canvas shows it rounded to the column's format).
"""

from __future__ import annotations

import re

import polars as pl
from playwright.sync_api import Locator, Page, expect

from tests.e2e.support import RENDER_TIMEOUT_MS, open_page, settle

MAIN = '[data-testid="stMain"]'
SIDEBAR = '[data-testid="stSidebar"]'

_READ_GRID = """
async root => {
  const scroller = root.querySelector('.dvn-scroller');
  const headers = new Map();
  const cells = new Map();
  const pause = ms => new Promise(done => setTimeout(done, ms));
  const shown = () => [...root.querySelectorAll('td[role="gridcell"]')]
    .map(td => `${td.parentElement.getAttribute('aria-rowindex')}:${td.getAttribute('aria-colindex')}`)
    .join(',');
  // The accessibility table follows a scroll a moment later: wait until it shows other cells
  // than before the scroll (or, at an edge where nothing moves, for a second at most).
  const scrolled = async (left, top) => {
    const before = shown();
    scroller.scrollTo(left, top);
    for (let waited = 0; waited < 1000 && shown() === before; waited += 25) await pause(25);
    await pause(25);
  };
  const collect = () => {
    root.querySelectorAll('th[role="columnheader"]').forEach(th =>
      headers.set(Number(th.getAttribute('aria-colindex')), th.textContent));
    root.querySelectorAll('tr[aria-rowindex]').forEach(tr => {
      const row = Number(tr.getAttribute('aria-rowindex'));
      tr.querySelectorAll('td[role="gridcell"]').forEach(td =>
        cells.set(`${row}:${td.getAttribute('aria-colindex')}`, td.textContent));
    });
  };
  if (scroller.scrollLeft || scroller.scrollTop) await scrolled(0, 0);
  const stepY = Math.max(scroller.clientHeight / 2, 20);
  const stepX = Math.max(scroller.clientWidth / 2, 20);
  for (let top = 0; ; top += stepY) {
    for (let left = 0; ; left += stepX) {
      if (left || top) await scrolled(left, top);
      collect();
      if (left + scroller.clientWidth >= scroller.scrollWidth) break;
    }
    if (top + scroller.clientHeight >= scroller.scrollHeight) break;
  }
  await scrolled(0, 0);
  const columns = [...headers.keys()].sort((a, b) => a - b);
  const rows = [...new Set([...cells.keys()].map(k => Number(k.split(':')[0])))].sort((a, b) => a - b);
  return {headers: columns.map(c => headers.get(c)),
          rows: rows.map(r => columns.map(c => cells.get(`${r}:${c}`) ?? null))};
}
"""


def dataframe(page: Page, heading: str | None = None, index: int = 0) -> Locator:
    """Returns the ``index``-th dataframe of the main area, or the first one after ``heading``."""
    frames = page.locator(f'{MAIN} [data-testid="stDataFrame"]')
    if heading is None:
        return frames.nth(index)
    # The first dataframe after the heading, in reading order (it may sit in a column).
    block = page.locator(
        f"xpath=//h2[normalize-space()='{heading}']/following::div[@data-testid='stDataFrame']"
    )
    return block.first


def grid_rows(frame: Locator, rows: int | None = None) -> list[dict[str, str | None]]:
    """Returns every row of a ``st.dataframe`` as {column header: cell text}, scrolling it through.

    ``rows``, when given, is how many rows the table must have: it is waited for, so a table
    that is still being replaced (after a filter changed) is not read half old, half new. The
    table is read until two readings agree, for the same reason.
    """
    if rows is not None:
        frame.locator(f'table[aria-rowcount="{rows + 1}"]').wait_for(
            state="attached", timeout=RENDER_TIMEOUT_MS
        )
    frame.locator('td[role="gridcell"]').first.wait_for(state="attached", timeout=RENDER_TIMEOUT_MS)
    frame.scroll_into_view_if_needed()  # as a reader would, and the grid draws what is in view
    found = frame.evaluate(_READ_GRID)
    for _ in range(3):
        again = frame.evaluate(_READ_GRID)
        if again == found:
            break
        found = again
    else:
        raise AssertionError(f"the table kept changing while it was read: {found}")
    return [dict(zip(found["headers"], row, strict=True)) for row in found["rows"]]


def number(text: str | None) -> float | None:
    """Returns a grid cell's number (``None`` for an empty cell)."""
    return None if text in (None, "") else float(text.replace(",", ""))


def select_option(page: Page, label: str, option: str, where: str = SIDEBAR) -> None:
    """Chooses ``option`` in the select box labelled ``label``: click, type to find it, click it."""
    box = page.locator(f'{where} [data-testid="stSelectbox"]').filter(
        has=page.get_by_text(label, exact=True)
    )
    box.click()
    box.locator("input").fill(option)  # long lists only draw the options in view
    page.get_by_role("option", name=option, exact=True).click()
    expect(box.get_by_role("combobox")).to_have_value(option, timeout=RENDER_TIMEOUT_MS)
    settle(page)


def add_to_multiselect(page: Page, label: str, options: list[str], where: str = SIDEBAR) -> None:
    """Adds each of ``options`` to the multiselect labelled ``label``, typing to find it."""
    box = page.locator(f'{where} [data-testid="stMultiSelect"]').filter(
        has=page.get_by_text(label, exact=True)
    )
    for option in options:
        box.locator("input").click()
        box.locator("input").fill(option)
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        expect(box).to_contain_text(option, timeout=RENDER_TIMEOUT_MS)
        settle(page)


def wait_for_heading(page: Page, text: str, level: int = 1) -> None:
    """Waits until the main area shows ``text`` as a heading and the script run has finished."""
    heading = page.locator(MAIN).get_by_role("heading", level=level, name=text, exact=True)
    heading.wait_for(timeout=RENDER_TIMEOUT_MS)
    settle(page)


def main_text(page: Page) -> str:
    """Returns the text of the main area, whitespace collapsed."""
    return re.sub(r"\s+", " ", page.locator(MAIN).inner_text())


def frame_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Returns ``frame`` with every column as text, for comparing files with what a page shows."""
    return frame.with_columns(pl.all().cast(pl.String))


# --- What the minister's pages must show, computed from the warehouse ----------------------

_SHAPE = re.compile(r"^[^\w]+\s*")  # the ▲ ▼ ● □ ◆ in front of a badge's status word


def check_overview_cards(page: Page, overview: pl.DataFrame) -> None:
    """Asserts each outcome card shows its department's name, sizes and every status count.

    ``overview`` is ``warehouse.analytics.region_overview`` for the region on screen.
    """
    from warehouse.analytics import ENGLAND_COUNT_COLUMNS, TARGET_COUNT_COLUMNS

    cards = page.locator(f"{MAIN} .od-card")
    expect(cards).to_have_count(overview.height, timeout=RENDER_TIMEOUT_MS)
    for card, row in zip(cards.all(), overview.iter_rows(named=True), strict=True):
        assert card.locator("h2").inner_text() == row["name"]
        assert card.locator("p").inner_text() == (
            f"{row['indicators']} indicators · latest data {row['latest_period']}"
            f" · {row['target_no_target']} without a target"
        )
        targets = card.locator(".od-row").filter(has_text="Targets:").locator(".badge")
        england = card.locator(".od-row").filter(has_text="Against England:").locator(".badge")
        shown_targets = [_SHAPE.sub("", t) for t in targets.all_inner_texts()]
        shown_england = [_SHAPE.sub("", t) for t in england.all_inner_texts()]
        assert shown_targets == [
            f"{word} {row[column]}"
            for column, word in TARGET_COUNT_COLUMNS.items()
            if column != "target_no_target" and row[column]
        ], f"{row['name']}: target badges"
        assert shown_england == [
            f"{word} {row[column]}" for column, word in ENGLAND_COUNT_COLUMNS.items() if row[column]
        ], f"{row['name']}: comparison-with-England badges"


def check_department_page(page: Page, profile) -> None:
    """Asserts the outcome-department page shows ``profile`` (``outcome_department_profile``):
    name, chair, member departments and each member indicator's values and status words."""
    department = profile.department
    wait_for_heading(page, department["name"])
    text = main_text(page)
    assert department["outcome"] in text
    assert f"Chair: {department['chair']} · {department['region_name']}" in text

    members = grid_rows(
        dataframe(page, "Member departments"), rows=profile.member_departments.height
    )
    assert [
        (m["Code"], m["Department"], int(m["Indicators owned"]), m["Role"]) for m in members
    ] == [
        (r["department_code"], r["department"], r["indicators_owned"], r["role"])
        for r in profile.member_departments.iter_rows(named=True)
    ]

    shown = grid_rows(dataframe(page, "Indicators at region level"), rows=profile.indicators.height)
    expected = profile.indicators.to_dicts()
    assert [s["Indicator"] for s in shown] == [e["indicator_id"] for e in expected], shown
    for s, e in zip(shown, expected, strict=True):
        where = f"{department['name']}, {e['indicator_id']}"
        assert s["Name"] == e["indicator_name"], where
        assert (s["Latest period"] or None) == e["period"], where
        assert number(s["Region"]) == _approx(e["value"]), where
        assert number(s["England"]) == _approx(e["england_value"]), where
        assert number(s["Target"]) == _approx(e["target_value"]), where
        assert (s["Target status"] or None) == e["target_status"], where
        assert (s["Compared with England"] or None) == e["compared_to_england"], where
        assert (s["Recent trend"] or None) == e["recent_trend"], where


def check_area_profile(page: Page, area_name: str, profile: pl.DataFrame) -> None:
    """Asserts the area profile of ``area_name`` shows ``profile`` (``area_profile`` rows of the
    chosen indicators): the title, the summary sentence and each indicator's values and words."""
    wait_for_heading(page, f"{area_name}: area profile")
    counts = profile["compared_to_england"].value_counts().sort("compared_to_england")
    summary = ", ".join(f"{n} {word.lower()}" for word, n in counts.rows())
    assert f"{profile.height} indicators: {summary} compared with England." in main_text(page)

    # The indicators' table: after the chart's own (folded away) table of as many rows, and
    # before the breakdowns, contacts and actions, which have other row counts.
    rows = page.locator(f'table[aria-rowcount="{profile.height + 1}"]')
    frames = page.locator(f'{MAIN} [data-testid="stDataFrame"]').filter(has=rows)
    shown = grid_rows(frames.last, rows=profile.height)
    assert [s["Indicator"] for s in shown] == profile["indicator_id"].to_list(), shown
    for s, e in zip(shown, profile.iter_rows(named=True), strict=True):
        where = f"{area_name}, {e['indicator_id']}"
        assert s["Name"] == e["indicator_name"], where
        assert s["Period"] == e["period"], where
        assert number(s["Value"]) == _approx(e["value"]), where
        assert number(s["England"]) == _approx(e["england_value"]), where
        assert number(s["Region"]) == _approx(e["region_value"]), where
        assert (s["Compared with England"] or None) == e["compared_to_england"], where
        assert (s["Target status"] or None) == e["target_status"], where


def _approx(value: float | None):
    import pytest

    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-9)


def upload_values(page: Page, base_url: str, upload) -> None:
    """Uploads ``upload`` as indicator values through the upload page and waits for its preview."""
    open_page(page, base_url, "upload")
    wait_for_heading(page, "Upload data")
    kind = page.get_by_role("radiogroup", name="What are you uploading?")
    kind.get_by_text("Indicator values", exact=True).click()
    expect(kind.get_by_role("radio", name="Indicator values")).to_be_checked()
    chooser = page.locator('[data-testid="stFileUploader"]').filter(has_text="Choose a file")
    with page.expect_file_chooser() as chosen:
        chooser.get_by_role("button").filter(has_text=re.compile("Browse|Upload")).first.click()
    chosen.value.set_files(upload)
    page.get_by_role("heading", name="What this file will change").wait_for(
        timeout=RENDER_TIMEOUT_MS
    )
    settle(page)
