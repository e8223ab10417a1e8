"""Settings for every part of the product, read from ``OUTCOMES_*`` environment variables.

Each field carries its help text; ``docs/settings.md`` documents them all and a test
fails when one is missing there.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Returns the product's configuration, from the environment and defaults."""

    model_config = SettingsConfigDict(env_prefix="OUTCOMES_", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description=(
            "Folder holding the warehouse (catalog and Parquet files), logs and uploads. "
            "Created when missing."
        ),
    )
    warehouse: str = Field(
        default="",
        description=(
            "Where the warehouse lives. Empty (the default) means a DuckLake on a SQLite "
            "catalog inside the data directory (`ducklake:sqlite:DATA_DIR/catalog.sqlite`, "
            "Parquet under `DATA_DIR/lake/`). Also accepts `ducklake:postgres:dbname=… host=…` "
            "for a shared PostgreSQL catalog, a plain DuckDB file path, or `:memory:`."
        ),
    )
    lake_data_path: str = Field(
        default="",
        description=(
            "Where a DuckLake keeps its Parquet files. Empty means `DATA_DIR/lake/`; set it "
            "to an object-store prefix when several app servers share one warehouse."
        ),
    )
    operator: str = Field(
        default="cli",
        description=(
            "Who the command line acts as (`--operator` overrides it); recorded on every batch "
            "and audit entry it writes. The command line is trusted as a local administrator "
            "in every region: whoever can run it can reach the warehouse files anyway."
        ),
    )
    demo_on_first_start: bool = Field(
        default=True,
        description=(
            "Build the synthetic demonstration warehouse when the app starts and finds no "
            "warehouse. Turn off in production."
        ),
    )
    auth_mode: Literal["none", "oidc"] = Field(
        default="none",
        description=(
            "`none`: local demo, no sign-in, a visible banner, the user acts as administrator. "
            "`oidc`: sign in with the provider configured in `.streamlit/secrets.toml`."
        ),
    )
    roles_claim: str = Field(
        default="roles",
        description=(
            "Name of the ID-token claim holding the user's roles (a list, or text separated "
            "by commas): `minister`, `official`, `analyst`, `admin`. Other values are ignored."
        ),
    )
    regions_claim: str = Field(
        default="regions",
        description=(
            "Name of the ID-token claim holding the user's regions: a list of E12 region codes "
            "(`E12000001` to `E12000009`), or `*` for every region."
        ),
    )
    users_file: Path | None = Field(
        default=None,
        description=(
            "A TOML or CSV file mapping e-mail to roles and regions, for a provider that cannot "
            "issue role and region claims. When set, it replaces the claims; a user not in it "
            "has no access. See docs/access.md for the format."
        ),
    )
    max_upload_mb: int = Field(
        default=1024,
        ge=1,
        description=(
            "Largest file, in megabytes, that a load reads at all; a larger file is refused "
            "before a byte of it is read. The app's own limit is `server.maxUploadSize` in "
            "`.streamlit/config.toml` (200 MB)."
        ),
    )
    write_retries: int = Field(
        default=8,
        ge=0,
        description=(
            "How many times a write retries when another process holds the catalog lock, "
            "with a growing pause between tries, before it is refused with a message."
        ),
    )
    small_count_threshold: int = Field(
        default=5,
        ge=0,
        description=(
            "An uploaded value whose count is below this number is flagged with a warning "
            "the analyst must confirm before loading (small counts give unreliable rates and "
            "may identify people). 0 turns the warning off."
        ),
    )
    jump_factor: float = Field(
        default=3.0,
        gt=1.0,
        description=(
            "An uploaded value more than this many times (or less than one over this many "
            "times) the previous period's value for the same indicator and area is flagged "
            "with a warning the analyst must confirm before loading."
        ),
    )

    def warehouse_url(self) -> str:
        """Returns the warehouse location with the default filled in."""
        if self.warehouse:
            return self.warehouse
        return f"ducklake:sqlite:{self.data_dir / 'catalog.sqlite'}"

    def lake_path(self) -> str:
        """Returns the folder (or prefix) for a DuckLake's Parquet files."""
        if self.lake_data_path:
            return self.lake_data_path
        return f"{self.data_dir / 'lake'}/"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Returns the process-wide settings, read once from the environment."""
    return Settings()


def settings_reference() -> str:
    """Returns the Markdown table documenting every setting (kept in ``docs/settings.md``)."""
    lines = [
        "| variable | default | what it does |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default not in ("", None) else "(empty)"
        lines.append(f"| `OUTCOMES_{name.upper()}` | `{default}` | {field.description} |")
    return "\n".join(lines) + "\n"
