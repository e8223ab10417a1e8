"""Roles, regions and the permission check, from token claims and from a users file."""

import pytest

from warehouse.access import (
    Action,
    PermissionRefused,
    Role,
    User,
    local_operator,
    require,
    user_from_claims,
)
from warehouse.audit import audit_entries
from warehouse.users import UsersFileError, load_users

NORTH_EAST, LONDON = "E12000001", "E12000007"


def person(*roles: str, regions=(NORTH_EAST,), everywhere=False) -> User:
    return User(
        email=f"{'-'.join(roles) or 'nobody'}@example.test",
        roles=frozenset(Role(r) for r in roles),
        regions=frozenset(regions),
        all_regions=everywhere,
    )


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("minister", {Action.VIEW, Action.MARK_DISCUSSED}),
        ("official", {Action.VIEW, Action.EXPORT, Action.COMMENT}),
        (
            "analyst",
            {Action.VIEW, Action.EXPORT, Action.UPLOAD, Action.ROLLBACK, Action.COMMENT},
        ),
        ("admin", set(Action)),
    ],
)
def test_each_role_permits_exactly_its_actions(role, allowed):
    user = person(role)
    assert {action for action in Action if user.can(action)} == allowed


def test_claims_give_roles_and_regions_and_ignore_what_the_product_does_not_know():
    user = user_from_claims(
        {
            "email": "a@x.test",
            "name": "A",
            "roles": ["Analyst", "superuser"],
            "regions": ["E12000001", "north"],
        }
    )
    assert user.roles == {Role.ANALYST}
    assert user.regions == {NORTH_EAST}
    assert not user.all_regions


def test_claims_may_name_every_region_or_use_other_claim_names():
    user = user_from_claims(
        {"email": "a@x.test", "groups": "official, minister", "scope": "*"}, "groups", "scope"
    )
    assert user.roles == {Role.OFFICIAL, Role.MINISTER}
    assert user.all_regions and user.may_see_region(LONDON)


def test_no_role_or_no_region_means_no_access_at_all():
    assert not user_from_claims({"email": "a@x.test", "regions": ["E12000001"]}).has_access()
    nowhere = user_from_claims({"email": "a@x.test", "roles": ["admin"]})
    assert not nowhere.has_access()
    assert not nowhere.can(Action.VIEW)


def test_require_refuses_with_a_sentence_naming_what_is_needed():
    with pytest.raises(
        PermissionRefused,
        match="You do not have access to upload data: it needs one of the roles analyst or admin",
    ):
        require(person("official"), Action.UPLOAD)
    with pytest.raises(PermissionRefused, match="region E12000007"):
        require(person("official"), Action.VIEW, region_code=LONDON)
    assert require(person("analyst"), Action.UPLOAD).email == "analyst@example.test"


def test_a_plain_name_is_the_trusted_local_operator():
    operator = require("cli-user", Action.CONFIGURE, region_code=LONDON)
    assert operator == local_operator("cli-user")


def test_a_refusal_with_a_connection_is_audited(memory_con):
    with pytest.raises(PermissionRefused):
        require(person("minister"), Action.UPLOAD, con=memory_con, target="values.csv")
    entries = audit_entries(memory_con, outcome="refused")
    assert entries.select("actor", "action", "outcome", "target").rows() == [
        ("minister@example.test", "upload", "refused", "values.csv")
    ]
    assert entries["detail"][0].startswith("You do not have access")


def test_users_file_in_toml(tmp_path):
    path = tmp_path / "users.toml"
    path.write_text(
        '[users."Ana@Example.test"]\nname = "Ana"\nroles = ["analyst"]\nregions = ["E12000001"]\n'
        '[users."root@example.test"]\nroles = ["admin"]\nregions = "*"\n'
    )
    users = load_users(path)
    assert users["ana@example.test"].roles == {Role.ANALYST}
    assert users["root@example.test"].all_regions


def test_users_file_in_csv(tmp_path):
    path = tmp_path / "users.csv"
    path.write_text(
        "email,name,roles,regions\nmin@example.test,Min,minister;official,E12000001;E12000007\n"
    )
    user = load_users(path)["min@example.test"]
    assert user.roles == {Role.MINISTER, Role.OFFICIAL}
    assert user.regions == {NORTH_EAST, LONDON}


@pytest.mark.parametrize(
    ("suffix", "text", "message"),
    [
        (
            ".csv",
            "email,name,roles,regions\nok@example.test,,analyst,E12000001\nbad@example.test,,chief,E12000001\n",
            r"line 3: bad@example.test: roles.0",
        ),
        (
            ".csv",
            "email,name,roles,regions\nok@example.test,,analyst,North\n",
            r"line 2: ok@example.test: regions: .*not region codes",
        ),
        (".csv", "mail,roles\n", r"line 1: the header must be"),
        (
            ".toml",
            '[users."a@example.test"]\nroles = ["admin"]\nregions = ["*"]\n\n[users."b@example.test"]\nroles = []\nregions = ["E12000001"]\n',
            r"line 5: b@example.test: roles",
        ),
    ],
)
def test_a_bad_users_file_is_refused_naming_the_line(tmp_path, suffix, text, message):
    path = tmp_path / f"users{suffix}"
    path.write_text(text)
    with pytest.raises(UsersFileError, match=message):
        load_users(path)
