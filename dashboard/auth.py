"""Sign-in, the signed-in user and the pages that stand in for the app when there is none.

``OUTCOMES_AUTH_MODE=none`` (the local demo): nobody signs in and everyone is the demo
administrator, with a banner saying so. ``oidc``: Streamlit's ``st.login`` with the
``[auth]`` section of ``.streamlit/secrets.toml``; the roles and regions come from the ID
token's claims, or from the users file when one is set. Claim text is shown only as plain
text, never as HTML or Markdown.
"""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st

from dashboard import data
from warehouse.access import PERMISSIONS, Action, Role, User, refusal, user_from_claims
from warehouse.audit import Event, record
from warehouse.users import UsersFileError, load_users

#: Who everyone is in the local demo (no sign-in): an administrator in every region.
DEMO_USER = User(
    email="demo user", name="Demo user", roles=frozenset({Role.ADMIN}), all_regions=True
)
_SIGNED_IN = "_auth_signed_in_as"


def current_user() -> User | None:
    """Returns who is using this session, or None when nobody has signed in (oidc mode)."""
    settings = data.settings()
    if settings.auth_mode == "none":
        return DEMO_USER
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        return None
    if settings.users_file:
        email = str(claims.get("email") or "").lower()
        listed = _users(Path(settings.users_file)).get(email)
        return listed or User(email=email or "unknown", name=str(claims.get("name") or ""))
    return user_from_claims(claims, settings.roles_claim, settings.regions_claim)


@st.cache_data(ttl=60, show_spinner=False)
def _users(path: Path) -> dict[str, User]:
    # Re-read at most every minute, so an edited users file takes effect without a restart.
    return load_users(path)


def gate() -> User:
    """Returns the signed-in user with some access; otherwise shows why not and stops the run.

    Signed out: the sign-in page. Token expired: signs out. No role or no region: the
    no-access page. Each sign-in is recorded once per session in the audit log.
    """
    try:
        user = current_user()
    except UsersFileError as error:
        st.title("Sign-in is not configured correctly", anchor=False)
        st.error(str(error), icon=":material/error:")
        st.stop()
    if user is None:
        sign_in_page()
    if data.settings().auth_mode == "oidc":
        _end_expired_session(user)
        _record_sign_in(user)
    if not user.has_access():
        no_access_page(user)
    return user


def sign_in_page(note: str | None = None) -> None:
    """Shows the sign-in page (a button that starts ``st.login``) and stops the run."""
    st.title("Regional outcomes dashboard", anchor=False)
    if note:
        st.warning(note, icon=":material/schedule:")
    if not _sign_in_configured():
        st.error(
            "Sign-in is not configured: `.streamlit/secrets.toml` needs an `[auth]` section with "
            "`redirect_uri`, `cookie_secret`, `client_id`, `client_secret` and "
            "`server_metadata_url` (see `.streamlit/secrets.toml.example`).",
            icon=":material/error:",
        )
        st.stop()
    st.write("Sign in with your organisation account to see the outcomes for your region.")
    st.button("Sign in", type="primary", on_click=st.login, key="sign_in")
    st.stop()


def _sign_in_configured() -> bool:
    """Returns True when the secrets hold the [auth] keys st.login cannot work without."""
    try:
        section = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    except FileNotFoundError:  # also StreamlitSecretNotFoundError: an unreadable secrets file
        section = None
    needed = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
    return bool(section) and all(section.get(key) for key in needed)


def no_access_page(user: User) -> None:
    """Shows that the signed-in user has no role or region, and nothing else, then stops."""
    st.title("No access", anchor=False)
    st.text(f"Signed in as {user.email}.")
    st.write(
        "Your account has no role or no region in this dashboard, so there is nothing to "
        "show you. Ask your administrator to give you a role (minister, official, analyst "
        "or admin) and the regions you work on."
    )
    _sign_out_button(user)
    st.stop()


def refuse_page(user: User, title: str, action: Action) -> None:
    """Refuses a page the user may not open (a typed URL or a switch), audits it, and stops."""
    needed = ", ".join(role.value for role in Role if action in PERMISSIONS[role])
    message = (
        f"You do not have access to the page “{title}”: it needs the role {needed}, "
        f"and you are {user.role_names}."
    )
    record(data.cursor(), user, action, "refused", target=f"page: {title}", detail=message)
    st.title(title, anchor=False)
    st.error(message, icon=":material/block:")
    st.stop()


def refuse_region(user: User, wanted: str | None, shown: str) -> None:
    """Says (and audits) that a region asked for in the URL is outside the user's scope."""
    if not wanted or wanted == shown or user.may_see_region(wanted):
        return
    message = refusal(user, Action.VIEW, wanted)
    record(
        data.cursor(),
        user,
        Action.VIEW,
        "refused",
        region_code=wanted,
        target="region in URL",
        detail=message,
    )
    st.warning(message + " Showing your region instead.", icon=":material/block:")


def sidebar(user: User) -> None:
    """Shows who is signed in, as what, and the sign-out button (oidc mode)."""
    if data.settings().auth_mode == "none":
        return
    with st.sidebar:
        st.text(f"Signed in as {user.label}")
        st.text(f"Role: {user.role_names}")
        _sign_out_button(user)


def _sign_out_button(user: User) -> None:
    st.button("Sign out", on_click=_sign_out, args=(user,), key="sign_out")


def _sign_out(user: User) -> None:
    record(data.cursor(), user, Event.SIGN_OUT, "succeeded")
    st.session_state.pop(_SIGNED_IN, None)
    st.logout()


def _end_expired_session(user: User) -> None:
    expires = st.user.to_dict().get("exp")
    try:
        expired = expires is not None and float(expires) <= time.time()
    except (TypeError, ValueError):
        expired = True  # an unreadable expiry is treated as expired
    if not expired:
        return
    record(data.cursor(), user, Event.SESSION_EXPIRED, "succeeded", detail=f"exp {expires}")
    st.session_state.pop(_SIGNED_IN, None)
    st.logout()
    sign_in_page("Your session has expired. Sign in again to carry on.")


def _record_sign_in(user: User) -> None:
    if st.session_state.get(_SIGNED_IN) == user.email:
        return
    st.session_state[_SIGNED_IN] = user.email
    if user.has_access():
        record(data.cursor(), user, Event.SIGN_IN, "succeeded", detail=user.role_names)
    else:
        record(data.cursor(), user, Event.SIGN_IN, "refused", detail="no role or no region")
