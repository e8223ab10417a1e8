"""Every page renders without an exception, for every region, through Streamlit's AppTest."""

import pytest

from dashboard.navigation import PAGES as PAGE_SPECS

PAGES = [page.script for page in PAGE_SPECS]
REGIONS = [f"E1200000{i}" for i in range(1, 10)]


@pytest.fixture
def app(demo_app):
    return demo_app


def test_every_page_renders_for_every_region(app):
    at = app().run()
    assert not at.exception
    for page in PAGES:
        for region in REGIONS:
            at.query_params["region"] = region
            at.switch_page(page).run()
            assert not at.exception, (page, region, at.exception)


def test_overview_shows_the_six_outcome_departments_of_the_chosen_region(app):
    at = app()
    at.query_params["region"] = "E12000007"
    at.run()
    assert at.title[0].value == "London: outcomes at a glance"
    links = [link.proto.label for link in at.get("page_link")]
    assert links == [
        "Open Children and young people",
        "Open Employment, skills and economy",
        "Open Fairness and inclusion",
        "Open Health and wellbeing",
        "Open Liveable places",
        "Open Safer and stronger communities",
    ]
    cards = [
        element.proto.body for element in at.get("html") if 'class="od-card"' in element.proto.body
    ]
    assert len(cards) == 6
    assert all("Targets:" in card and "Against England:" in card for card in cards)
    assert at.sidebar.selectbox[0].value == "E12000007"


def test_overview_lists_the_latest_changes_in_the_region_on_request(app):
    at = app()
    at.query_params["region"] = "E12000001"
    at.run()
    # The file name came with the file, so the sentence is plain text, not Markdown.
    summary = [t.value for t in at.text if "The latest data," in t.value]
    assert len(summary) == 1 and "across England" in summary[0]
    tables = len(at.dataframe)
    assert not any("In North East:" in m.value for m in at.markdown)
    at.toggle(key="overview_changes").set_value(True).run()
    assert not at.exception
    assert any(m.value.startswith("In North East:") for m in at.markdown)
    assert len(at.dataframe) == tables + 1


def test_demo_mode_is_labelled_on_every_page(app):
    at = app().run()
    assert any("Demo mode: no sign-in" in i.value for i in at.info)
