"""The users file: e-mail → roles and regions, for a sign-in provider that cannot issue claims.

TOML, one table per user::

    [users."ana@example.gov.uk"]
    name = "Ana Analyst"
    roles = ["analyst"]
    regions = ["E12000001", "E12000002"]   # or "*" for every region

or CSV with the header ``email,name,roles,regions`` and lists separated by ``;``::

    email,name,roles,regions
    ana@example.gov.uk,Ana Analyst,analyst,E12000001;E12000002

Every entry is validated; a bad file is refused whole with the line of the first problem.
"""

from __future__ import annotations

import csv
import io
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from warehouse.access import ALL_REGIONS, REGION_CODE, Role, User

CSV_COLUMNS = ("email", "name", "roles", "regions")


class UsersFileError(ValueError):
    """The users file could not be used; the message names the file and the line."""


class UserEntry(BaseModel):
    """One line (or table) of the users file."""

    model_config = ConfigDict(extra="forbid")

    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")
    name: str = ""
    roles: list[Role] = Field(min_length=1)
    regions: list[str] | str = Field(min_length=1)

    @field_validator("regions")
    @classmethod
    def _regions(cls, regions: list[str] | str) -> list[str] | str:
        if regions == ALL_REGIONS or regions == [ALL_REGIONS]:
            return ALL_REGIONS
        if isinstance(regions, str):
            raise ValueError("regions must be a list of E12 codes or '*'")
        bad = [code for code in regions if not REGION_CODE.match(code)]
        if bad:
            raise ValueError(f"not region codes (E12000001 to E12000009): {', '.join(bad)}")
        return regions

    def user(self) -> User:
        """Returns the user this entry describes."""
        everywhere = self.regions == ALL_REGIONS
        return User(
            email=self.email.lower(),
            name=self.name,
            roles=frozenset(self.roles),
            regions=frozenset() if everywhere else frozenset(self.regions),
            all_regions=everywhere,
        )


def load_users(path: Path) -> dict[str, User]:
    """Returns the users in a TOML or CSV users file, keyed by lower-case e-mail.

    Raises ``UsersFileError`` naming the file and line of the first problem.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise UsersFileError(f"The users file {path} cannot be read: {error}") from error
    if path.suffix.lower() == ".toml":
        return _from_toml(path, text)
    if path.suffix.lower() == ".csv":
        return _from_csv(path, text)
    raise UsersFileError(f"The users file {path} must end in .toml or .csv.")


def _from_toml(path: Path, text: str) -> dict[str, User]:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsersFileError(f"{path}: not valid TOML ({error}).") from error
    tables = document.get("users")
    if not isinstance(tables, dict):
        raise UsersFileError(f'{path}: expected tables like [users."name@example.gov.uk"].')
    users: dict[str, User] = {}
    for email, fields in tables.items():
        line = _line_of(text, email)
        if not isinstance(fields, dict):
            raise UsersFileError(
                f"{path}, line {line}: {email} must be a table of name, roles, regions."
            )
        users[email.lower()] = _entry(path, line, {"email": email, **fields})
    return users


def _from_csv(path: Path, text: str) -> dict[str, User]:
    reader = csv.DictReader(io.StringIO(text))
    if tuple(name.strip().lower() for name in reader.fieldnames or ()) != CSV_COLUMNS:
        raise UsersFileError(f"{path}, line 1: the header must be {','.join(CSV_COLUMNS)}.")
    users: dict[str, User] = {}
    for row in reader:
        line = reader.line_num
        values = {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
        fields = {
            "email": values["email"],
            "name": values["name"],
            "roles": [part.strip().lower() for part in values["roles"].split(";") if part.strip()],
            "regions": [
                part.strip().upper() for part in values["regions"].split(";") if part.strip()
            ],
        }
        email = fields["email"].lower()
        if email in users:
            raise UsersFileError(f"{path}, line {line}: {fields['email']} is listed twice.")
        users[email] = _entry(path, line, fields)
    return users


def _entry(path: Path, line: int, fields: dict[str, Any]) -> User:
    try:
        return UserEntry(**fields).user()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in problem['loc'])}: {problem['msg']}"
            for problem in error.errors()
        )
        raise UsersFileError(f"{path}, line {line}: {fields.get('email')}: {problems}.") from error


def _line_of(text: str, email: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if email in line:
            return number
    return 1
