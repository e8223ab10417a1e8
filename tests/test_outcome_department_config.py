"""Configuring an outcome department: a batch with lineage, audited, reversible, at most five priorities."""

import pytest

from pipelines.outcome_department_config import (
    ConfigurationRefused,
    Goal,
    configure_outcome_department,
)
from warehouse.access import PermissionRefused, Role, User
from warehouse.audit import audit_entries
from warehouse.batches import list_batches, withdraw_batch
from warehouse.outcome_configuration import department_configuration
from warehouse.outcome_queries import outcome_department_names

CYP = "E12000001:children_young_people"


def admin(regions=("E12000001",)) -> User:
    return User(
        email="root@example.test", roles=frozenset({Role.ADMIN}), regions=frozenset(regions)
    )


def goals_of(config, priorities: int) -> list[Goal]:
    rows = config.goals.to_dicts()
    return [
        Goal(r["goal"], r["indicator_id"], number < priorities, r["goal_id"])
        for number, r in enumerate(rows)
    ]


def test_a_change_is_one_batch_that_rollback_undoes(memory_con):
    before = department_configuration(memory_con, CYP)
    members = [m for m in before.members if m != before.members[0]] + ["NI 1"]
    batch_id = configure_outcome_department(
        memory_con,
        admin(),
        CYP,
        chair="Jo Lead, Director of Children's Services",
        members=members,
        goals=[
            *goals_of(before, 1),
            Goal("Fewer first-time entrants to youth justice", "NI 111", True),
        ],
    )
    after = department_configuration(memory_con, CYP)
    assert after.department["chair"] == "Jo Lead, Director of Children's Services"
    assert after.members == sorted(members)
    assert after.goals["priority"].sum() == 2
    assert after.goals.height == before.goals.height + 1
    assert outcome_department_names(memory_con, "E12000001").height == 6  # no duplicates
    batch = list_batches(memory_con).row(0, named=True)
    assert (batch["batch_id"], batch["kind"], batch["operator"]) == (
        batch_id,
        "outcome-department-configuration",
        "root@example.test",
    )
    assert audit_entries(memory_con, action="configure").select("outcome", "actor").rows() == [
        ("succeeded", "root@example.test")
    ]

    withdraw_batch(memory_con, batch_id, admin(), "trial change")
    restored = department_configuration(memory_con, CYP)
    assert restored.department == before.department
    assert restored.members == before.members
    assert restored.goals.equals(before.goals)


def test_at_most_five_priority_goals(memory_con):
    before = department_configuration(memory_con, CYP)
    assert before.goals.height >= 6
    with pytest.raises(ConfigurationRefused, match="6 priority goals.*at most 5"):
        configure_outcome_department(
            memory_con, admin(), CYP, chair="X", members=before.members, goals=goals_of(before, 6)
        )
    assert (
        list_batches(memory_con).filter(list_batches(memory_con)["kind"] != "reference").is_empty()
    )


@pytest.mark.parametrize("role", ["minister", "official", "analyst"])
def test_only_administrators_configure_and_refusals_are_audited(memory_con, role):
    before = department_configuration(memory_con, CYP)
    user = User(
        email=f"{role}@example.test",
        roles=frozenset({Role(role)}),
        regions=frozenset({"E12000001"}),
    )
    with pytest.raises(PermissionRefused, match="configure outcome departments"):
        configure_outcome_department(
            memory_con, user, CYP, chair="X", members=before.members, goals=goals_of(before, 1)
        )
    assert audit_entries(memory_con, outcome="refused").select("actor", "action").rows() == [
        (f"{role}@example.test", "configure")
    ]


def test_an_administrator_of_another_region_is_refused(memory_con):
    before = department_configuration(memory_con, CYP)
    with pytest.raises(PermissionRefused, match="region E12000001"):
        configure_outcome_department(
            memory_con,
            admin(("E12000007",)),
            CYP,
            chair="X",
            members=before.members,
            goals=goals_of(before, 1),
        )


def test_nothing_changed_writes_nothing(memory_con):
    before = department_configuration(memory_con, CYP)
    priorities = int(before.goals["priority"].sum())
    with pytest.raises(ConfigurationRefused, match="Nothing changed"):
        configure_outcome_department(
            memory_con,
            admin(),
            CYP,
            chair=before.department["chair"],
            members=before.members,
            goals=goals_of(before, priorities),
        )
