"""Who may do what, and in which regions: roles, actions, users and the one check every write makes.

``require(user, Action.UPLOAD)`` at the top of a write function raises ``PermissionRefused``
with a sentence a person can act on; given the warehouse connection it also records the
refusal in the audit log. The dashboard builds a ``User`` from the sign-in token (or the
users file); the command line and scripts act as a trusted local operator (``local_operator``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

if TYPE_CHECKING:
    import duckdb

REGION_CODE = re.compile(r"^E12\d{6}$")
ALL_REGIONS = "*"


class Role(StrEnum):
    """What a person is in the product, from least to most able."""

    MINISTER = "minister"
    OFFICIAL = "official"
    ANALYST = "analyst"
    ADMIN = "admin"


class Action(StrEnum):
    """What a person asks to do; each role permits a set of these."""

    VIEW = "view"
    EXPORT = "export"
    UPLOAD = "upload"
    ROLLBACK = "rollback"
    CONFIGURE = "configure"
    MANAGE_USERS = "manage-users"
    READ_AUDIT = "read-audit"
    COMMENT = "comment"
    MARK_DISCUSSED = "mark-discussed"


#: Each role's actions; a person with several roles may do what any of them may.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.MINISTER: frozenset({Action.VIEW, Action.MARK_DISCUSSED}),
    Role.OFFICIAL: frozenset({Action.VIEW, Action.EXPORT, Action.COMMENT}),
    Role.ANALYST: frozenset(
        {Action.VIEW, Action.EXPORT, Action.UPLOAD, Action.ROLLBACK, Action.COMMENT}
    ),
    Role.ADMIN: frozenset(Action),
}

#: How each action reads in a refusal: "You do not have access to …".
ACTION_WORDS: dict[Action, str] = {
    Action.VIEW: "view this",
    Action.EXPORT: "download data",
    Action.UPLOAD: "upload data",
    Action.ROLLBACK: "roll back batches",
    Action.CONFIGURE: "configure outcome departments",
    Action.MANAGE_USERS: "manage users",
    Action.READ_AUDIT: "read the audit log",
    Action.COMMENT: "write comments and agreed actions",
    Action.MARK_DISCUSSED: "mark actions discussed",
}


class PermissionRefused(PermissionError):
    """The user may not do this; nothing was done. The message says why."""


class User(BaseModel):
    """A person (or a trusted local process) acting on the warehouse."""

    model_config = ConfigDict(frozen=True)

    email: str = Field(description="Identity recorded in the audit log and on batches.")
    name: str = Field(default="", description="Display name.")
    roles: frozenset[Role] = Field(default=frozenset())
    regions: frozenset[str] = Field(default=frozenset(), description="E12 region codes.")
    all_regions: bool = Field(default=False, description="True for the `*` region scope.")
    local: bool = Field(default=False, description="The trusted local operator (command line).")

    @field_validator("regions")
    @classmethod
    def _region_codes(cls, regions: frozenset[str]) -> frozenset[str]:
        bad = sorted(code for code in regions if not REGION_CODE.match(code))
        if bad:
            raise ValueError(f"not region codes (E12000001 to E12000009): {', '.join(bad)}")
        return regions

    @property
    def label(self) -> str:
        """Returns the name if known, else the e-mail."""
        return self.name or self.email

    @property
    def role_names(self) -> str:
        """Returns the roles as words, most able first (e.g. 'analyst, official')."""
        order = list(Role)
        return ", ".join(r.value for r in sorted(self.roles, key=order.index, reverse=True))

    def has_access(self) -> bool:
        """Returns True when the user has a role and at least one region."""
        return bool(self.roles) and (self.all_regions or bool(self.regions))

    def can(self, action: Action) -> bool:
        """Returns True when one of the user's roles permits ``action``."""
        return self.has_access() and any(action in PERMISSIONS[role] for role in self.roles)

    def may_see_region(self, region_code: str | None) -> bool:
        """Returns True when the region is in the user's scope."""
        if not self.has_access():
            return False
        return self.all_regions or region_code in self.regions

    def visible(self, region_codes: Iterable[str]) -> list[str]:
        """Returns those of ``region_codes`` the user may see, in order."""
        return [code for code in region_codes if self.may_see_region(code)]


def parse_roles(value: Any) -> frozenset[Role]:
    """Returns the known roles in a claim value: a list, or text separated by commas or spaces.

    Roles the product does not know (a provider may issue others) are ignored.
    """
    known = {role.value: role for role in Role}
    return frozenset(known[word] for word in _words(value) if word in known)


def parse_regions(value: Any) -> tuple[frozenset[str], bool]:
    """Returns (region codes, all regions?) from a claim value: a list of E12 codes, or ``*``.

    Anything that is not a region code is ignored, so a malformed claim narrows access.
    """
    words = _words(value, lower=False)
    if ALL_REGIONS in words:
        return frozenset(), True
    return frozenset(w.upper() for w in words if REGION_CODE.match(w.upper())), False


def _words(value: Any, lower: bool = True) -> list[str]:
    if value is None:
        return []
    items = [value] if isinstance(value, str) else list(value) if _iterable(value) else [value]
    words = [part for item in items for part in re.split(r"[,\s]+", str(item)) if part]
    return [w.lower() for w in words] if lower else words


def _iterable(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


def user_from_claims(
    claims: dict[str, Any], roles_claim: str = "roles", regions_claim: str = "regions"
) -> User:
    """Returns the user an ID token's claims describe (roles and regions from the named claims)."""
    regions, everywhere = parse_regions(claims.get(regions_claim))
    return User(
        email=str(claims.get("email") or claims.get("sub") or "unknown"),
        name=str(claims.get("name") or ""),
        roles=parse_roles(claims.get(roles_claim)),
        regions=regions,
        all_regions=everywhere,
    )


def local_operator(name: str) -> User:
    """Returns the trusted local operator: the command line or a script on the warehouse's host.

    Whoever can run Python beside the warehouse can write to it directly, so the command
    line acts as an administrator in every region; it still records who it acts for.
    """
    return User(email=name, name=name, roles=frozenset({Role.ADMIN}), all_regions=True, local=True)


def as_actor(operator: User | str) -> User:
    """Returns ``operator`` as a user; a plain name is a trusted local operator."""
    return operator if isinstance(operator, User) else local_operator(operator)


def actor_name(operator: User | str) -> str:
    """Returns the identity recorded on batches and in the audit log."""
    return operator.email if isinstance(operator, User) else operator


def refusal(user: User, action: Action, region_code: str | None = None) -> str:
    """Returns the sentence telling the user what they may not do and what to ask for."""
    if not user.has_access():
        return (
            f"You do not have access: {user.email} has no role or no region. "
            "Ask an administrator to grant one."
        )
    if not user.can(action):
        roles = [r.value for r in Role if action in PERMISSIONS[r]]
        needed = (
            f"the role {roles[0]}"
            if len(roles) == 1
            else f"one of the roles {', '.join(roles[:-1])} or {roles[-1]}"
        )
        return (
            f"You do not have access to {ACTION_WORDS[action]}: it needs {needed}; "
            f"you are {user.role_names}."
        )
    return (
        f"You do not have access to region {region_code}. Your regions: "
        f"{', '.join(sorted(user.regions)) or 'none'}."
    )


def require(
    user: User | str,
    action: Action,
    *,
    region_code: str | None = None,
    con: duckdb.DuckDBPyConnection | None = None,
    target: str | None = None,
) -> User:
    """Returns the user when they may do ``action`` (in ``region_code``, if given).

    Raises ``PermissionRefused`` otherwise; with ``con`` the refusal is recorded in the
    audit log first (its own small transaction, so it survives the refused work).
    """
    actor = as_actor(user)
    allowed = actor.can(action) and (region_code is None or actor.may_see_region(region_code))
    if allowed:
        return actor
    message = refusal(actor, action, region_code)
    if con is not None:
        from warehouse.audit import record

        record(
            con, actor, action, "refused", region_code=region_code, target=target, detail=message
        )
    raise PermissionRefused(message)
