"""The register of national programmes and their presence in areas, as two upload kinds.

``programmes``: one row per national programme (id, name, the department that runs it, the
outcome departments and indicators it aims at, start, end, funding). ``programme_areas``: one
row per programme, area and role (adviser, partnership worker, field force, funded project),
with a named contact's e-mail or a team mailbox, from and to. Both are validated like every
upload (a sentence per problem naming row and column), previewed, and written as one batch
that can be rolled back. Presences are recorded at upper tier (counties and unitaries), where
Local Area Agreements were made.
"""

from __future__ import annotations

import polars as pl

from pipelines import normalise, problems
from pipelines.validate import Lookups, _with_optional, missing_columns

PROGRAMME_COLUMNS = [
    "programme_id",
    "name",
    "department_code",
    "outcome_departments",
    "indicator_ids",
    "start_date",
    "end_date",
    "funding",
]
PROGRAMME_REQUIRED = [
    "programme_id",
    "name",
    "department_code",
    "outcome_departments",
    "start_date",
]
PRESENCE_COLUMNS = [
    "programme_id",
    "area_code",
    "role",
    "contact_name",
    "contact_email",
    "from_date",
    "to_date",
]
PRESENCE_REQUIRED = ["programme_id", "area_code", "role", "contact_email"]
ROLES = ("adviser", "partnership worker", "field force", "funded project")
REGISTER_KINDS = ("programmes", "programme_areas")
MAX_NAME = 200
EMAIL = r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"

EXAMPLES: dict[str, dict[str, list]] = {
    "programmes": {
        "programme_id": ["FIP"],
        "name": ["Family Intervention Projects"],
        "department_code": ["DCSF"],
        "outcome_departments": ["children_young_people;safer_stronger"],
        "indicator_ids": ["NI 111;NI 117"],
        "start_date": ["2008-04-01"],
        "end_date": ["2011-03-31"],
        "funding": ["2500000"],
    },
    "programme_areas": {
        "programme_id": ["FIP"],
        "area_code": ["E06000001"],
        "role": ["funded project"],
        "contact_name": ["Family intervention team"],
        "contact_email": ["fip-team@example.gov.uk"],
        "from_date": ["2008-04-01"],
        "to_date": [""],
    },
}
COLUMNS = {"programmes": PROGRAMME_COLUMNS, "programme_areas": PRESENCE_COLUMNS}


def date_expr(column: str) -> pl.Expr:
    """Returns the cell as a date: ``2008-04-01`` or ``01/04/2008`` (day first); else null."""
    text = pl.col(column).str.strip_chars()
    return pl.coalesce(
        text.str.to_date("%Y-%m-%d", strict=False),
        text.str.to_date("%d/%m/%Y", strict=False),
    )


def _list_expr(column: str) -> pl.Expr:
    """Returns the cell split on ``;`` (or ``,``) into trimmed, non-empty items."""
    return (
        pl.col(column)
        .fill_null("")
        .str.replace_all(",", ";")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.eval(pl.element().filter(pl.element() != ""))
    )


def _date_checks(frame: pl.DataFrame, start: str, end: str) -> list[pl.DataFrame]:
    reports = []
    for column in (start, end):
        reports.append(
            problems.row_problems(
                frame,
                ~normalise.is_blank(column) & date_expr(column).is_null(),
                column,
                pl.format(
                    "'{}' is not a date. Write it as 2008-04-01 (or 01/04/2008).", pl.col(column)
                ),
            )
        )
    reports.append(
        problems.row_problems(
            frame,
            date_expr(end) < date_expr(start),
            end,
            pl.format(
                "{} is before {} ({}). The end cannot come before the start: check both dates.",
                pl.col(end),
                pl.lit(start),
                pl.col(start),
            ),
        )
    )
    return reports


def _required(frame: pl.DataFrame, columns: list[str]) -> list[pl.DataFrame]:
    return [
        problems.row_problems(
            frame,
            normalise.is_blank(column),
            column,
            f"{column} is required. Fill it in (see the template's example row).",
        )
        for column in columns
    ]


def _duplicates(frame: pl.DataFrame, keys: list[str], column: str, described: str) -> pl.DataFrame:
    """Reports every repeat of a key after its first row, naming the first row."""
    present = pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
    keyed = frame.filter(present).with_columns(
        _first=pl.col("_row").min().over(keys), _n=pl.len().over(keys)
    )
    return problems.row_problems(
        keyed,
        (pl.col("_n") > 1) & (pl.col("_row") != pl.col("_first")),
        column,
        pl.format(
            "Duplicate " + described + ": row {} has the same one. Keep one row for each.",
            pl.col("_first"),
        ),
    )


def _unknown_items(
    frame: pl.DataFrame, column: str, items: str, known: list[str], what: str, advice: str
) -> pl.DataFrame:
    """Reports rows whose list cell names an item not in ``known``."""
    unknown = pl.col(items).list.eval(pl.element().filter(~pl.element().is_in(known)))
    flagged = frame.with_columns(_unknown=unknown.list.join(", "))
    return problems.row_problems(
        flagged,
        pl.col("_unknown") != "",
        column,
        pl.format("Unknown " + what + " {}. " + advice, pl.col("_unknown")),
    )


def validate_programmes(frame: pl.DataFrame, lookups: Lookups) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (programme rows ready to write, report) for the programmes template."""
    report = missing_columns(frame, PROGRAMME_REQUIRED, PROGRAMME_COLUMNS)
    if problems.has_errors(report):
        return frame.clear(), report
    frame = _with_optional(frame, PROGRAMME_COLUMNS)
    departments = sorted(lookups.departments["department_code"].to_list())
    keys = sorted(lookups.outcome_departments["outcome_department_key"].unique().to_list())
    indicators = lookups.indicators["indicator_id"].to_list()
    frame = frame.with_columns(
        _id=pl.col("programme_id").str.strip_chars(),
        # Codes match whatever their case ("moj"), and are written as the catalogue has them
        # ("MoJ"): the catalogue's codes are mixed case.
        _department=pl.col("department_code")
        .str.strip_chars()
        .str.to_uppercase()
        .replace({code.upper(): code for code in departments}),
        _outcomes=_list_expr("outcome_departments").list.eval(pl.element().str.to_lowercase()),
        _indicators=_list_expr("indicator_ids").list.eval(
            pl.element().str.replace(r"(?i)^NI\s*0*(\d+)$", "NI $1")
        ),
        _funding=normalise.number("funding"),
    )
    reports = _required(frame, PROGRAMME_REQUIRED)
    reports += [
        problems.row_problems(
            frame,
            ~normalise.is_blank("department_code") & ~pl.col("_department").is_in(departments),
            "department_code",
            pl.format(
                "Unknown department '{}'. Use a department code: " + ", ".join(departments) + ".",
                pl.col("department_code"),
            ),
        ),
        _unknown_items(
            frame,
            "outcome_departments",
            "_outcomes",
            keys,
            "outcome department(s)",
            "Use the keys, separated by ';': " + ", ".join(keys) + ".",
        ),
        _unknown_items(
            frame,
            "indicator_ids",
            "_indicators",
            indicators,
            "indicator(s)",
            "Check each id against the indicator catalogue (for example NI 116).",
        ),
        problems.row_problems(
            frame,
            normalise.not_a_number("funding") | (pl.col("_funding") < 0),
            "funding",
            pl.format(
                "'{}' is not an amount of money. Write pounds as a number (2500000) or leave "
                "the cell empty.",
                pl.col("funding"),
            ),
        ),
        problems.row_problems(
            frame,
            pl.col("name").str.len_chars() > MAX_NAME,
            "name",
            f"The name is longer than {MAX_NAME} characters. Shorten it.",
        ),
        *_date_checks(frame, "start_date", "end_date"),
        _duplicates(frame, ["_id"], "programme_id", "programme id"),
    ]
    clean = frame.select(
        programme_id=pl.col("_id"),
        name=pl.col("name").str.strip_chars(),
        department_code=pl.col("_department"),
        outcome_departments=pl.col("_outcomes").list.unique().list.sort().list.join(";"),
        indicator_ids=pl.col("_indicators").list.unique().list.sort().list.join(";"),
        start_date=date_expr("start_date"),
        end_date=date_expr("end_date"),
        funding=pl.col("_funding"),
    )
    return clean, problems.combine([report, *reports])


def _role_expr() -> pl.Expr:
    return (
        pl.col("role")
        .str.strip_chars()
        .str.to_lowercase()
        .str.replace_all(r"[_\-\s]+", " ")
        .str.replace(r"^advisor$", "adviser")
    )


def validate_programme_areas(
    frame: pl.DataFrame, lookups: Lookups
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Returns (presence rows ready to write, report) for the programme_areas template."""
    report = missing_columns(frame, PRESENCE_REQUIRED, PRESENCE_COLUMNS)
    if problems.has_errors(report):
        return frame.clear(), report
    frame = _with_optional(frame, PRESENCE_COLUMNS)
    programmes = lookups.programmes
    known_programmes = [] if programmes is None else programmes["programme_id"].to_list()
    codes = lookups.area_codes.select(_code="code", _area="area_code", _tier=pl.col("tier")).unique(
        "_code"
    )
    frame = frame.with_columns(
        _id=pl.col("programme_id").str.strip_chars(),
        _code=normalise.area_code("area_code"),
        _role=_role_expr(),
        _email=pl.col("contact_email").str.strip_chars(),
    ).join(codes, on="_code", how="left", maintain_order="left")
    reports = _required(frame, PRESENCE_REQUIRED)
    reports += [
        problems.row_problems(
            frame,
            ~normalise.is_blank("programme_id") & ~pl.col("_id").is_in(known_programmes),
            "programme_id",
            pl.format(
                "Unknown programme '{}'. Load the programme in the programmes register first "
                "(--kind programmes), then its areas.",
                pl.col("programme_id"),
            ),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("area_code") & pl.col("_area").is_null(),
            "area_code",
            pl.format(
                "Unknown area '{}'. Use a GSS code (E06000001) or old ONS code (00EB).",
                pl.col("area_code"),
            ),
        ),
        problems.row_problems(
            frame,
            pl.col("_area").is_not_null() & ~pl.col("_tier").is_in(["county", "unitary"]),
            "area_code",
            pl.format(
                "'{}' is not a county or unitary authority. Record a programme's presence at "
                "upper tier, where Local Area Agreements were made (a district's county).",
                pl.col("area_code"),
            ),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("role") & ~pl.col("_role").is_in(list(ROLES)),
            "role",
            pl.format("'{}' is not a role. Use one of: " + ", ".join(ROLES) + ".", pl.col("role")),
        ),
        problems.row_problems(
            frame,
            ~normalise.is_blank("contact_email") & ~pl.col("_email").str.contains(EMAIL),
            "contact_email",
            pl.format(
                "'{}' is not an e-mail address. Write a person's or a team mailbox's address, "
                "such as team@example.gov.uk.",
                pl.col("contact_email"),
            ),
        ),
        problems.row_problems(
            frame,
            pl.col("contact_name").str.len_chars() > MAX_NAME,
            "contact_name",
            f"The contact's name is longer than {MAX_NAME} characters. Shorten it.",
        ),
        *_date_checks(frame, "from_date", "to_date"),
        _duplicates(frame, ["_id", "_area", "_role"], "programme_id", "programme, area and role"),
    ]
    clean = frame.select(
        programme_id=pl.col("_id"),
        area_code=pl.col("_area"),
        role=pl.col("_role"),
        contact_name=pl.when(normalise.is_blank("contact_name"))
        .then(None)
        .otherwise(pl.col("contact_name").str.strip_chars()),
        contact_email=pl.col("_email"),
        from_date=date_expr("from_date"),
        to_date=date_expr("to_date"),
    )
    return clean, problems.combine([report, *reports])


def register_changes(kind: str, revised: pl.DataFrame) -> pl.DataFrame:
    """Returns each revised register row with its key, the old and the new shown value."""
    if kind == "programmes":
        return revised.select(
            "programme_id", old=pl.col("previous_value").cast(pl.String), new=pl.col("name")
        )
    return revised.select(
        "programme_id",
        "area_code",
        "role",
        old=pl.col("previous_value").cast(pl.String),
        new=pl.col("contact_email"),
    )
