"""Users and roles (administrators): what each role may do, and who is given which role."""

import polars as pl
import streamlit as st

from dashboard import data
from warehouse.access import ACTION_WORDS, PERMISSIONS, Action, Role
from warehouse.audit import Event, audit_entries
from warehouse.users import UsersFileError, load_users

st.title("Users and roles", anchor=False)
st.caption(
    "Roles and regions come from the sign-in provider's token (claims "
    f"`{data.settings().roles_claim}` and `{data.settings().regions_claim}`) or, when set, "
    "from the users file. They are managed there, not in this app."
)

st.header("What each role may do", anchor=False)
st.dataframe(
    pl.DataFrame(
        {
            "role": [role.value for role in Role],
            **{
                ACTION_WORDS[action]: [
                    "yes" if action in PERMISSIONS[role] else "no" for role in Role
                ]
                for action in Action
            },
        }
    ),
    hide_index=True,
)

users_file = data.settings().users_file
st.header("Users file", anchor=False)
if not users_file:
    st.write("No users file is set (`OUTCOMES_USERS_FILE`): roles and regions come from the token.")
else:
    try:
        users = load_users(users_file)
    except UsersFileError as error:
        st.error(str(error), icon=":material/error:")
    else:
        st.dataframe(
            pl.DataFrame(
                {
                    "email": [u.email for u in users.values()],
                    "name": [u.name for u in users.values()],
                    "roles": [u.role_names for u in users.values()],
                    "regions": [
                        "all" if u.all_regions else ", ".join(sorted(u.regions))
                        for u in users.values()
                    ],
                }
            ),
            hide_index=True,
        )

st.header("Recent sign-ins", anchor=False)
st.dataframe(
    audit_entries(data.cursor(), action=Event.SIGN_IN, limit=200).select(
        "happened_at", "actor", "actor_name", "roles", "outcome", "detail"
    ),
    hide_index=True,
    column_config={
        "happened_at": st.column_config.DatetimeColumn("When", format="D MMM YYYY, HH:mm:ss"),
        "actor": "Who",
        "actor_name": "Name",
        "roles": "Roles",
        "outcome": "Outcome",
        "detail": "Detail",
    },
)
