"""Sign-in, roles and region scope in the running app (AppTest with simulated OIDC users)."""

import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from dashboard.navigation import PAGES
from warehouse import open_warehouse
from warehouse.access import PermissionRefused, user_from_claims
from warehouse.analytics import area_profile, outcome_department_profile, region_overview
from warehouse.audit import audit_entries
from warehouse.scope import scoped_read
from warehouse.settings import get_settings

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
NORTH_EAST, NORTH_WEST = "E12000001", "E12000002"
SECRETS = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-test-cookie-secret-of-more-than-32-characters",
    "client_id": "test",
    "client_secret": "test-secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
VIEWS = {
    "Region overview",
    "Outcome department",
    "Indicator explorer",
    "Area profile",
    "Indicator catalogue",
}
PERMITTED = {
    "minister": VIEWS,
    "official": VIEWS,
    "analyst": VIEWS | {"Upload data", "Programme register", "Data batches"},
    "admin": VIEWS
    | {
        "Upload data",
        "Programme register",
        "Data batches",
        "Configure outcome departments",
        "Users and roles",
        "Audit log",
    },
}


def claims(role: str | None, regions=(NORTH_EAST,), **extra) -> dict:
    return {
        "is_logged_in": True,
        "email": f"{role or 'nobody'}@example.test",
        "name": f"{(role or 'nobody').title()} Person",
        "roles": [role] if role else [],
        "regions": list(regions),
        "exp": int(time.time()) + 3600,
        **extra,
    }


@pytest.fixture
def menus(monkeypatch):
    """Records the pages each run hands to st.navigation: title → visible?"""
    seen: list[dict[str, bool]] = []
    real = st.navigation

    def spy(pages, **kwargs):
        seen.append({page.title: page.visibility == "visible" for page in pages})
        return real(pages, **kwargs)

    monkeypatch.setattr(st, "navigation", spy)
    return seen


@pytest.fixture
def oidc(demo_copy, monkeypatch):
    """Returns a factory of AppTests in oidc mode, and the warehouse they use."""
    monkeypatch.setenv("OUTCOMES_DATA_DIR", str(demo_copy.data_dir))
    monkeypatch.setenv("OUTCOMES_DEMO_ON_FIRST_START", "false")
    monkeypatch.setenv("OUTCOMES_AUTH_MODE", "oidc")
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()

    def make(user: dict, region: str | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets["auth"] = SECRETS
        at.user = user
        if region:
            at.query_params["region"] = region
        return at

    yield make
    get_settings.cache_clear()
    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def audit(demo_copy):
    def entries(**filters):
        con = open_warehouse(demo_copy)
        try:
            return audit_entries(con, **filters)
        finally:
            con.close()

    return entries


def errors(at) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("role", list(PERMITTED))
def test_the_menu_lists_only_the_pages_the_role_may_open(oidc, menus, role):
    at = oidc(claims(role)).run()
    assert not at.exception, at.exception
    assert {title for title, visible in menus[-1].items() if visible} == PERMITTED[role]


@pytest.mark.parametrize("role", list(PERMITTED))
def test_every_page_renders_for_its_roles_and_refuses_the_others(oidc, audit, role):
    at = oidc(claims(role)).run()
    refused = []
    for page in PAGES:
        at.switch_page(page.script).run()
        assert not at.exception, (role, page.title, at.exception)
        denial = [e for e in errors(at) if e.startswith("You do not have access")]
        if page.title in PERMITTED[role]:
            assert not denial, (role, page.title, denial)
        else:
            assert denial and page.title in denial[0], (role, page.title, errors(at))
            refused.append(f"page: {page.title}")
    logged = audit(actor=f"{role}@example.test", outcome="refused")["target"].to_list()
    assert sorted(logged) == sorted(refused)


def test_signed_in_user_sees_name_role_and_sign_out(oidc, audit):
    at = oidc(claims("official")).run()
    texts = [t.value for t in at.sidebar.text]
    assert "Signed in as Official Person" in texts
    assert "Role: official" in texts
    at.sidebar.button(key="sign_out").click().run()
    assert at.user == {"is_logged_in": False}
    actions = audit(actor="official@example.test")["action"].to_list()
    assert actions == ["sign-out", "sign-in"]


def test_signed_out_visitor_sees_only_the_sign_in_button(oidc, menus):
    at = oidc({"is_logged_in": False}).run()
    assert [b.label for b in at.button] == ["Sign in"]
    assert menus == []  # no navigation, no page


def test_without_sign_in_secrets_the_app_says_what_is_missing(oidc, menus):
    at = oidc({"is_logged_in": False})
    at.secrets.clear()
    at.run()
    assert not at.button
    assert "Sign-in is not configured" in at.error[0].value
    assert menus == []


@pytest.mark.parametrize(
    "user",
    [claims(None), claims("official", regions=()), claims("official", regions=("north",))],
    ids=["no role", "no region", "region not a code"],
)
def test_a_user_without_role_or_region_sees_no_access_and_nothing_else(oidc, menus, audit, user):
    at = oidc(user).run()
    assert [t.value for t in at.title] == ["No access"]
    assert menus == []
    assert not at.dataframe
    assert audit(action="sign-in")["outcome"].to_list() == ["refused"]


def test_an_expired_token_signs_the_user_out(oidc, audit):
    at = oidc(claims("analyst", exp=int(time.time()) - 5)).run()
    assert at.user == {"is_logged_in": False}
    assert [b.label for b in at.button] == ["Sign in"]
    assert any("session has expired" in w.value for w in at.warning)
    assert audit(actor="analyst@example.test")["action"].to_list() == ["session-expired"]


@pytest.mark.parametrize(
    "page", ["views/overview.py", "views/explorer.py", "views/area_profile.py"]
)
def test_a_region_in_the_url_outside_the_users_scope_is_refused(oidc, audit, page):
    at = oidc(claims("official")).run()  # the first run registers the pages
    at.query_params["region"] = NORTH_WEST
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert any(w.value.startswith("You do not have access to region E12000002") for w in at.warning)
    assert at.query_params["region"] == NORTH_EAST
    pickers = [s for s in at.sidebar.selectbox if s.label == "Region"]
    assert pickers and pickers[0].options == ["North East"]
    refused = audit(outcome="refused")
    assert refused.select("actor", "region_code").rows() == [("official@example.test", NORTH_WEST)]


def test_the_warehouse_refuses_another_regions_rows_whatever_the_page_does(demo_con):
    official = user_from_claims(claims("official"))
    assert scoped_read(demo_con, official, region_overview, NORTH_EAST).height
    with pytest.raises(PermissionRefused, match="region E12000002"):
        scoped_read(demo_con, official, region_overview, NORTH_WEST)
    with pytest.raises(PermissionRefused, match="region E12000002"):
        scoped_read(demo_con, official, area_profile, "E08000001")  # Bolton, North West
    with pytest.raises(PermissionRefused, match="region E12000002"):
        scoped_read(
            demo_con, official, outcome_department_profile, f"{NORTH_WEST}:health_wellbeing"
        )
    everywhere = user_from_claims(claims("minister", regions=("*",)))
    assert scoped_read(demo_con, everywhere, region_overview, NORTH_WEST).height


def test_ministers_get_no_downloads_and_officials_do(oidc):
    for role, expected in (("minister", 0), ("official", 2)):
        at = oidc(claims(role)).run()
        at.switch_page("views/explorer.py").run()
        buttons = [b for b in at.get("download_button") if "of this view" in b.proto.label]
        assert len(buttons) == expected, role


def test_the_upload_page_offers_membership_files_only_to_administrators(oidc):
    offered = {}
    for role in ("analyst", "admin"):
        at = oidc(claims(role)).run()
        at.switch_page("views/upload.py").run()
        offered[role] = at.radio(key="upload_kind").options
    assert "Outcome department membership" not in offered["analyst"]
    assert "Indicator values" in offered["analyst"]
    assert "Outcome department membership" in offered["admin"]


def test_roles_and_regions_can_come_from_a_users_file(oidc, monkeypatch, tmp_path, menus):
    users = tmp_path / "users.csv"
    users.write_text("email,name,roles,regions\nana@example.test,Ana,analyst,E12000001\n")
    monkeypatch.setenv("OUTCOMES_USERS_FILE", str(users))
    get_settings.cache_clear()
    at = oidc({"is_logged_in": True, "email": "Ana@example.test", "name": "Ana"}).run()
    assert {t for t, visible in menus[-1].items() if visible} == PERMITTED["analyst"]
    stranger = oidc({"is_logged_in": True, "email": "zed@example.test"}).run()
    assert [t.value for t in stranger.title] == ["No access"]
    assert at


def test_an_administrator_changes_a_chair_and_it_is_a_batch_in_the_audit_log(oidc, audit):
    at = oidc(claims("admin")).run()
    at.switch_page("views/configure.py").run()
    assert not at.exception, at.exception
    chair = next(t for t in at.text_input if t.label == "Chair")
    chair.set_value("Jo Lead, Director of Children's Services")
    at.button(key="configure_save").click().run()
    assert not at.exception, at.exception
    assert any("Saved" in s.value and "batch" in s.value for s in at.success), [
        e.value for e in at.error
    ]
    entry = audit(action="configure").row(0, named=True)
    assert (entry["actor"], entry["outcome"]) == ("admin@example.test", "succeeded")


def test_the_audit_log_page_lists_refusals_and_offers_them_for_download(oidc):
    official = oidc(claims("official")).run()
    official.switch_page("views/audit_log.py").run()  # refused, and audited
    at = oidc(claims("admin")).run()
    at.switch_page("views/audit_log.py").run()
    assert not at.exception, at.exception
    at.selectbox(key="audit_outcome").set_value("refused").run()
    table = at.dataframe[0].value
    assert "official@example.test" in set(table["actor"])
    assert "page: Audit log" in set(table["target"])
    assert [b.proto.label for b in at.get("download_button")] == ["Download these entries (CSV)"]
