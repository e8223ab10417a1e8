"""The working side on the pages (issue 15): who is working where, and comments and actions
beside the numbers, through Streamlit's AppTest on the demo warehouse (demo mode: the demo
administrator may write)."""

import pytest
from streamlit.testing.v1 import AppTest

HOSTILE = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) ![x](http://127.0.0.1:9/x.png)"


@pytest.fixture
def app(demo_app):
    return demo_app


def open_page(at: AppTest, page: str, **params: str) -> AppTest:
    at.run()
    for name, value in params.items():
        at.query_params[name] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def texts(at: AppTest) -> list[str]:
    return [element.value for element in at.text]


def test_the_area_profile_says_who_is_working_there(app):
    at = open_page(app(), "views/area_profile.py", region="E12000001", area="E06000001")
    assert "Who is working here" in [h.value for h in at.header]
    # The demo register: Hartlepool's first 17 programmes, from DCSF, DH, HO, MoJ, DWP, DCMS.
    assert (
        "17 national programmes from 6 departments work on children and young people in "
        "Hartlepool." in texts(at)
    )
    contacts = next(df.value for df in at.dataframe if "E-mail" in df.value.columns)
    assert contacts["E-mail"].str.endswith("@example.gov.uk").all()


def test_the_overview_flags_the_overdue_action_in_words(app):
    at = open_page(app(), "views/overview.py", region="E12000001")
    # One of the three demo actions was due 14 days before today.
    assert "1 action is past its due date." in texts(at)
    assert any(t.startswith("Children and young people: ") for t in texts(at))


def test_a_comment_is_saved_and_shown_as_typed(app):
    at = open_page(app(), "views/outcome_department.py", region="E12000001")
    assert "Commentary and actions" in [h.value for h in at.header]
    area = next(t for t in at.text_area if t.label == "Add a comment")
    area.input(HOSTILE)
    next(b for b in at.button if b.label == "Save comment").click().run()
    assert not at.exception, at.exception
    shown = [t for t in texts(at) if t.endswith(HOSTILE)]
    assert len(shown) == 1
    # Nothing from the comment reached a Markdown element.
    assert not [m for m in at.markdown if "onerror" in m.value or "javascript:" in m.value]


def test_the_programme_register_page_shows_the_register_and_the_regions_presences(app):
    at = open_page(app(), "views/programmes.py", region="E12000001")
    assert [h.value for h in at.header] == ["Programmes", "Who works where in North East"]
    programmes_table, presences = (editor.value for editor in at.dataframe[:2])
    assert len(programmes_table) == 36  # the demo register's programmes
    assert set(presences["area_code"].str[:3]) <= {"E06", "E08", "E10"}


def test_an_action_is_marked_done_as_a_new_version(app):
    at = open_page(app(), "views/area_profile.py", region="E12000001", area="E06000001")
    update = next(s for s in at.selectbox if s.label == "Update an action")
    first = update.options[0]
    update.select_index(0)
    next(r for r in at.radio if r.label == "New status").set_value("done")
    next(b for b in at.button if b.label == "Save status").click().run()
    assert not at.exception, at.exception
    statuses = next(df.value for df in at.dataframe if "What was agreed" in df.value.columns)
    # The demo's three Hartlepool actions, one of them now done.
    assert sorted(statuses["Status"]) == ["done", "open", "open"]
    assert first.endswith("(open)")
