"""Synthetic demonstration register of national programmes, and agreed actions (issue 15).

Deterministic from the seed, like the rest of the demo, and plausible for 2008–2011: real
programme names of the time, run by the departments that ran them, aimed at the outcome
departments they served. Every upper-tier area (county, unitary, metropolitan district,
London borough) has a few programmes, drawn at random, so some areas are covered twice on one
outcome (overlaps) and some off-track areas have nothing (gaps). Hartlepool has the essay's
case: 17 national programmes working on children and young people, from 6 departments,
none of which knew about the others.

The register is loaded through the same loader an analyst uses (kinds ``programmes`` and
``programme_areas``), so it is validated, one batch each, and can be rolled back.
"""

from __future__ import annotations

from datetime import date, timedelta

import duckdb
import numpy as np
import polars as pl

from pipelines.programmes import PRESENCE_COLUMNS, PROGRAMME_COLUMNS, ROLES
from warehouse import reference_queries
from warehouse.access import User
from warehouse.commentary import Subject, write_action
from warehouse.outcome_queries import outcome_department_names

#: The area with 17 programmes on one outcome (the essay's "17 advisers") and its outcome.
CROWDED_AREA, CROWDED_OUTCOME = "E06000001", "children_young_people"  # Hartlepool
UPPER_TIER_TYPES = ("County", "Unitary authority", "Metropolitan district", "London borough")
START = "2008-04-01"

#: (id, name, department, outcome department keys, indicators aimed at). The first 17 work on
#: children and young people, from six departments.
PROGRAMMES: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "FIP",
        "Family Intervention Projects",
        "DCSF",
        "children_young_people;safer_stronger",
        "NI 111;NI 117",
    ),
    ("SURESTART", "Sure Start Children's Centres", "DCSF", "children_young_people", "NI 53;NI 72"),
    ("THINKFAM", "Think Family pathfinders", "DCSF", "children_young_people", "NI 117"),
    (
        "TEENPREG",
        "Teenage Pregnancy Strategy advisers",
        "DCSF",
        "children_young_people;health_wellbeing",
        "NI 112",
    ),
    ("NATSTRAT", "National Strategies field force", "DCSF", "children_young_people", "NI 73;NI 75"),
    ("EXTSCHOOL", "Extended Schools remodelling advisers", "DCSF", "children_young_people", ""),
    ("AHDC", "Aiming High for Disabled Children", "DCSF", "children_young_people", ""),
    (
        "CONNEXIONS",
        "Connexions NEET partnership workers",
        "DCSF",
        "children_young_people;employment_skills_economy",
        "NI 117",
    ),
    (
        "HEALTHYSCH",
        "Healthy Schools Programme",
        "DH",
        "children_young_people;health_wellbeing",
        "NI 55;NI 56",
    ),
    (
        "CHILDOBES",
        "Healthy Weight, Healthy Lives coordinators",
        "DH",
        "children_young_people;health_wellbeing",
        "NI 56",
    ),
    ("YCAP", "Youth Crime Action Plan", "HO", "children_young_people;safer_stronger", "NI 111"),
    ("TKAP", "Tackling Knives Action Programme", "HO", "children_young_people;safer_stronger", ""),
    (
        "YOTPREV",
        "Youth Justice Board prevention projects",
        "MoJ",
        "children_young_people;safer_stronger",
        "NI 111;NI 19",
    ),
    (
        "CHILDPOV",
        "Child Poverty Unit local pilots",
        "DWP",
        "children_young_people;fairness_inclusion",
        "NI 116",
    ),
    (
        "WORKFAM",
        "Work-focused services in children's centres",
        "DWP",
        "children_young_people;employment_skills_economy",
        "NI 116",
    ),
    ("PLAYBUILD", "Playbuilder", "DCMS", "children_young_people;liveable_places", ""),
    (
        "FREESWIM",
        "Free Swimming Programme",
        "DCMS",
        "children_young_people;health_wellbeing",
        "NI 8",
    ),
    (
        "WNF",
        "Working Neighbourhoods Fund",
        "CLG",
        "employment_skills_economy;fairness_inclusion",
        "NI 151;NI 152",
    ),
    ("FND", "Flexible New Deal", "DWP", "employment_skills_economy", "NI 152"),
    ("CITIES", "City Strategy pathfinders", "DWP", "employment_skills_economy", "NI 153"),
    ("TTG", "Train to Gain skills brokers", "DIUS", "employment_skills_economy", "NI 163"),
    ("SKILLS4LIFE", "Skills for Life", "DIUS", "employment_skills_economy", "NI 161;NI 162"),
    ("BUSLINK", "Business Link advisers", "BERR", "employment_skills_economy", "NI 171"),
    (
        "SAFERNBH",
        "Neighbourhood policing and Safer Neighbourhoods",
        "HO",
        "safer_stronger",
        "NI 21;NI 27",
    ),
    ("DIP", "Drug Interventions Programme", "HO", "safer_stronger;health_wellbeing", "NI 38;NI 40"),
    ("IOM", "Integrated Offender Management pioneers", "MoJ", "safer_stronger", "NI 30"),
    ("PREVENT", "Preventing Violent Extremism", "CLG", "safer_stronger", "NI 35"),
    ("STOPSMOKE", "NHS Stop Smoking Services support", "DH", "health_wellbeing", "NI 123"),
    ("HEALTHTOWN", "Healthy Towns", "DH", "health_wellbeing;liveable_places", "NI 8"),
    ("WARMFRONT", "Warm Front", "DECC", "fairness_inclusion;liveable_places", "NI 187"),
    ("HMR", "Housing Market Renewal pathfinders", "CLG", "liveable_places", "NI 154"),
    ("GROWTHPT", "Growth Points", "CLG", "liveable_places", "NI 154;NI 155"),
    ("WRAP", "Waste and Resources Action Programme", "Defra", "liveable_places", "NI 191;NI 192"),
    ("LTP", "Local Transport Plan advisers", "DfT", "liveable_places", "NI 167;NI 175"),
    ("PLACECHG", "Places of Change", "CLG", "fairness_inclusion;liveable_places", "NI 156"),
    ("EQUALITY", "Equality Framework peer support", "GEO", "fairness_inclusion", "NI 1"),
)
CROWDED_PROGRAMMES = 17
#: How many other programmes each upper-tier area gets, at random.
PROGRAMMES_PER_AREA = (3, 9)


def _programme_rows() -> pl.DataFrame:
    rows = [
        {
            "programme_id": pid,
            "name": name,
            "department_code": department,
            "outcome_departments": outcomes,
            "indicator_ids": indicators,
            "start_date": START,
            # Two programmes of the time have ended; the rest are still running.
            "end_date": "2011-03-31" if pid in ("FND", "TTG") else "",
            "funding": "",
        }
        for pid, name, department, outcomes, indicators in PROGRAMMES
    ]
    return pl.DataFrame(rows).select(PROGRAMME_COLUMNS)


def _contact(pid: str, area_code: str, role: str, n: int) -> dict[str, str]:
    team = f"{pid.lower()}-{area_code.lower()}"
    named = n % 3 != 0  # a third of presences give a team mailbox, not a person
    return {
        "programme_id": pid,
        "area_code": area_code,
        "role": role,
        "contact_name": f"{pid.title()} contact {n}" if named else f"{pid.title()} team",
        "contact_email": f"{team}@example.gov.uk",
        "from_date": START,
        "to_date": "",
    }


def _presence_rows(areas: pl.DataFrame, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    ids = [p[0] for p in PROGRAMMES]
    rows = []
    for area_code in areas.sort("area_code")["area_code"]:
        if area_code == CROWDED_AREA:
            chosen = ids[:CROWDED_PROGRAMMES]
        else:
            # A quarter of areas have nothing on children and young people: the gaps.
            pool = ids[CROWDED_PROGRAMMES:] if rng.random() < 0.25 else ids
            size = int(rng.integers(*PROGRAMMES_PER_AREA))
            chosen = list(rng.choice(pool, size=min(size, len(pool)), replace=False))
        for pid in chosen:
            role = ROLES[int(rng.integers(len(ROLES)))]
            rows.append(_contact(str(pid), area_code, role, len(rows) + 1))
    return pl.DataFrame(rows).select(PRESENCE_COLUMNS)


def demo_register(con: duckdb.DuckDBPyConnection, seed: int) -> dict[str, pl.DataFrame]:
    """Returns the demo register as text tables, by upload kind (programmes first)."""
    areas = reference_queries.areas(con, live_on=reference_queries.APRIL_2009)
    upper = areas.filter(pl.col("area_type").is_in(UPPER_TIER_TYPES))
    return {"programmes": _programme_rows(), "programme_areas": _presence_rows(upper, seed)}


def write_demo_actions(
    con: duckdb.DuckDBPyConnection, operator: User | str, today: date | None = None
) -> int:
    """Returns how many demo actions were written: three in Hartlepool, one of them overdue.

    Due dates are relative to ``today`` (default: the real today), so the demo always shows
    an overdue action and two that are still to come.
    """
    today = today or date.today()
    names = outcome_department_names(con, "E12000001")
    department = names.filter(pl.col("outcome_department_key") == CROWDED_OUTCOME).item(
        0, "outcome_department_id"
    )
    subject = Subject("E12000001", department, "NI 117", CROWDED_AREA)
    actions = [
        ("Bring the 17 programme contacts in Hartlepool together once", "GO North East", -14),
        ("Agree one lead worker per family across FIP and Think Family", "DCSF", 30),
        ("Share the NEET tracking list with Connexions and Jobcentre Plus", "DWP", 60),
    ]
    for what, owner, days in actions:
        write_action(con, operator, subject, what, owner, today + timedelta(days=days))
    return len(actions)
